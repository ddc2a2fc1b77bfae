"""Which fonts WeasyPrint may use: only those shipped with the templates.

Kept apart from :mod:`briefs.render.pdf` so that a build can point fontconfig at
them, and start the render workers, before anything heavy is imported.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

FONTS_CONF = Path("fonts") / "fonts.conf"
"""Under the assets folder: fontconfig's list of the shipped fonts (their folder)."""
STYLESHEET = "brief.css"
"""The one stylesheet, under the assets folder; parsed once per process. It
names the font families, so it says which shipped font files are needed."""


def use_shipped_fonts(assets: Path, cache: Path | None = None) -> bool:
    """Fontconfig must see only our fonts, and must be told before it loads.

    ``cache`` is where fontconfig keeps its font cache: the shipped ``fonts.conf``
    puts it under ``$XDG_CACHE_HOME``, which is otherwise ``$HOME/.cache``. With
    ``HOME`` unset (a service, a container) fontconfig finds nowhere to write
    and says "No writable cache directories" in every render process.
    False when there is no ``fonts.conf``: then the system's fonts would be used.
    """
    if cache is not None:
        with contextlib.suppress(OSError):  # fontconfig says so if it cannot write
            cache.mkdir(parents=True, exist_ok=True)
        os.environ["XDG_CACHE_HOME"] = str(cache)
    conf = assets / FONTS_CONF
    if not conf.is_file():
        return False  # the plan reports it, the Renderer refuses to start
    os.environ["FONTCONFIG_FILE"] = str(conf)
    return True
