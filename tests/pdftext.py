"""What a PDF's text objects say about size and place, read with pypdfium2.

Shared by the layout tests: each character with its effective size in points
(the font size times the text matrix, as a reader sees it) and its box.
"""

from __future__ import annotations

import ctypes
import math
import re
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as raw

CITE = re.compile(r"\[\d+\]")
"""A superscript reference marker, the one text allowed under 8 pt."""


@dataclass(frozen=True)
class Char:
    text: str
    size: float
    left: float
    right: float


def page_chars(path: Path) -> list[list[Char]]:
    """Every printed character of every page, whitespace left out."""
    pages = []
    doc = pdfium.PdfDocument(path)
    try:
        for page in doc:
            found = []
            textpage = page.get_textpage()
            for i in range(textpage.count_chars()):
                char = chr(raw.FPDFText_GetUnicode(textpage, i))
                if char.isspace() or not char.isprintable():
                    continue
                matrix = raw.FS_MATRIX()
                raw.FPDFText_GetMatrix(textpage, i, ctypes.byref(matrix))
                scale = math.sqrt(abs(matrix.a * matrix.d - matrix.b * matrix.c))
                left, _bottom, right, _top = textpage.get_charbox(i)
                size = raw.FPDFText_GetFontSize(textpage, i) * scale
                found.append(Char(char, round(size, 2), left, right))
            pages.append(found)
    finally:
        doc.close()
    return pages


def squeeze(text: str) -> str:
    """A text without its whitespace, as :func:`page_chars` lists it."""
    return "".join(c for c in text if not c.isspace())


def find(chars: list[Char], text: str) -> list[Char] | None:
    """The characters that print ``text`` on a page, or None."""
    found = find_all(chars, text)
    return found[0] if found else None


def find_all(chars: list[Char], text: str) -> list[list[Char]]:
    """The characters of every place a page prints ``text``."""
    flat, needle = "".join(c.text for c in chars), squeeze(text)
    places, at = [], flat.find(needle)
    while needle and at >= 0:
        places.append(chars[at : at + len(needle)])
        at = flat.find(needle, at + 1)
    return places


def too_small(chars: list[Char], least: float = 8.0) -> list[Char]:
    """Characters under ``least`` points, reference markers ``[n]`` aside."""
    flat = "".join(c.text for c in chars)
    markers = {i for m in CITE.finditer(flat) for i in range(m.start(), m.end())}
    return [c for i, c in enumerate(chars) if c.size < least - 0.01 and i not in markers]
