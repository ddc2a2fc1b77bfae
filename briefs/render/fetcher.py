"""The only way WeasyPrint may read anything: ``data:`` URLs and shipped assets.

WeasyPrint's default fetcher reads any local file and any URL, and follows
redirects. A brief must not embed ``/etc/passwd`` or call out to the network,
so everything else is refused and the render stops with a clear error.

WeasyPrint lets some refusals pass: an ``<image>`` inside an SVG is drawn under
``except BaseException``, so the picture is silently dropped. Every refusal is
therefore also recorded in :attr:`AssetFetcher.refused`, which the renderer reads
after each render.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

mimetypes.add_type("font/ttf", ".ttf")
mimetypes.add_type("font/otf", ".otf")
mimetypes.add_type("font/woff2", ".woff2")


class Refused(FatalURLFetchingError):  # type: ignore[misc]
    """Raised to stop the render; carries the URL and why it was refused."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


class AssetFetcher(URLFetcher):  # type: ignore[misc]
    """Serve ``data:`` URLs and regular files whose real path is under ``root``."""

    def __init__(self, root: Path) -> None:
        super().__init__(allowed_protocols={"data"}, allow_redirects=False)
        self.root = root.resolve()
        self.refused: list[Refused] = []
        """Every refusal since the renderer last cleared it, caught by WeasyPrint or not."""

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        try:
            return self._fetch(url, headers)
        except Refused as exc:
            self.refused.append(exc)
            raise

    def _fetch(self, url: str, headers: dict[str, str] | None) -> URLFetcherResponse:
        scheme = url.partition(":")[0].lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme != "file":
            raise Refused(url, "only data: URLs and the project's template assets may be fetched")
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise Refused(url, "remote file URLs are not allowed")
        try:
            real = Path(url2pathname(unquote(parts.path))).resolve(strict=True)
        except (OSError, RuntimeError):
            raise Refused(url, "no such asset") from None
        if not real.is_relative_to(self.root):
            raise Refused(url, f"outside the template assets folder {self.root}")
        if any(part.startswith(".") for part in real.relative_to(self.root).parts):
            raise Refused(url, "hidden files are not assets")
        if not real.is_file():
            raise Refused(url, "not a regular file")
        content_type = mimetypes.guess_type(real.name)[0] or "application/octet-stream"
        return URLFetcherResponse(real.as_uri(), real.read_bytes(), {"Content-Type": content_type})
