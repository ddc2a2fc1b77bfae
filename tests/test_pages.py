"""Pages that look finished (issue #12 items 13 and 14), read from real PDFs.

The sample briefs, and a fixture dossier (tests/fixtures/trafficking-2018) whose
filler text is cut to several lengths, so that a caption, a short table and a
long table each land on a page break in one variant or another.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
import yaml
from pypdf import PdfReader

from briefs import build, load_project
from conftest import FIXTURES, REPO, Built, write_project

BRIEFS = [f"{a}.{lang}" for a in ("minister", "partners", "public") for lang in ("en", "fr")]
MM = 72 / 25.4
TOP, BOTTOM = 18 * MM, 16 * MM
"""brief.css's page margins: text outside them is the running marking and page number."""
VARIANTS = ["long-13", "long-15", "long-16", "long-17", "short-6", "short-8", "short-10"]
"""The fixture with its 16 figures in one table ("long") or two of 8 ("short"),
after so many filler items: with brief.css before issue #12, long-16 left the
caption at a page's foot and short-6 to short-10 split the 8-row table."""
SHORT = 10


def _kids(node: Any) -> list[Any]:
    kids = node.get("/K", [])
    kids = kids if isinstance(kids, list) else [kids]
    objects = [k.get_object() for k in kids if hasattr(k, "get_object")]
    return [k for k in objects if hasattr(k, "get") and k.get("/S") is not None]


def elements(reader: PdfReader) -> list[Any]:
    """Every structure element, in reading order."""
    found: list[Any] = []

    def walk(node: Any) -> None:
        for kid in _kids(node):
            found.append(kid)
            walk(kid)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return found


def below(element: Any, tag: str) -> list[Any]:
    """The elements of type ``tag`` under ``element``."""
    found = [k for k in _kids(element) if k["/S"] == tag]
    return found + [e for k in _kids(element) for e in below(k, tag)]


def tables(reader: PdfReader) -> list[list[Any]]:
    """Each table as its page fragments (WeasyPrint tags one Table per page):
    a fragment with a Caption starts a table, one without continues the last."""
    found: list[list[Any]] = []
    for element in elements(reader):
        if element["/S"] == "/Table":
            if below(element, "/Caption") or not found:
                found.append([element])
            else:
                found[-1].append(element)
    return found


def lowest_text(path: Path) -> list[float]:
    """Per page, how far down the body's lowest character reaches (0 top, 1 bottom)."""
    reaches = []
    for page in pdfium.PdfDocument(path):
        _, height = page.get_size()
        text = page.get_textpage()
        bottoms = [
            text.get_charbox(i)[1]
            for i in range(text.count_chars())
            if text.get_text_range(i, 1).strip() and BOTTOM < text.get_charbox(i)[1] < height - TOP
        ]
        reaches.append((height - min(bottoms, default=height)) / height)
    return reaches


def check_pages(path: Path) -> None:
    """No page but the last is more than half blank; no caption is left without
    its table or chart; a table of ten rows or fewer is on one page; a table
    that splits repeats its header row."""
    reaches = lowest_text(path)
    assert all(r > 0.5 for r in reaches[:-1]), (path.name, reaches)
    reader = PdfReader(path)
    for element in elements(reader):
        if element["/S"] == "/Table" and below(element, "/Caption"):
            assert below(element, "/TD"), f"{path.name}: a table caption without its rows"
        if element["/S"] == "/Div" and below(element, "/Caption"):
            assert below(element, "/Figure"), f"{path.name}: a chart caption without its chart"
    for fragments in tables(reader):
        rows = sum(len(below(f, "/TR")) - len(below(f, "/THead")) for f in fragments)
        if len(fragments) > 1:
            assert rows > SHORT, f"{path.name}: a table of {rows} rows split across pages"
        for fragment in fragments:
            (head,) = below(fragment, "/THead")
            assert below(head, "/TH"), f"{path.name}: a table page without its header row"


@pytest.mark.parametrize("name", BRIEFS)
def test_sample_pages_look_finished(sample: Built, name: str) -> None:
    check_pages(sample.paths[name])


@pytest.fixture(scope="module")
def variants(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The VARIANTS of the fixture dossier, for partners in English: one build."""
    config = yaml.safe_load((REPO / "briefs.yaml").read_text())
    partners = {**config["audiences"]["partners"], "languages": ["en"]}
    fixture = FIXTURES / "trafficking-2018"
    root = write_project(
        tmp_path_factory.mktemp("pages"),
        dossiers=dict.fromkeys(VARIANTS, fixture),
        audiences={"partners": partners},
    )
    for name in VARIANTS:
        kind, n = name.split("-")
        facts = root / "data" / name / "facts.yaml"
        data = yaml.safe_load(facts.read_text())
        first = data["facts"][0]
        data["facts"] = [{**first, "id": f"filler-{i}"} for i in range(int(n))]
        facts.write_text(yaml.dump(data, Dumper=_NoAliases, allow_unicode=True))
        if kind == "short":  # the rates become key figures: a table of 8 on page 1
            figures = root / "data" / name / "figures.yaml"
            text = figures.read_text()
            figures.write_text(re.sub(r"(  - id: rate-\d+\n)", r"\1    key: true\n", text))
    return {p.parent.name: p for p in build(load_project(root)).built}


class _NoAliases(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


@pytest.mark.parametrize("name", VARIANTS)
def test_breaks_keep_captions_and_short_tables_whole(variants: dict[str, Path], name: str) -> None:
    check_pages(variants[name])


def test_a_long_table_repeats_its_header_on_the_next_page(variants: dict[str, Path]) -> None:
    """Issue #12 item 14: the header row is drawn again at the top of the next page."""
    path = variants["long-13"]
    (table, *_) = tables(PdfReader(path))
    assert len(table) == 2, "the fixture's 16-row table should run onto a second page"
    for page in PdfReader(path).pages[:2]:
        text = page.extract_text()
        assert text.index("Figure Value Period Source") < text.index("Canada, 20")


CONTINUATIONS = re.compile(r"^(Telephone|Téléphone|Email|Courriel)\s?:", re.M)
"""Lines of a contact that follow its name: never the first text of a page."""


@pytest.mark.parametrize("name", BRIEFS)
def test_a_contact_or_source_entry_is_not_split(sample: Built, name: str) -> None:
    """A contact's telephone and email stay with its name, a source's URL with
    its title (partners.en split its last contact before these rules)."""
    for number, text in enumerate(sample.pages(name)[1:], start=2):
        lines = [line for line in text.splitlines() if line.strip()]
        body = [line for line in lines if not re.fullmatch(r"(PROT\S+ [ABC].*|Page .*)", line)]
        first = body[0] if body else ""
        assert not CONTINUATIONS.match(first), (name, number, first)
        assert not first.startswith("http"), (name, number, first)
