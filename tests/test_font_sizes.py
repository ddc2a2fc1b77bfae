"""No text under 8 pt anywhere, nor under 10 pt in the body, read from the PDFs.

Sizes come from the PDF's text objects (pypdfium2), not from the stylesheet:
whatever the CSS says, this is what a reader gets. Body text is every
paragraph and list item of the brief's HTML outside tables, figures and the
small print (metadata, sources, signatures), found in the PDF by its text.
"""

from __future__ import annotations

from pathlib import Path
from xml.etree.ElementTree import Element

import pytest
import tinyhtml5

from briefs import build, load_project
from conftest import Built, copy_templates, write_project
from pdftext import find_all, page_chars, squeeze, too_small

SMALL_PRINT = {"meta", "sources", "signatures", "program-meta", "source-line", "masthead"}
"""Classes of the parts held to 8 pt, not 10: metadata and references."""
NOT_BODY = {"table", "figure", "header"}
BRIEFS = [f"{a}.{lang}" for a in ("minister", "partners", "public") for lang in ("en", "fr")]


def body_texts(html: Path) -> list[str]:
    """The opening words of every body paragraph and list item."""
    root = tinyhtml5.parse(html.read_text(encoding="utf-8"), namespace_html_elements=False)
    parents = {child: parent for parent in root.iter() for child in parent}
    texts = []
    for element in root.iter():
        if element.tag not in ("p", "li") or _in_small_print(element, parents):
            continue
        text = "".join(_text(element))
        if squeeze(text):
            texts.append(squeeze(text)[:60])
    return texts


def _in_small_print(element: Element, parents: dict[Element, Element]) -> bool:
    node: Element | None = element
    while node is not None:
        if node.tag in NOT_BODY or SMALL_PRINT & set(node.get("class", "").split()):
            return True
        node = parents.get(node)
    return False


def _text(element: Element) -> list[str]:
    """An element's text, reference markers left out."""
    parts = [element.text or ""]
    for child in element:
        if child.tag != "sup":
            parts += _text(child)
        parts.append(child.tail or "")
    return parts


def size_problems(pdf: Path, html: Path) -> list[str]:
    pages = page_chars(pdf)
    problems = [
        f"page {n}: {''.join(c.text for c in small)[:60]!r} at "
        f"{sorted({c.size for c in small})} pt, under 8 pt"
        for n, chars in enumerate(pages, 1)
        if (small := too_small(chars))
    ]
    for text in body_texts(html):
        # The same words may also print in a table; the body's own are the largest.
        hits = [found for chars in pages for found in find_all(chars, text)]
        if not hits:
            problems.append(f"body text {text!r} not found in the PDF")
        elif (least := max(min(c.size for c in hit) for hit in hits)) < 9.99:
            problems.append(f"body text {text!r} at {least} pt, under 10 pt")
    return problems


@pytest.mark.parametrize("name", BRIEFS)
def test_no_text_under_8_pt_nor_body_under_10_pt(sample: Built, name: str) -> None:
    pdf = sample.paths[name]
    assert len(body_texts(pdf.with_suffix(".html"))) > 5
    assert size_problems(pdf, pdf.with_suffix(".html")) == []


def test_the_check_sees_a_shrunk_stylesheet(tmp_path: Path) -> None:
    """The stylesheet as it was before: a 9.4 pt minister note, 7.8 pt sources."""
    templates = copy_templates(tmp_path)
    with (templates / "assets" / "brief.css").open("a") as css:
        css.write("body.minister { font-size: 9.4pt; }\n.sources { font-size: 7.8pt; }\n")
    root = write_project(tmp_path / "project", templates=templates)
    report = build(load_project(root), audiences=["minister"], langs=["fr"], html=True)
    (pdf,) = report.built
    problems = size_problems(pdf, pdf.with_suffix(".html"))
    assert any("under 8 pt" in p for p in problems), problems
    assert any("under 10 pt" in p for p in problems), problems
