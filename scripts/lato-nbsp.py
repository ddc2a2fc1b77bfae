"""Give Lato's no-break space a glyph of its own (run once; the result is committed).

Lato 1 maps U+00A0 to its ``space`` glyph, so a PDF's text layer can only map
that glyph back to U+0020: a French heading such as « Fonds d’aide aux
victimes : services » then copies out, and reads aloud, with an ordinary space
where the no-break space was typeset. A copy of ``space`` named ``uni00A0``
keeps the two apart. The drawing, the advance and the metrics are unchanged,
so the layout is too. Lato is under the SIL OFL 1.1 with no Reserved Font
Name, which allows this modified version (templates/assets/fonts/COPYRIGHT-Lato.txt).

Usage: python scripts/lato-nbsp.py templates/assets/fonts/Lato-*.ttf
"""

from __future__ import annotations

import copy
import sys

from fontTools.ttLib import TTFont

NBSP = 0x00A0
NAME = "uni00A0"


def give_nbsp_its_glyph(path: str) -> bool:
    """True when the font was changed; a font already done is left alone."""
    font = TTFont(path)
    if font.getBestCmap().get(NBSP) != "space":
        return False
    order = font.getGlyphOrder()
    font.setGlyphOrder([*order, NAME])
    font["glyf"].glyphs[NAME] = copy.deepcopy(font["glyf"]["space"])
    font["glyf"].glyphOrder = font.getGlyphOrder()
    font["hmtx"].metrics[NAME] = font["hmtx"].metrics["space"]
    for table in font["cmap"].tables:
        if table.isUnicode() and NBSP in table.cmap:
            table.cmap[NBSP] = NAME
    for tag in ("hdmx", "LTSH", "VDMX"):  # per-glyph device tables: rebuilt by no one here
        if tag in font:
            del font[tag]
    font["maxp"].numGlyphs = len(font.getGlyphOrder())
    font.save(path)
    return True


if __name__ == "__main__":
    for argument in sys.argv[1:]:
        print(argument, "changed" if give_nbsp_its_glyph(argument) else "already done")
