"""The minister note: addressed to the dossier's minister, a decision block when
a decision is asked, and a timeline whose texts keep to their column.

Read from the PDFs: text with pypdf, character boxes with pypdfium2.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from briefs import build, load_project
from conftest import FIXTURES, Built, write_project
from pdftext import Char, find, page_chars

DRIVING = "impaired-driving"
LONG_DATE = (
    "  - id: ms-test-long-date\n    classification: unclassified\n"
    "    source: src-test-report\n    date: 2019-09-19\n    text:\n"
    "      en: >-\n        Test event with a long date and a text long enough to wrap onto a\n"
    "        second line of the timeline, which must stay in the text column (invented)\n"
    "      fr: >-\n        Événement d’essai à la date longue, dont le texte est assez long pour\n"
    "        passer à une deuxième ligne, qui doit rester dans sa colonne (inventé)\n"
)
DECISION = {
    "en": ("I agree", "I do not agree"),
    "fr": ("J’approuve", "Je n’approuve pas"),
}


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ").replace("\u202f", " "))


def text_of(pdf: Path) -> str:
    return flat(" ".join(page.extract_text() for page in PdfReader(pdf).pages))


@pytest.fixture(scope="module")
def driving(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The second dossier's minister note, made a decision note, with a long date."""
    root = write_project(tmp_path_factory.mktemp("driving"), dossiers={DRIVING: FIXTURES / DRIVING})
    dossier = root / "data" / DRIVING / "dossier.yaml"
    dossier.write_text(dossier.read_text().replace("action: information", "action: decision"))
    content = root / "data" / DRIVING / "content.yaml"
    content.write_text(content.read_text().replace("milestones:\n", "milestones:\n" + LONG_DATE))
    report = build(load_project(root), audiences=["minister"], html=True)
    return {p.stem: p for p in report.built}


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_decision_note_ends_with_a_decision_block(sample: Built, lang: str) -> None:
    text = text_of(sample.paths[f"minister.{lang}"])
    agree, disagree = DECISION[lang]
    title = {
        "en": "Minister of Justice and Attorney General of Canada",
        "fr": "Ministre de la Justice et procureure générale du Canada",
    }[lang]
    recommendation = {"en": "Recommendation", "fr": "Recommandation"}[lang]
    prepared = {"en": "PREPARED BY", "fr": "PRÉPARÉ PAR"}[lang]
    block = f"{agree} {disagree} {title} Date {prepared}"
    assert block in text
    assert text.index(recommendation) < text.index(block)


def test_information_note_has_none(tmp_path: Path) -> None:
    root = write_project(tmp_path / "project", dossiers={DRIVING: FIXTURES / DRIVING})
    report = build(load_project(root), audiences=["minister"])
    for pdf in report.built:
        text = text_of(pdf)
        assert "FOR INFORMATION" in text or "POUR INFORMATION" in text
        assert not any(label in text for pair in DECISION.values() for label in pair)
        assert "Decision" not in text and "Décision" not in text


def test_the_addressee_comes_from_the_dossier(sample: Built, driving: dict[str, Path]) -> None:
    assert "Briefing note for the Minister of Justice and Attorney General of Canada" in (
        text_of(sample.paths["minister.en"])
    )
    feminine = text_of(sample.paths["minister.fr"])
    assert (
        "Note d’information à l’intention de la ministre de la Justice et "
        "procureure générale du Canada" in feminine
    )
    assert "du ministre" not in feminine
    masculine = text_of(driving["minister.fr"])
    assert (
        "Note d’information à l’intention du ministre de la Justice et "
        "procureur général du Canada (essai)" in masculine
    )
    # The name, when the dossier gives one, is signed above the title.
    assert (
        "Je n’approuve pas Test Minister (test) Ministre de la Justice et procureur "
        "général du Canada (essai) Date" in masculine
    )
    assert PdfReader(driving["minister.fr"]).metadata.title.endswith(
        "à l’intention du ministre de la Justice et procureur général du Canada (essai)"
    )


def timeline_rows(html: Path) -> list[tuple[str, str]]:
    """(date, text) of each timeline row, from the brief's HTML."""
    table = html.read_text(encoding="utf-8").split('class="timeline"')[1]
    rows = re.findall(r'class="when">(.*?)</(?:th|span)>(.*?)</(?:td|li)>', table)
    assert rows
    return [(date, re.sub(r"<[^>]+>", "", text)) for date, text in rows]


def timeline_placed(pdf: Path) -> list[tuple[list[Char], list[Char]]]:
    """The characters of each timeline row: its date's, then its text's."""
    placed = []
    for date, text in timeline_rows(pdf.with_suffix(".html")):
        found = [chars for page in page_chars(pdf) if (chars := find(page, date + text))]
        assert found, f"timeline row {date!r} not found in {pdf.name}"
        cut = len("".join(date.split()))
        placed.append((found[0][:cut], found[0][cut:]))
    return placed


def timeline_overlaps(pdf: Path) -> list[str]:
    """Each timeline text character left of its text column: under its date
    (less than 2 pt, 0.7 mm, clear of it), or left of where its first line starts."""
    problems = []
    for dates, texts in timeline_placed(pdf):
        # 1.5 pt for the side bearings of the letters that start a line
        column = max(max(c.right for c in dates) + 2, texts[0].left - 1.5)
        problems += [
            f"{''.join(c.text for c in texts)[:40]!r}: {c.text!r} at {c.left:.1f} < {column:.1f}"
            for c in texts
            if c.left < column
        ]
    return problems


@pytest.mark.parametrize("name", ["minister.fr", "minister.en", "partners.en", "public.fr"])
def test_timeline_text_keeps_to_its_column(sample: Built, name: str) -> None:
    assert timeline_overlaps(sample.paths[name]) == []
    # One column for every row: no sample date is wider than it.
    starts = [texts[0].left for _, texts in timeline_placed(sample.paths[name])]
    assert max(starts) - min(starts) < 1.5, starts


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_long_date_does_not_collide(driving: dict[str, Path], lang: str) -> None:
    pdf = driving[f"minister.{lang}"]
    long_date = {"en": "September 19, 2019", "fr": "19 septembre 2019"}[lang]
    assert long_date in text_of(pdf)
    assert timeline_overlaps(pdf) == []
