"""The leak guard: the last check before a brief is written or sent.

Selection already keeps excluded items out of the templates; the guard assumes
it may have failed (a hard-coded paragraph, a template bug) and looks for the
words of every excluded item in the rendered text, HTML and PDF alike.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from html.parser import HTMLParser

from briefs.source.formats import value_text
from briefs.source.model import REFERENCE, Figure, Item, Text

SHINGLE = 6
MIN_PHRASE = 12
MIN_IDENTIFYING = 6
Phrase = tuple[str, ...]


def normalize(text: str) -> str:
    """Fold what rendering changes: ligatures, no-break spaces, case, line breaks."""
    text = unicodedata.normalize("NFKC", text).replace("\u00ad", "").casefold()
    text = re.sub(r"[’‘]", "'", text)
    return re.sub(r"\s+", " ", text).strip()


@functools.lru_cache(maxsize=4096)  # every brief of a dossier reads the same items
def words(text: str) -> Phrase:
    """Whole words, with the punctuation around them dropped: "(CBSA)," → "cbsa"."""
    found = (w.strip(_EDGES) for w in normalize(text).split())
    return tuple(w for w in found if w)


_EDGES = "".join(chr(c) for c in range(0x2000) if not chr(c).isalnum() and not chr(c).isspace())
IDENTIFYING = ("name", "email", "phone", "url")


def needles(item: Item) -> frozenset[Phrase]:
    """Distinctive phrases of an item, as runs of whole words: six-word runs of
    its texts (both languages, figure references cut out), whole short
    phrases, a figure's value as either language writes it, and identifying
    strings such as a contact's e-mail or phone."""
    strings = [v for f in IDENTIFYING if isinstance(v := getattr(item, f, None), str)]
    if isinstance(item, Figure):
        strings += [value_text(item.value, item.unit, lang) for lang in ("en", "fr")]
    found = {words(s) for s in strings if len(s) >= MIN_IDENTIFYING}
    for _, value in item:
        if not isinstance(value, Text):
            continue
        for lang in ("en", "fr"):
            for text in REFERENCE.split(value.get(lang))[::2]:
                run = words(text)
                if len(run) >= SHINGLE:
                    found.update(run[i : i + SHINGLE] for i in range(len(run) - SHINGLE + 1))
                elif len(" ".join(run)) >= MIN_PHRASE:
                    found.add(run)
    return frozenset(p for p in found if p)


def phrases_in(text: str) -> set[Phrase]:
    """Every run of one to six whole words in a text."""
    run = words(text)
    return {run[i : i + n] for n in range(1, SHINGLE + 1) for i in range(len(run) - n + 1)}


class Watchlist:
    """The phrases to look for in one brief, made once and checked twice
    (in the HTML text and in the PDF text and metadata).

    A phrase that an included item also contains proves nothing, so it is not
    held against the excluded one. Phrases are runs of whole words, so a short
    name is not found inside a longer word.
    """

    def __init__(self, excluded: Iterable[Item], allowed: Iterable[Item]) -> None:
        shared: set[Phrase] = set()
        for item in allowed:
            shared |= needles(item)
        self.phrases: dict[str, frozenset[Phrase]] = {}
        for item in excluded:  # an item may come in several wordings (old editions)
            self.phrases[item.id] = self.phrases.get(item.id, frozenset()) | (
                needles(item) - shared
            )

    def leaks(self, text: str) -> list[str]:
        """Ids of excluded items whose phrases appear in ``text``."""
        present = phrases_in(text)
        return sorted(item for item, phrases in self.phrases.items() if phrases & present)


def leaks(text: str, excluded: Iterable[Item], allowed: Iterable[Item]) -> list[str]:
    """Ids of excluded items whose phrases appear in ``text``."""
    return Watchlist(excluded, allowed).leaks(text)


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script"):
            self._skip += 1
        # Attribute values reach readers too: alt text, titles, metadata, links.
        self.parts.extend(value for _, value in attrs if value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_text(html: str) -> str:
    parser = _TextOnly()
    parser.feed(html)
    return " ".join(parser.parts)
