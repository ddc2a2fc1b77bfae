"""Which fonts WeasyPrint may use: only those shipped with the templates.

Kept apart from :mod:`briefs.render.pdf` so that a build can point fontconfig at
them, and start the render workers, before anything heavy is imported.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

FONTS_CONF = Path("fonts") / "fonts.conf"


def use_shipped_fonts(assets: Path, cache: Path | None = None) -> None:
    """Fontconfig must see only our fonts, and must be told before it loads.

    ``cache`` is where fontconfig keeps its font cache: the shipped ``fonts.conf``
    puts it under ``$XDG_CACHE_HOME``, which is otherwise ``$HOME/.cache``. With
    ``HOME`` unset (a service, a container) fontconfig finds nowhere to write
    and says "No writable cache directories" in every render process.
    """
    conf = assets / FONTS_CONF
    if conf.is_file():
        os.environ["FONTCONFIG_FILE"] = str(conf)
    if cache is not None:
        with contextlib.suppress(OSError):  # fontconfig says so if it cannot write
            cache.mkdir(parents=True, exist_ok=True)
        os.environ["XDG_CACHE_HOME"] = str(cache)
