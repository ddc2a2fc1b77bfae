"""Turn a brief's HTML into a tagged, reproducible PDF with WeasyPrint.

Making a Renderer loads WeasyPrint (a third of a second, see :mod:`briefs.render.engine`);
this module imports nothing else heavy, so that render workers stay lean.
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from briefs.render.engine import hb_subset_installed, load_weasyprint
from briefs.render.fonts import use_shipped_fonts

STYLESHEET = "brief.css"
"""The one stylesheet, under the assets folder; parsed once per process."""
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
        use_shipped_fonts(assets)
        load_weasyprint()
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        from briefs.errors import FetchRefused
        from briefs.render.fetcher import AssetFetcher, Refused

        self.assets = assets
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
        """Lay out and write the PDF; ``created`` (ISO date from the data) pins the clock."""
        from weasyprint import HTML

        from briefs.errors import FetchRefused
        from briefs.render.fetcher import Refused

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
        return Rendered(pdf, len(document.pages), pdf_text(pdf))

    def _no_refusal(self) -> None:
        """WeasyPrint catches some refusals (an SVG ``<image>``) and goes on
        without the resource; the fetcher's record still says so."""
        from briefs.errors import FetchRefused

        if self.fetcher.refused:
            first = self.fetcher.refused[0]
            raise FetchRefused(first.url, first.reason)


def pdf_text(pdf: bytes) -> list[str]:
    """The text of each page as PDFium reads it, then the document's metadata
    (title, author, subject, keywords): everything a reader can see.

    This is what the leak guard reads. PDFium is about twenty times faster than
    a pure-Python extractor, which matters when every page of every brief is
    read before it is written; it is done here, in the render workers, which
    need nothing of the data model.
    """
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        texts = [page.get_textpage().get_text_bounded() for page in document]
        texts.append(" ".join(str(v) for v in document.get_metadata_dict().values()))
        return texts
    finally:
        document.close()
