"""The font faces a stylesheet asks for, read without a browser's cascade.

Enough to tell which shipped files it relies on (see :mod:`briefs.render.shipped`):

- a rule that names a family asks for that family, in the weight and style
  the same rule sets (regular when it sets none);
- a rule that only makes text bold or italic asks for it in the *base family*,
  the one set on ``html``, ``:root`` or ``body``, which everything inherits;
- so do the browser's own rules: ``<strong>``, ``<b>``, ``<th>`` and headings
  are bold, ``<em>`` and ``<i>`` italic.

``@font-face`` rules are skipped: they provide a family, they do not ask for one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import tinycss2

GENERIC = {"serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui", "math"}
GENERIC |= {"emoji", "fangsong", "inherit", "initial", "unset", "revert", "revert-layer"}
SIZES = {"xx-small", "x-small", "small", "medium", "large", "x-large", "xx-large"}
SIZES |= {"xxx-large", "smaller", "larger"}
BASE = {":root": 0, "html": 0, "body": 1}
"""Selectors whose family all text inherits; ``body`` wins over ``html``."""
IMPLIED = [(True, False, "<strong>, <b>, <th> and headings"), (False, True, "<em> and <i>")]
"""Faces of the base family that the browser's own stylesheet asks for."""


@dataclass(frozen=True, order=True)
class Face:
    family: str
    bold: bool = False
    italic: bool = False

    def __str__(self) -> str:
        style = " ".join(w for w, on in (("bold", self.bold), ("italic", self.italic)) if on)
        return f"{self.family} {style or 'regular'}"

    def key(self) -> tuple[str, bool, bool]:
        """Fontconfig compares family names without regard to case."""
        return (self.family.casefold(), self.bold, self.italic)


def asked_faces(css: str) -> list[tuple[Face, int | None, str]]:
    """Every face ``css`` asks for: the face, the line that asks, and why (when
    the rule does not name the family itself)."""
    asked: list[tuple[Face, int | None, str]] = []
    loose: list[tuple[bool, bool, int]] = []
    base: tuple[int, str, int] | None = None
    for selectors, declarations in _blocks(tinycss2.parse_stylesheet(css, True, True)):
        family, bold, italic, line = _font(declarations)
        if family is not None:
            asked.append((Face(family, bold, italic), line, ""))
            rank = max((BASE.get(selector, -1) for selector in selectors), default=-1)
            if rank >= 0 and (base is None or rank >= base[0]):
                base = (rank, family, line)
        elif bold or italic:
            loose.append((bold, italic, line))
    if base is not None:
        _, family, line = base
        asked += [
            (Face(family, b, i), at, " (inherited from the base family)") for b, i, at in loose
        ]
        asked += [(Face(family, b, i), line, f" (for {tags})") for b, i, tags in IMPLIED]
    return asked


def _blocks(rules: Iterable[Any]) -> Iterator[tuple[set[str], list[Any]]]:
    """Each block of declarations with its selectors (none for ``@page`` and its
    margin boxes), looking inside ``@media`` and ``@supports``."""
    for rule in rules:
        if rule.type not in ("qualified-rule", "at-rule") or rule.content is None:
            continue
        keyword = getattr(rule, "lower_at_keyword", None)
        if keyword == "font-face":
            continue
        if keyword in ("media", "supports", "layer", "container"):
            yield from _blocks(tinycss2.parse_rule_list(rule.content, True, True))
            continue
        items = tinycss2.parse_blocks_contents(rule.content, True, True)
        selectors = set()
        if keyword is None:
            selectors = {part.strip() for part in tinycss2.serialize(rule.prelude).split(",")}
        yield selectors, [item for item in items if item.type == "declaration"]
        yield from _blocks(item for item in items if item.type != "declaration")


def _font(declarations: list[Any]) -> tuple[str | None, bool, bool, int]:
    """The family, boldness and italics one block sets, and its first font line."""
    family, bold, italic, line = None, False, False, 0
    for declaration in declarations:
        name = declaration.lower_name
        if name not in ("font", "font-family", "font-weight", "font-style"):
            continue
        line = line or declaration.source_line
        tokens = [t for t in declaration.value if t.type not in ("whitespace", "comment")]
        if name == "font":
            named, bold, italic = _shorthand(tokens)
            family = named or family
        elif name == "font-family":
            family = _family(tokens)
        elif name == "font-weight":
            bold = any(_is_bold(t) for t in tokens)
        else:
            italic = any(_word(t) in ("italic", "oblique") for t in tokens)
    return family, bold, italic, line


def _shorthand(tokens: list[Any]) -> tuple[str | None, bool, bool]:
    """``font: [style] [weight] size[/line-height] family, …``."""
    bold = italic = False
    for index, token in enumerate(tokens):
        if token.type in ("dimension", "percentage") or _word(token) in SIZES:
            rest = tokens[index + 1 :]
            if rest and rest[0].type == "literal" and rest[0].value == "/":
                rest = rest[2:]
            return _family(rest), bold, italic
        bold = bold or _is_bold(token)
        italic = italic or _word(token) in ("italic", "oblique")
    return None, False, False  # a system font (caption, menu…) or a keyword


def _family(tokens: list[Any]) -> str | None:
    """The first family of a list, unless it is generic (any shipped font will do)."""
    words = []
    for token in tokens:
        if token.type == "literal" and token.value == ",":
            break
        if token.type in ("ident", "string"):
            words.append(token.value)
    name = " ".join(words)
    if not name or name.lower() in GENERIC or name.lower().startswith("ui-"):
        return None
    return name


def _is_bold(token: Any) -> bool:
    if token.type == "number":
        return bool(token.value >= 600)
    return _word(token) in ("bold", "bolder")


def _word(token: Any) -> str:
    return str(token.lower_value) if token.type == "ident" else ""
