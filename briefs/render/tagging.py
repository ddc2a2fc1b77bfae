"""The PDF's tags, where WeasyPrint 70 falls short of PDF/UA-1.

WeasyPrint builds the structure tree with a private function, and draws marked
content with a private method. This wraps both, once per process:

- ``/Lang`` on the element of a passage in the other official language
  (``<p lang="fr-CA">`` in an English brief), so a screen reader switches voice;
- ``/Scope`` (``/Column`` or ``/Row``, from ``<th scope>``) on every header cell,
  which WeasyPrint leaves out (the ``pdfua`` checker's UA-15-003 warning);
- a ``<figure>`` becomes a ``Div`` that groups its ``Caption`` and its chart's
  ``Figure`` (WeasyPrint makes it ``NonStruct``): the caption is read with the
  chart, not inside it, since readers stop at a figure's ``/Alt``;
- a link with a ``title`` attribute gets that title as its annotation's
  ``/Contents``, its alternative text: WeasyPrint 70 tags links (a ``Link``
  element holding an ``OBJR``, the annotation's ``/StructParent``) but gives the
  bare URL, which a screen reader spells out;
- the page margins (running markings, "Page 1 of 2") are drawn as
  ``/Artifact <</Type /Pagination /Subtype /Header>>`` marked content with no
  structure element, so a screen reader does not read them mid-text. WeasyPrint
  tags them as content under an element that is out of the tree.

Private functions change between releases: the wrappers are written for
WeasyPrint 70 (which pyproject pins), refuse any other, and the tests check the
private signatures they rely on (tests/test_tagging.py); each wrapper keeps
the original as ``__wrapped__``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any

WEASYPRINT = "70."
"""The WeasyPrint release these wrappers are written for."""

_DOCUMENT = ("html", "body")
_PAGINATION: ContextVar[dict[Any, str | None]] = ContextVar("briefs_pagination")
"""The boxes of the page being drawn that sit in its margins, with their subtype."""


def tag_pdf() -> None:
    """Install the wrappers (idempotent). Needs ``weasyprint`` importable."""
    import weasyprint
    from weasyprint import document
    from weasyprint.pdf import stream, tags

    if not weasyprint.__version__.startswith(WEASYPRINT):
        raise RuntimeError(
            f"briefs tags PDFs for WeasyPrint {WEASYPRINT}x, not {weasyprint.__version__}"
        )
    if not getattr(tags._build_box_tree, "briefs", False):
        tags._build_box_tree = _structure(tags._build_box_tree)
    if not getattr(document.draw_page, "briefs", False):
        document.draw_page = _margins(document.draw_page)
    if not getattr(stream.Stream.marked, "briefs", False):
        stream.Stream.marked = _pagination(stream.Stream.marked)


def _structure(build: Any) -> Any:
    """WeasyPrint's tree builder, plus /Lang, /Scope, figure groups, link alt
    text, no margin boxes."""
    import pydyf
    from weasyprint.css import AnonymousStyle
    from weasyprint.formatting_structure.boxes import MarginBox

    @wraps(build)
    def build_tagged(box: Any, *args: Any) -> Iterator[Any]:
        if isinstance(box, MarginBox):
            return  # drawn as artifacts: no element, and no marked content to map
        element: Any = getattr(box, "element", None)
        tag: str | None = box.element_tag if element is not None else None
        lang = element.get("lang") if tag and tag not in _DOCUMENT else None
        title = element.get("title") if element is not None else None
        if title and getattr(box, "link_annotation", None) is not None:
            for part in [box, *box.descendants()]:  # one annotation per line of the link
                if getattr(part, "link_annotation", None) is not None:
                    part.link_annotation["Contents"] = pydyf.String(title)
        for struct in build(box, *args):  # one, or an LI around the element
            if lang and "Lang" not in struct:
                struct["Lang"] = pydyf.String(lang)
            if tag == "th" and struct["S"] == "/TH":
                row = element.get("scope") in ("row", "rowgroup")
                struct["A"]["Scope"] = "/Row" if row else "/Column"
            elif tag == "figure" and not isinstance(box.style, AnonymousStyle):
                struct["S"] = "/Div"
            yield struct

    build_tagged.briefs = True  # type: ignore[attr-defined]
    return build_tagged


def _margins(draw_page: Any) -> Any:
    """WeasyPrint's page drawing, knowing which boxes are in the page's margins."""
    from weasyprint.formatting_structure.boxes import MarginBox

    @wraps(draw_page)
    def draw(page: Any, stream: Any) -> None:
        marginal: dict[Any, str | None] = {}
        for child in page.children:
            if isinstance(child, MarginBox):
                side = child.at_keyword.split("-")[0]
                kind = {"@top": "/Header", "@bottom": "/Footer"}.get(side)
                marginal.update(dict.fromkeys(child.descendants(), kind))
        token = _PAGINATION.set(marginal)
        try:
            draw_page(page, stream)
        finally:
            _PAGINATION.reset(token)

    draw.briefs = True  # type: ignore[attr-defined]
    return draw


def _pagination(marked: Any) -> Any:
    """WeasyPrint's marked content, as a pagination artifact for a margin box."""
    import pydyf

    @contextmanager
    @wraps(marked)
    def marked_or_artifact(self: Any, box: Any, tag: str) -> Iterator[None]:
        marginal = _PAGINATION.get({})
        if self._tags is None or box not in marginal:
            with marked(self, box, tag):
                yield
            return
        properties = pydyf.Dictionary({"Type": "/Pagination"})
        if marginal[box]:
            properties["Subtype"] = marginal[box]
        pydyf.Stream.begin_marked_content(self, "Artifact", properties)
        try:
            yield
        finally:
            pydyf.Stream.end_marked_content(self)

    marked_or_artifact.briefs = True  # type: ignore[attr-defined]
    return marked_or_artifact
