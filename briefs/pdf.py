"""Turn a brief's HTML into a tagged, reproducible PDF with WeasyPrint.

Importing this module loads WeasyPrint (about half a second), so only code
that really renders imports it.
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from briefs.fonts import use_shipped_fonts
from briefs.guard import pdf_text

STYLESHEET = "brief.css"
"""The one stylesheet, under the assets folder; parsed once per process."""
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
        from briefs.inputs import hb_subset_installed

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
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        from briefs.errors import FetchRefused
        from briefs.fetcher import AssetFetcher, Refused

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
        from weasyprint.pdf import fonts

        if fonts.harfbuzz_subset is None:
            logging.getLogger("weasyprint").addFilter(_OneFontToolsWarning())
            if not quiet:  # pool workers leave it to the main process
                warn_without_hb_subset(False)

    def render(self, html: str, base: Path, created: str) -> Rendered:
        """Lay out and write the PDF; ``created`` (ISO date from the data) pins the clock."""
        from weasyprint import HTML

        from briefs.errors import FetchRefused
        from briefs.fetcher import Refused

        epoch = int(datetime.fromisoformat(created).replace(tzinfo=UTC).timestamp())
        os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
        identifier = hashlib.sha256(html.encode()).hexdigest()[:32].encode()
        options = {"pdf_variant": "pdf/ua-1", "pdf_identifier": identifier}
        try:
            document = HTML(
                string=html, base_url=base.as_uri() + "/", url_fetcher=self.fetcher
            ).render(font_config=self.fonts, stylesheets=self.stylesheets, **options)
            pdf = document.write_pdf(**options)
        except Refused as exc:
            raise FetchRefused(exc.url, exc.reason) from None
        return Rendered(pdf, len(document.pages), pdf_text(pdf))
