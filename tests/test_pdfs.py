"""The six sample briefs, inspected as real PDFs with pypdf."""

from __future__ import annotations

import re
import subprocess
import sys
import unicodedata
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from briefs import load_project
from briefs.source.model import Classification
from conftest import SAMPLE, Built, load_one, write_project

BRIEFS = [f"{a}.{lang}" for a in ("minister", "partners", "public") for lang in ("en", "fr")]
BUDGETS = {"minister": 2, "partners": 8, "public": 6}


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text))


def test_all_six_exist_within_budget(sample: Built) -> None:
    assert sorted(sample.paths) == sorted(BRIEFS)
    for name in BRIEFS:
        pages = len(sample.reader(name).pages)
        assert 1 <= pages <= BUDGETS[name.split(".")[0]], (name, pages)
        assert sample.paths[name].parent.name == SAMPLE


@pytest.mark.parametrize("name", BRIEFS)
def test_tagged_pdf_ua(sample: Built, name: str) -> None:
    reader = sample.reader(name)
    root = reader.trailer["/Root"]
    assert str(root["/Lang"]).startswith(name.split(".")[1])
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"]
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]
    xmp = reader.xmp_metadata
    assert xmp is not None and b"pdfuaid" in xmp.stream.get_data()
    meta = reader.metadata
    assert meta is not None
    title = "Combatting Human Trafficking" if name.endswith("en") else "Lutte contre la traite"
    assert meta.title and meta.title.startswith(title)
    assert meta.author in ("Department of Justice Canada", "Ministère de la Justice Canada")
    # Dates come from the data (as_of 2017-02-09), never from the clock.
    assert str(meta["/CreationDate"]).startswith("D:20170209")
    assert str(meta["/ModDate"]).startswith("D:20170209")


@pytest.mark.parametrize(
    ("name", "marking"),
    [
        ("minister.en", "PROTECTED B / PROTÉGÉ B"),
        ("minister.fr", "PROTÉGÉ B / PROTECTED B"),
        ("partners.en", "PROTECTED A / PROTÉGÉ A"),
        ("partners.fr", "PROTÉGÉ A / PROTECTED A"),
    ],
)
def test_marking_top_and_bottom_of_every_page(sample: Built, name: str, marking: str) -> None:
    for number, text in enumerate(sample.pages(name), 1):
        assert flat(text).count(marking) >= 2, f"{name} page {number}"


@pytest.mark.parametrize(
    ("name", "wrong_order"),
    [
        ("minister.en", "PROTÉGÉ B / PROTECTED B"),
        ("minister.fr", "PROTECTED B / PROTÉGÉ B"),
        ("partners.en", "PROTÉGÉ A / PROTECTED A"),
        ("partners.fr", "PROTECTED A / PROTÉGÉ A"),
    ],
)
def test_marking_puts_the_briefs_language_first(sample: Built, name: str, wrong_order: str) -> None:
    """Issue #12 item 9: « PROTÉGÉ B / PROTECTED B » in French, the other way in English."""
    assert wrong_order not in flat(sample.text(name))


@pytest.mark.parametrize("name", ["public.en", "public.fr"])
def test_public_has_no_marking(sample: Built, name: str) -> None:
    text = sample.text(name).upper()
    for word in ("PROTECTED", "PROTÉGÉ", "UNCLASSIFIED", "NON CLASSIFIÉ"):
        assert word not in text


@pytest.mark.parametrize("name", BRIEFS)
def test_page_x_of_y_on_every_page(sample: Built, name: str) -> None:
    pages = sample.pages(name)
    word = "of" if name.endswith("en") else "de"
    for number, text in enumerate(pages, 1):
        assert f"Page {number} {word} {len(pages)}" in flat(text)


KEY = {
    "en": ["$4 million", "$16.17 million", "Temporary Residence Permits", "FINTRAC"],
    "fr": [
        "4 millions de dollars",
        "16,17 millions de dollars",
        "permis de séjour temporaire",
        "CANAFE",
    ],
}


@pytest.mark.parametrize("name", BRIEFS)
def test_key_figures_present(sample: Built, name: str) -> None:
    text = flat(sample.text(name))
    # The sample keeps its operational key figures (FINTRAC, Northern Spotlight) from the
    # two-page minister note with audiences: [partners, public].
    wanted = KEY[name.split(".")[1]][: 3 if name.startswith("minister") else None]
    for expected in wanted:
        assert expected.casefold() in text.casefold(), (name, expected)


