"""The public backgrounder: the names a reader searches for, what it leads with,
one chart per set of numbers, and a reading level on target (issue #12, 17-19)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from pypdf import PdfReader

from briefs import build, load_project, plan
from briefs.cli import main
from conftest import FIXTURES, SAMPLE, Built, write_project

NAMES = {
    "en": [
        "Optional Protocol to the Convention on the Rights of the Child",
        "Human Trafficking Taskforce",
        "“4Ps”",
        "formal evaluation",
        "National Action Plan to Combat Human Trafficking",
        "2016 National Forum on Human Trafficking",
        "Temporary Residence Permits",
    ],
    "fr": [
        "Protocole facultatif à la Convention relative aux droits de l’enfant",
        "Groupe de travail sur la traite des personnes",
        "« 4 P »",
        "évaluation officielle",
        "Plan d’action national de lutte contre la traite de personnes",
        "Forum national de 2016 sur la traite de personnes",
        "permis de séjour temporaire",
    ],
}
"""Names the seed gives that a reader would search for, as the public PDFs print them."""

DRIFT = {"en": ["formal review", "A federal taskforce"], "fr": ["Un groupe de travail fédéral"]}
"""What the plain texts once said instead."""


def flat(reader: PdfReader) -> str:
    """The PDF's text on one line, with no-break spaces as spaces: a name may wrap."""
    text = " ".join(page.extract_text() for page in reader.pages)
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ").replace("\u202f", " "))


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_public_pdfs_keep_the_names_a_reader_searches_for(sample: Built, lang: str) -> None:
    text = flat(sample.reader(f"public.{lang}"))
    missing = [name for name in NAMES[lang] if name not in text]
    assert not missing, f"public.{lang} lacks {missing}"
    assert not [said for said in DRIFT[lang] if said in text]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_public_pdfs_lead_with_the_summary_and_key_facts(sample: Built, lang: str) -> None:
    text = flat(sample.reader(f"public.{lang}"))
    summary = {"en": "Human trafficking mostly affects", "fr": "La traite de personnes touche"}
    key_facts = {"en": "Key facts", "fr": "Faits saillants"}
    first_topic = {"en": "Who is affected", "fr": "Personnes touchées"}
    at = [text.index(s[lang]) for s in (summary, key_facts, first_topic)]
    assert at == sorted(at)
    chart = {"en": "Data for the chart", "fr": "Données du graphique"}[lang]
    if chart in text:  # the sample may have no chart: then nothing comes before one
        assert at[1] < text.index(chart) < at[2]


RATE = """
  - id: roadside-test-rate
    classification: unclassified
    source: src-test-survey
    topic: enforcement
    title:
      en: "Roadside screening tests per 100,000 population (invented)"
      fr: "Contrôles routiers de dépistage pour 100 000 habitants (inventé)"
    unit: per_100k
    points:
      - {period: 2020, value: 2.5}
      - {period: 2021, value: 5.1}
      - {period: 2022, value: 7.6}
      - {period: 2023, value: 31.2}
"""


def test_a_rate_restating_a_count_is_charted_once_for_the_public(tmp_path: Path) -> None:
    """Count and rate of the same numbers: partners get both, the public one chart,
    after the summary and key facts and before the topics."""
    root = write_project(tmp_path / "p", dossiers={"driving": FIXTURES / "impaired-driving"})
    content = root / "data" / "driving" / "content.yaml"
    text = content.read_text(encoding="utf-8")
    content.write_text(text.replace("\nmilestones:", RATE + "\nmilestones:", 1), encoding="utf-8")
    project = load_project(root)
    charted = {
        b.selection.audience_name: [s.id for s in b.selection.printed.series]
        for b in plan(project, ["driving"], ["partners", "public"], ["en"])
    }
    assert charted == {
        "partners": ["roadside-tests-by-year", "roadside-test-rate"],
        "public": ["roadside-tests-by-year"],
    }
    (pdf,) = build(project, audiences=["public"], langs=["en"]).built
    text = flat(PdfReader(pdf))
    assert "per 100,000" not in text
    at = [
        text.index(s)
        for s in ("Test fixture with invented", "Key facts", "Roadside screening tests by year")
    ]
    assert at == sorted(at) and at[-1] < text.index("Enforcement")


def test_sample_public_reading_levels_meet_their_targets(project_dir: Path) -> None:
    """A real measurement of the sample as `briefs check` reports it: English at
    most the grade set in briefs.yaml, French at least the ease."""
    result = CliRunner().invoke(main, ["-C", str(project_dir), "check"])
    assert result.exit_code == 0, result.output
    targets = yaml.safe_load((project_dir / "briefs.yaml").read_text())["audiences"]["public"]
    for lang, scale in (("en", "grade"), ("fr", "ease")):
        pattern = rf"^{SAMPLE}/public\.{lang}: reading {scale} (\S+) .*$"
        line = re.search(pattern, result.output, re.M)
        assert line is not None, result.output
        assert line[0].endswith(": meets target"), line[0]
        score = float(line[1])
        target = targets["reading_level"][lang]
        assert score <= target if lang == "en" else score >= target


def test_a_milestone_prints_its_plain_text_to_the_public_only(sample: Built) -> None:
    plain = "Canada launches the National Action Plan to Combat Human Trafficking"
    official = "National Action Plan to Combat Human Trafficking launched"
    public, partners = flat(sample.reader("public.en")), flat(sample.reader("partners.en"))
    assert plain in public and official not in public
    assert official in partners and plain not in partners
