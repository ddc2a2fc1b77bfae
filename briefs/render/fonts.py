"""Which fonts WeasyPrint may use: only those shipped with the templates.

Kept apart from :mod:`briefs.render.pdf` so that a build can point fontconfig at
them, and start the render workers, before anything heavy is imported.
"""

from __future__ import annotations

import os
from pathlib import Path

FONTS_CONF = Path("fonts") / "fonts.conf"


def use_shipped_fonts(assets: Path) -> None:
    """Fontconfig must see only our fonts, and must be told before it loads."""
    conf = assets / FONTS_CONF
    if conf.is_file():
        os.environ["FONTCONFIG_FILE"] = str(conf)