def test_partners_carry_figures_beyond_minister(sample: Built) -> None:
    text = flat(sample.text("partners.en"))
    for expected in ("334", "53", "$100 million", "$8 million", "400"):
        assert expected in text


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_public_contains_no_internal_item(sample: Built, lang: str) -> None:
    """Canary: nothing above Unclassified reaches the public, in either language."""
    text = flat(sample.text(f"public.{lang}")).casefold()
    loaded = load_one(load_project(sample.root))
    internal = [
        i for i in loaded.dossier.items() if i.classification is not Classification.unclassified
    ]
    assert len(internal) >= 5
    public = " ".join(
        flat(t)
        for i in loaded.dossier.items()
        if i not in internal
        for _, v in i
        if hasattr(v, "en")
        for t in (v.en, v.fr)
    ).casefold()
    checked = 0
    for item in internal:
        for _, value in item:
            if hasattr(value, "en"):
                for words in (value.en.split()[:6], value.fr.split()[:6]):
                    phrase = " ".join(words).casefold()
                    if phrase not in public:
                        checked += 1
                        assert phrase not in text, item.id
    assert checked >= 10
    assert "sample —" not in text and "exemple —" not in text


def test_french_is_french(sample: Built) -> None:
    for audience in ("minister", "partners", "public"):
        fr = flat(sample.text(f"{audience}.fr"))
        en = flat(sample.text(f"{audience}.en"))
        assert "9 février 2017" in fr and "February" not in fr
        assert "February 9, 2017" in en
        assert "16,17 millions de dollars" in fr and "$16.17" not in fr
        assert " Summary" not in fr and "Sources" in fr
    assert "Résumé" in flat(sample.text("minister.fr"))
    assert "Recommandation" in flat(sample.text("minister.fr"))


def test_minister_note_structure(sample: Built) -> None:
    text = flat(sample.text("minister.en"))
    headings = [
        "Summary",
        "Issue",
        "Background",
        "Current status",
        "Considerations",
        "Next steps",
        "Recommendation",
        "PREPARED BY",
        "APPROVAL",  # issue #13: the ledger's approval, "Awaiting approval" in a draft
    ]
    positions = [text.find(h) for h in headings]
    assert -1 not in positions and positions == sorted(positions), positions
    assert "JUS-2017-SAMPLE-0001" in text
    assert "FOR DECISION" in text.upper()


def _struct(node: Any, found: list[dict[str, Any]]) -> None:
    node = node.get_object() if hasattr(node, "get_object") else node
    if isinstance(node, list):
        for child in node:
            _struct(child, found)
    elif hasattr(node, "get"):
        if node.get("/S") is not None:
            found.append(node)
        if "/K" in node:
            _struct(node["/K"], found)


@pytest.mark.parametrize(
    ("lang", "line", "other", "not_there"),
    [
        ("en", "Également offert en français", "fr-CA", "Also available in English"),
        ("fr", "Also available in English", "en-CA", "Également offert en français"),
    ],
)
def test_public_carries_the_official_languages_line(
    sample: Built, lang: str, line: str, other: str, not_there: str
) -> None:
    """Issue #12 item 11: the line is on the first page, in the other language, tagged so."""
    name = f"public.{lang}"
    assert line in flat(sample.pages(name)[0])
    assert not_there not in flat(sample.text(name))
    elements: list[dict[str, Any]] = []
    _struct(sample.reader(name).trailer["/Root"]["/StructTreeRoot"], elements)
    tagged = [(str(e["/S"]), str(e["/Lang"])) for e in elements if "/Lang" in e]
    assert tagged == [("/P", other)], tagged
    for brief in ("minister", "partners"):
        assert line not in flat(sample.text(f"{brief}.{lang}"))


HEADINGS = ("/H1", "/H2", "/H3")


def _empty_headings(reader: Any) -> list[tuple[str, str]]:
    """Top-level structure elements: a heading followed by a heading of the same or a
    higher level is a section with nothing in it."""
    document = reader.trailer["/Root"]["/StructTreeRoot"]["/K"]
    document = document.get_object() if hasattr(document, "get_object") else document
    if isinstance(document, list):
        (document,) = [d.get_object() for d in document]
    kids = [k.get_object() for k in document["/K"] if hasattr(k, "get_object")]
    tags = [str(k.get("/S")) for k in kids]
    return [
        (this, following)
        for this, following in pairwise(tags)
        if this in HEADINGS and following in HEADINGS and following <= this
    ]


