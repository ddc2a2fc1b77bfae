"""The PDF's tags (issue #12 items 14, 15 and 16), read from real PDFs: header
cells carry /Scope, page margins are artifacts, a chart's caption is grouped
with its figure. And the WeasyPrint internals briefs/render/tagging.py wraps."""

from __future__ import annotations

import ctypes
import inspect
import re
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
import yaml
from pypdf import PdfReader
from pypdf.generic import ContentStream
from test_pages import below, elements

from briefs import build, load_project
from conftest import FIXTURES, REPO, Built, write_project

BRIEFS = [f"{a}.{lang}" for a in ("minister", "partners", "public") for lang in ("en", "fr")]
MARGINS = re.compile(r"PROTECTED|PROTÉGÉ|Page \d+ (of|de) \d+|DRAFT|ÉBAUCHE")
DRAFTS = ("minister", "public")
"""Audiences whose sample briefs are drafts (approval: required): one more margin box."""


def test_weasyprint_is_the_release_the_wrappers_are_written_for() -> None:
    """If WeasyPrint changes underneath, this fails before the PDFs go wrong."""
    import weasyprint
    from weasyprint import document
    from weasyprint.pdf import stream, tags

    from briefs.render.tagging import WEASYPRINT, tag_pdf

    tag_pdf()
    assert weasyprint.__version__.startswith(WEASYPRINT)
    wrapped = {
        tags._build_box_tree: "box, parent, pdf, page_number, nums, annotations, tags",
        document.draw_page: "page, stream",
        stream.Stream.marked: "self, box, tag",
    }
    for function, parameters in wrapped.items():
        assert getattr(function, "briefs", False), function
        assert str(inspect.signature(function)) == f"({parameters})"
    source = inspect.getsource(tags._build_box_tree.__wrapped__)
    assert "isinstance(box, boxes.MarginBox)" in source and "'A'" in source
    assert "tags.pop(child)" in source and "elif tag in ('TH', 'TD'):" in source


def test_another_weasyprint_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    import weasyprint

    from briefs.render.tagging import tag_pdf

    monkeypatch.setattr(weasyprint, "__version__", "71.0")
    with pytest.raises(RuntimeError, match=r"71\.0"):
        tag_pdf()


def _text_objects(path: Path) -> list[tuple[int, str, list[str], int]]:
    """Every text object: page, text, the names of its marked-content marks, its MCID."""
    found = []
    for number, page in enumerate(pdfium.PdfDocument(path)):
        textpage = page.get_textpage()
        for obj in page.get_objects(max_depth=8):
            if obj.type != pdfium_c.FPDF_PAGEOBJ_TEXT:
                continue
            size = pdfium_c.FPDFTextObj_GetText(obj.raw, textpage.raw, None, 0)
            buffer = ctypes.create_string_buffer(size)
            pointer = ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort))
            pdfium_c.FPDFTextObj_GetText(obj.raw, textpage.raw, pointer, size)
            text = buffer.raw.decode("utf-16-le").rstrip("\x00")
            marks = []
            for i in range(pdfium_c.FPDFPageObj_CountMarks(obj.raw)):
                mark = pdfium_c.FPDFPageObj_GetMark(obj.raw, i)
                length = ctypes.c_ulong()
                pdfium_c.FPDFPageObjMark_GetName(mark, None, 0, ctypes.byref(length))
                name = ctypes.create_string_buffer(length.value)
                pointer = ctypes.cast(name, ctypes.POINTER(ctypes.c_ushort))
                pdfium_c.FPDFPageObjMark_GetName(mark, pointer, length.value, ctypes.byref(length))
                marks.append(name.raw.decode("utf-16-le").rstrip("\x00"))
            mcid = pdfium_c.FPDFPageObj_GetMarkedContentID(obj.raw)
            found.append((number, text, marks, mcid))
    return found


def _tree_mcids(reader: PdfReader) -> set[tuple[int, int]]:
    """(page, MCID) of the marked content that the structure tree reaches."""
    pages = {page.indirect_reference.idnum: n for n, page in enumerate(reader.pages)}
    found = set()
    for element in elements(reader):
        kids = element.get("/K", [])
        for kid in kids if isinstance(kids, list) else [kids]:
            if isinstance(kid, int):
                found.add((pages[element.raw_get("/Pg").idnum], int(kid)))
    return found


