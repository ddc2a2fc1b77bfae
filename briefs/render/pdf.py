"""Turn a brief's HTML into a tagged, reproducible PDF with WeasyPrint.

Making a Renderer loads WeasyPrint (a third of a second, see :mod:`briefs.render.engine`);
this module imports nothing else heavy, so that render workers stay lean.
"""

from __future__ import annotations

import ctypes
import hashlib
import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from briefs.render.engine import hb_subset_installed, load_weasyprint
from briefs.render.fonts import FONTS_CONF, STYLESHEET, use_shipped_fonts

WARM_UP = """<!DOCTYPE html><html lang="en"><head><title>Warm-up</title></head><body>
<h1>Warm-up</h1><h2>Heading</h2><h3>Heading</h3>
<p>Text, <strong>bold</strong>, <em>italic</em>, « français » 1&nbsp;234,5&nbsp;$.</p>
<table><caption>Table</caption><thead><tr><th>Year</th></tr></thead>
<tbody><tr><td>2017</td></tr></tbody></table></body></html>"""
"""A page in the stylesheet's fonts, rendered once so that the first brief does
not pay for loading them."""
log = logging.getLogger(__name__)


class _OneFontToolsWarning(logging.Filter):
    """WeasyPrint warns once per font per render without hb-subset; we say it once."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Using fontTools instead of HarfBuzz-Subset")


_said: list[bool] = []


def warn_without_hb_subset(found: bool | None = None) -> None:
    """Say once per process that HarfBuzz's subsetter is missing.

    It halves render time and keeps font bytes stable. Without it WeasyPrint
    falls back to fontTools, which stamps the clock into fonts;
    :meth:`Renderer.render` pins that clock with ``SOURCE_DATE_EPOCH``. The
    main process asks the dynamic linker, so that it need not import WeasyPrint.
    """
    if found is None:
        found = hb_subset_installed()
    if not found and not _said:
        _said.append(True)
        log.warning(
            "libharfbuzz-subset0 is not installed: rendering is about twice as slow and "
            "fonts are subset by fontTools (install it with: apt-get install libharfbuzz-subset0)"
        )


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    pages: int
    texts: list[str]
    """Each page's text, as the leak guard reads it."""


class Renderer:
    """Holds what is costly to make and safe to reuse: fonts, the parsed
    stylesheet and the fetcher. One per process."""

    def __init__(self, assets: Path, *, quiet: bool = False) -> None:
        from briefs.errors import FetchRefused, FontNotShipped
        from briefs.render.shipped import shipped_families

        if not use_shipped_fonts(assets):
            missing = assets / FONTS_CONF
            raise FontNotShipped(f"expected {missing}; without it, system fonts are used")
        load_weasyprint()
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        from briefs.render.fetcher import AssetFetcher, Refused
        from briefs.render.tagging import tag_pdf

        tag_pdf()
        self.assets = assets
        self.families = shipped_families(assets / FONTS_CONF.parent)
        """What a PDF may embed: the families of the font files beside fonts.conf."""
        self.fonts = FontConfiguration()
        self.fetcher = AssetFetcher(assets)
        try:
            self.stylesheets = [
                CSS(
                    url=(assets / STYLESHEET).as_uri(),
                    font_config=self.fonts,
                    url_fetcher=self.fetcher,
                )
            ]
        except Refused as exc:
            raise FetchRefused(exc.url, exc.reason) from None
        self._no_refusal()
        from weasyprint.pdf import fonts

        if fonts.harfbuzz_subset is None:
            logging.getLogger("weasyprint").addFilter(_OneFontToolsWarning())
            if not quiet:  # pool workers leave it to the main process
                warn_without_hb_subset(False)

    def warm_up(self) -> None:
        self.render(WARM_UP, self.assets, "2000-01-01")

    def render(self, html: str, base: Path, created: str) -> Rendered:
        """Lay out and write the PDF; ``created`` (ISO date from the data) pins the clock.

        Raises FetchRefused if any fetch was refused, even one WeasyPrint went
        on without, and FontNotShipped if the PDF embeds a font that is not shipped.
        """
        from weasyprint import HTML

        from briefs.errors import FetchRefused, FontNotShipped
        from briefs.render.fetcher import Refused
        from briefs.render.shipped import foreign_fonts

        epoch = int(datetime.fromisoformat(created).replace(tzinfo=UTC).timestamp())
        os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
        identifier = hashlib.sha256(html.encode()).hexdigest()[:32].encode()
        options = {"pdf_variant": "pdf/ua-1", "pdf_identifier": identifier}
        self.fetcher.refused.clear()
        try:
            document = HTML(
                string=html, base_url=base.as_uri() + "/", url_fetcher=self.fetcher
            ).render(font_config=self.fonts, stylesheets=self.stylesheets, **options)
            pdf = document.write_pdf(**options)
        except Refused as exc:
            raise FetchRefused(exc.url, exc.reason) from None
        self._no_refusal()
        texts, fonts = read_pdf(pdf)
        foreign = foreign_fonts(fonts, self.families)
        if foreign:
            raise FontNotShipped(
                f"embeds font(s) not shipped in {self.assets / FONTS_CONF.parent}: "
                f"{', '.join(foreign)}; check what fonts.conf lists and the fonts "
                "the templates ask for"
            )
        return Rendered(pdf, len(document.pages), texts)

    def _no_refusal(self) -> None:
        """WeasyPrint catches some refusals (an SVG ``<image>``) and goes on
        without the resource; the fetcher's record still says so."""
        from briefs.errors import FetchRefused

        if self.fetcher.refused:
            first = self.fetcher.refused[0]
            raise FetchRefused(first.url, first.reason)


def read_pdf(pdf: bytes) -> tuple[list[str], set[tuple[str, str]]]:
    """The text of each page as PDFium reads it, then the document's metadata
    (title, author, subject, keywords): everything a reader can see. And the
    fonts it is drawn with, as ``(base name, family)``.

    The text is what the leak guard reads. PDFium is about twenty times faster
    than a pure-Python extractor, which matters when every page of every brief
    is read before it is written; it is done here, in the render workers, which
    need nothing of the data model.
    """
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        texts: list[str] = []
        fonts: dict[int, tuple[str, str]] = {}
        for page in document:
            texts.append(page.get_textpage().get_text_bounded())
            _fonts(page, fonts)
        texts.append(" ".join(str(v) for v in document.get_metadata_dict().values()))
        return texts, set(fonts.values())
    finally:
        document.close()


def _fonts(page: Any, seen: dict[int, tuple[str, str]]) -> None:
    """Add each font the page's text uses to ``seen``, by PDFium's handle, as
    ``(base name, family)``. The family comes from the embedded font program;
    it is empty for a font that is not embedded."""
    import pypdfium2.raw as raw

    for item in page.get_objects(filter=[raw.FPDF_PAGEOBJ_TEXT], max_depth=15):
        font = raw.FPDFTextObj_GetFont(item.raw)
        handle = ctypes.cast(font, ctypes.c_void_p).value or 0
        if handle not in seen:
            embedded = raw.FPDFFont_GetIsEmbedded(font)
            family = _string(raw.FPDFFont_GetFamilyName, font) if embedded else ""
            seen[handle] = (_string(raw.FPDFFont_GetBaseFontName, font), family)


def _string(function: Any, font: Any) -> str:
    """A string from one of PDFium's ask-for-the-length-then-fill calls."""
    size = function(font, None, 0)
    buffer = ctypes.create_string_buffer(size)
    function(font, buffer, size)
    return buffer.value.decode("utf-8", "replace")