@pytest.mark.parametrize("name", BRIEFS)
def test_no_heading_without_content(sample: Built, name: str) -> None:
    assert _empty_headings(sample.reader(name)) == []


def test_empty_sections_print_no_heading(tmp_path: Path) -> None:
    """Issue #12 item 4: a note without status or considerations has no such headings."""
    import yaml

    from briefs import build

    root = write_project(tmp_path / "project")
    analysis = root / "data" / SAMPLE / "analysis.yaml"
    data = yaml.safe_load(analysis.read_text())
    data["analysis"] = [
        a for a in data["analysis"] if a["part"] not in ("status", "considerations")
    ]
    analysis.write_text(yaml.safe_dump(data, allow_unicode=True))
    built = {p.stem: p for p in build(load_project(root), audiences=["minister"]).built}
    for lang, gone, kept in [
        ("en", ("Current status", "Considerations"), ("Key figures", "Next steps")),
        ("fr", ("Situation actuelle", "Considérations"), ("Chiffres clés", "Prochaines étapes")),
    ]:
        reader = PdfReader(built[f"minister.{lang}"])
        text = flat("\n".join(page.extract_text() for page in reader.pages))
        assert not [h for h in gone if h in text], lang
        assert all(h in text for h in kept), lang
        assert _empty_headings(reader) == []


@pytest.mark.parametrize("name", ["partners.en", "public.fr"])
def test_chart_is_a_figure_with_alt_text_and_numbers(charted: Built, name: str) -> None:
    elements: list[dict[str, Any]] = []
    _struct(charted.reader(name).trailer["/Root"]["/StructTreeRoot"], elements)
    alts = [str(e["/Alt"]) for e in elements if e.get("/S") == "/Figure" and "/Alt" in e]
    assert any("2016" in alt and "340" in alt for alt in alts), alts
    tags = {str(e["/S"]) for e in elements}
    assert {"/H1", "/H2", "/Table", "/TH", "/TD", "/L", "/LI", "/P"} <= tags
    html = charted.paths[name].with_suffix(".html").read_text()
    assert "<title>" in html.split("<svg", 1)[1]


def test_every_figure_shows_its_source(sample: Built, charted: Built) -> None:
    """Numbered briefs mark every table row and chart with [n], numbered 1 to the
    length of the source list; light ones print a "Source:" line instead."""
    built = [(b, name) for b in (sample, charted) for name in b.paths]
    for brief, name in built:
        html = brief.paths[name].with_suffix(".html").read_text()
        tables = re.findall(
            r'<table class="figures[^"]*">.*?</table>\s*(?:<p class="source-line">)?', html, re.S
        )
        figures = re.findall(r"<figure.*?</figure>", html, re.S)
        if name.startswith("partners"):
            cited = {int(n) for n in re.findall(r'<sup class="cite">\[(\d+)\]</sup>', html)}
            listed = html.split('<ol class="sources">')[1].split("</ol>")[0].count("<li>")
            assert cited == set(range(1, listed + 1)), name
            for table in tables:
                for row in re.findall(r"<tbody>(.*?)</tbody>", table, re.S)[0].split("</tr>")[:-1]:
                    assert 'class="cite"' in row, (name, row)
            assert all('class="cite"' in figure for figure in figures), name
        else:
            assert 'class="cite"' not in html and '<ul class="sources">' in html, name
            assert all(table.endswith('<p class="source-line">') for table in tables), name
        assert all('class="source-line"' in figure for figure in figures), name


def test_only_shipped_fonts_are_embedded(sample: Built) -> None:
    for name in BRIEFS:
        reader = sample.reader(name)
        fonts = set()
        for page in reader.pages:
            for font in page["/Resources"]["/Font"].values():
                fonts.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
        assert fonts <= {
            "Lato-Bold",
            "Lato-Regular",
            "Noto-Sans",
            "Noto-Sans-Bold",
            "Noto-Sans-Italic",
        }, fonts


def test_same_inputs_same_bytes(sample: Built, tmp_path: Path) -> None:
    """A fresh process on a fresh copy of the inputs writes identical PDFs."""
    other = write_project(tmp_path / "again")
    subprocess.run(
        [sys.executable, "-m", "briefs", "-C", str(other), "build"], check=True, capture_output=True
    )
    for name, path in sample.paths.items():
        again = other / "output" / SAMPLE / path.name
        assert again.read_bytes() == path.read_bytes(), name
