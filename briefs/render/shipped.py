"""The shipped fonts: all there before a build renders, and nothing else in a PDF.

Fontconfig never says a font is missing. Without ``fonts.conf`` it serves the
system's fonts (DejaVu, on Debian); with a font file gone it fakes the face
from another file, or takes another family. So :func:`font_problems` checks,
when a build plans (and so in ``briefs check``), that ``fonts.conf`` is there
and shows fontconfig nothing but the assets, and that every face the
stylesheet asks for has its file (:mod:`briefs.render.faces` reads those). After
each render the Renderer reads the families its PDF embeds and refuses any
that is not shipped (:func:`foreign_fonts`).
"""

from __future__ import annotations

import contextlib
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterable, Iterator
from pathlib import Path

from fontTools.ttLib import TTCollection, TTFont

from briefs.errors import Problem
from briefs.render.faces import Face, asked_faces
from briefs.render.fonts import FONTS_CONF, STYLESHEET
from briefs.source.files import Folders

FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".otc")


def font_problems(folders: Folders) -> list[Problem]:
    """Everything missing that fontconfig would quietly replace; nothing is rendered."""
    problems = _conf_problems(folders)
    fonts = folders.assets / FONTS_CONF.parent
    faces, unreadable = shipped_faces(fonts)
    problems += [
        Problem(folders.show(path), None, "fonts", f"not a font fontconfig can use ({why})")
        for path, why in unreadable.items()
    ]
    try:
        css = (folders.assets / STYLESHEET).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return problems  # the renderer refuses every brief, saying why
    have = {face.key() for face in faces}
    families = {face.family.casefold() for face in faces}
    shipped = ", ".join(sorted({str(face) for face in faces})) or "no fonts"
    where = folders.show(fonts)
    said: set[tuple[str, bool, bool]] = set()
    for face, line, why in asked_faces(css):
        if face.key() in have or face.key() in said:
            continue
        said.add(face.key())
        if face.family.casefold() in families:
            message = f"asks for {face}{why}, but {where} has no file for that face"
        else:
            message = f"asks for the font family {face.family!r}, which no file in {where} has"
        problems.append(
            Problem(
                folders.show(folders.assets / STYLESHEET),
                line,
                "fonts",
                f"{message} (shipped: {shipped}); copy the font file there, "
                "or fontconfig would fake it from another font",
            )
        )
    return problems


def shipped_faces(fonts: Path) -> tuple[set[Face], dict[Path, str]]:
    """The faces of the font files in ``fonts``, and the files that are not fonts
    (a Git LFS pointer, a truncated copy) with the reason."""
    faces: set[Face] = set()
    unreadable: dict[Path, str] = {}
    files = sorted(fonts.iterdir()) if fonts.is_dir() else []
    for path in files:
        if path.suffix.lower() not in FONT_SUFFIXES or path.name.startswith("."):
            continue
        try:
            faces.update(_faces(path))
        except Exception as exc:  # fontTools raises many kinds for a damaged file
            unreadable[path] = f"{type(exc).__name__}: {exc}"
    return faces, unreadable


def shipped_families(fonts: Path) -> frozenset[str]:
    """The family names a PDF may embed, case-folded."""
    return frozenset(face.family.casefold() for face in shipped_faces(fonts)[0])


def foreign_fonts(embedded: Iterable[tuple[str, str]], families: frozenset[str]) -> list[str]:
    """The embedded fonts, as ``(base name, family)``, whose family is not shipped."""
    return sorted(
        f"{base.partition('+')[2] or base} ({family or 'no family name'})"
        for base, family in set(embedded)
        if family.casefold() not in families
    )


def _faces(path: Path) -> Iterator[Face]:
    """One face per family name (typographic and legacy) of each font in the file."""
    with contextlib.ExitStack() as stack:
        if path.suffix.lower() in (".ttc", ".otc"):
            fonts = stack.enter_context(contextlib.closing(TTCollection(path, lazy=True))).fonts
        else:
            fonts = [stack.enter_context(TTFont(path, lazy=True))]
        for font in fonts:
            bold = font["OS/2"].usWeightClass >= 600
            italic = bool(font["OS/2"].fsSelection & 1)  # "head" would log its odd dates
            for name_id in (16, 1):
                family = font["name"].getDebugName(name_id)
                if family:
                    yield Face(family, bold, italic)
        if not fonts:
            raise ValueError("no font in the collection")


def _conf_problems(folders: Folders) -> list[Problem]:
    """fonts.conf must exist and show fontconfig only folders under the assets."""
    conf = folders.assets / FONTS_CONF
    shown = folders.show(conf)

    def problem(message: str) -> list[Problem]:
        return [Problem(shown, None, "fonts", message)]

    if not conf.is_file():
        return problem(
            "expected fontconfig's list of the shipped fonts, found no such file; "
            "without it the system's fonts would be used"
        )
    try:
        root = ElementTree.parse(conf).getroot()
    except (ElementTree.ParseError, OSError) as exc:
        return problem(f"not a fontconfig file: {exc}")
    problems: list[Problem] = []
    assets = folders.assets.resolve()
    for element in root.iter("include"):
        problems += problem(
            f"includes {element.text!r}; list only font folders under {folders.show(assets)}"
        )
    for element in root.iter("dir"):
        text = (element.text or "").strip()
        folder = _folder(conf, text, element.get("prefix", "default"))
        if folder is None or not folder.resolve().is_relative_to(assets):
            problems += problem(
                f"lists the font folder {text!r}, outside {folders.show(assets)}: "
                "the build would use fonts that are not shipped"
            )
        elif not folder.is_dir():
            problems += problem(f"lists the font folder {text!r}, which does not exist")
    return problems


def _folder(conf: Path, text: str, prefix: str) -> Path | None:
    """Where fontconfig looks for a ``<dir>``; None for a place that depends on
    who runs the build (home, XDG folders, the current directory)."""
    if prefix == "relative":
        return conf.parent / text
    if prefix == "default" and Path(text).is_absolute():
        return Path(text)
    return None