@pytest.mark.parametrize("name", BRIEFS)
def test_markings_and_page_numbers_are_artifacts(sample: Built, name: str) -> None:
    """Issue #12 item 15: shown on every page, never read as content."""
    objects = _text_objects(sample.paths[name])
    margins = [o for o in objects if MARGINS.match(o[1].strip()) and o[3] == -1]
    pages = len(sample.reader(name).pages)
    marked = name.startswith(("minister", "partners"))
    draft = name.startswith(DRAFTS)
    per_page = (3 if marked else 1) + draft
    assert len(margins) == per_page * pages, [o for o in objects if MARGINS.match(o[1])]
    assert all(o[2] == ["Artifact"] for o in margins), margins
    reached = _tree_mcids(sample.reader(name))
    read = " ".join(text for page, text, _, mcid in objects if (page, mcid) in reached)
    assert not re.search(r"Page \d+ (of|de) \d+", read)
    assert read.count("PROTECTED") <= 1  # the "Security" line of the minister note
    assert "DRAFT" not in read and "ÉBAUCHE" not in read  # issue #13: the draft mark
    assert all((page, mcid) in reached for page, _, _, mcid in objects if mcid != -1)
    for page in sample.reader(name).pages:
        operations = ContentStream(page.get_contents(), sample.reader(name)).operations
        artifacts = [o for o, op in operations if op == b"BDC" and o[0] == "/Artifact"]
        subtypes = sorted(str(o[1]["/Subtype"]) for o in artifacts if "/Type" in o[1])
        assert all(o[1]["/Type"] == "/Pagination" for o in artifacts)
        expected = ["/Footer"] * (2 if marked else 1) + ["/Header"] * (marked + draft)
        assert subtypes == expected


@pytest.mark.parametrize("name", ["minister.en", "minister.fr", "partners.en", "partners.fr"])
def test_header_cells_carry_their_scope(sample: Built, name: str) -> None:
    """Issue #12 item 14: every TH says what it heads (pdfua's UA-15-003); the
    figures tables have both column and row headers."""
    headers = [e for e in elements(sample.reader(name)) if e["/S"] == "/TH"]
    scopes = {str(h["/A"]["/Scope"]) for h in headers}
    assert all(h["/A"]["/O"] == "/Table" for h in headers)
    assert scopes == {"/Column", "/Row"}, scopes


def test_every_header_cell_in_the_templates_has_a_scope() -> None:
    for template in (REPO / "templates").glob("*.j2"):
        for cell in re.findall(r"<th\b[^>]*>", template.read_text()):
            assert re.search(r'scope="(col|row)"', cell), (template.name, cell)


@pytest.fixture(scope="module")
def charted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The trafficking-2018 fixture (a Statistics Canada series) for partners."""
    config = yaml.safe_load((REPO / "briefs.yaml").read_text())
    root = write_project(
        tmp_path_factory.mktemp("charted"),
        dossiers={"trafficking-2018": FIXTURES / "trafficking-2018"},
        audiences={"partners": config["audiences"]["partners"]},
    )
    return {p.stem: p for p in build(load_project(root)).built}


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_chart_caption_is_grouped_with_its_figure(charted: dict[str, Path], lang: str) -> None:
    """Issue #12 item 16: a Div holds the Caption, then the Figure with its /Alt
    (readers stop at a figure's /Alt, so the caption is beside it, not inside)."""
    reader = PdfReader(charted[f"partners.{lang}"])
    groups = [e for e in elements(reader) if e["/S"] == "/Div" and below(e, "/Figure")]
    assert len(groups) == 1, groups
    (group,) = groups
    kids = [str(k.get_object()["/S"]) for k in group["/K"]]
    assert kids[0] == "/Caption" and "/Table" in kids, kids
    (figure,) = below(group, "/Figure")
    title = "incidents, Canada, 2009" if lang == "en" else "police, Canada, 2009"
    assert title in str(figure["/Alt"]) and "340" in str(figure["/Alt"])
    assert not below(below(group, "/Caption")[0], "/Figure")
