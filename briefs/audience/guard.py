"""The leak guard: the last check before a brief is written or sent.

Selection already keeps excluded items out of the templates; the guard assumes
it may have failed (a hard-coded paragraph, a template bug) and looks for the
words of every excluded item in the rendered text, HTML and PDF alike. Words
that the audience may see anyway (the dossier header, its title, the labels,
the included items) prove nothing, so they are not looked for.
"""

from __future__ import annotations

import codecs
import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator
from html import unescape
from html.parser import HTMLParser
from urllib.parse import unquote

from pydantic import BaseModel

from briefs.audience.selection import Selection
from briefs.source.formats import value_text
from briefs.source.model import REFERENCE, Contact, Figure, Item, Text, Urls

SHINGLE = 6
MIN_PHRASE = 12
MIN_IDENTIFYING = 6
SHOWN = 4
"""How many words of a phrase a refusal repeats."""
Phrase = tuple[str, ...]

_ESCAPE = re.compile(r"\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[ntr])")
_WORD = re.compile(r"[^\W_]+")
"""A run of letters and digits: an underscore, a quote or a dot ends a word."""


def normalize(text: str) -> str:
    """Fold what rendering changes: ligatures, no-break spaces, case, line
    breaks; and the backslash escapes of a ``repr`` or JSON dump (``\\xa0``)."""
    text = _ESCAPE.sub(_unescape, text)
    text = unicodedata.normalize("NFKC", text).replace("\u00ad", "").casefold()
    text = re.sub(r"[’‘]", "'", text)
    return re.sub(r"\s+", " ", text).strip()


def _unescape(match: re.Match[str]) -> str:
    try:
        return codecs.decode(match.group(0), "unicode_escape")
    except UnicodeDecodeError:  # pragma: no cover - the pattern only matches valid escapes
        return " "


def split(text: str) -> Phrase:
    """Whole words: every character that is not a letter or a digit separates
    two, so text glued with underscores, quotes or dots is read word by word."""
    return tuple(_WORD.findall(normalize(text)))


@functools.lru_cache(maxsize=4096)  # every brief of a dossier reads the same items
def words(text: str) -> Phrase:
    """:func:`split`, remembered for the items' texts that every brief reads."""
    return split(text)


IDENTIFYING = ("name", "email", "phone", "url")


def _identifying(item: Item) -> list[str]:
    """Strings that name an item as surely as its sentences: a contact's name,
    e-mail and phone (also as bare digits), a source's URL, a figure's value."""
    found = [v for f in IDENTIFYING if isinstance(v := getattr(item, f, None), str)]
    if isinstance(urls := getattr(item, "url", None), Urls):  # a page in each language
        found += [urls.en, urls.fr]
    found = [v for v in found if len(v) >= MIN_IDENTIFYING]
    if isinstance(item, Contact) and item.phone:
        digits = re.sub(r"\D", "", item.phone)  # with and without the country code 1
        local = digits[1:] if len(digits) == 11 and digits[0] == "1" else digits
        found += [local, "1" + local]
    if isinstance(item, Figure):  # "12,345" and "12 345" are the same six characters
        values = [value_text(item.value, item.unit, lang) for lang in ("en", "fr")]
        found += [v for v in values if len(re.sub(r"\s", "", v)) >= MIN_IDENTIFYING]
    return [v for v in found if len(v) >= MIN_IDENTIFYING]


def _texts(item: Item) -> Iterator[str]:
    """Each text of an item in both languages, cut at its figure references."""
    for _, value in item:
        if isinstance(value, Text):
            for lang in ("en", "fr"):
                yield from REFERENCE.split(value.get(lang))[::2]


def needles(item: Item) -> frozenset[Phrase]:
    """Distinctive phrases of an item, as runs of whole words: six-word runs of
    its texts (both languages, figure references cut out), whole short
    phrases, a figure's value as either language writes it, and identifying
    strings such as a contact's e-mail or phone."""
    found = {words(s) for s in _identifying(item)}
    for text in _texts(item):
        run = words(text)
        if len(run) >= SHINGLE:
            found.update(run[i : i + SHINGLE] for i in range(len(run) - SHINGLE + 1))
        elif len(" ".join(run)) >= MIN_PHRASE:
            found.add(run)
    return frozenset(p for p in found if p)


def printed_for(selection: Selection) -> list[str]:
    """What every brief of this selection may print, besides its items: the
    dossier header (title, lead, summary, topics, signatories) in both
    languages, and the audience's document title."""
    return [*_strings(selection.dossier.header), *_strings(selection.audience.title)]


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield from REFERENCE.split(value)[::2]
    elif isinstance(value, BaseModel):
        for _, field in value:
            yield from _strings(field)
    elif isinstance(value, list):
        for entry in value:
            yield from _strings(entry)


def phrases_in(text: str, lengths: Iterable[int] = range(1, SHINGLE + 1)) -> set[Phrase]:
    """Every run of whole words of the given lengths in a text."""
    return _runs(words(text), lengths)


def _runs(run: Phrase, lengths: Iterable[int]) -> set[Phrase]:
    return {run[i : i + n] for n in lengths for i in range(len(run) - n + 1)}


class Watchlist:
    """The phrases to look for in one brief, made once and checked twice
    (in the HTML text and in the PDF text and metadata).

    A phrase that the audience may see anyway proves nothing, so it is not
    held against the excluded item: one that occurs in an included item, or in
    ``printed``, the other text printed for that audience (its header, title,
    labels). Phrases are runs of whole words, so a short name is not found
    inside a longer word.
    """

    def __init__(
        self, excluded: Iterable[Item], allowed: Iterable[Item], printed: Iterable[str] = ()
    ) -> None:
        wanted: dict[str, frozenset[Phrase]] = {}
        for item in excluded:  # an item may come in several wordings (old editions)
            wanted[item.id] = wanted.get(item.id, frozenset()) | needles(item)
        self.lengths = sorted({len(p) for phrases in wanted.values() for p in phrases})
        seen: set[Phrase] = set()
        for item in allowed:
            for text in [*_identifying(item), *_texts(item)]:
                seen |= phrases_in(text, self.lengths)
        for text in printed:
            seen |= _runs(split(text), self.lengths)
        self.phrases = {item_id: phrases - seen for item_id, phrases in wanted.items()}
        self._owners: dict[Phrase, list[str]] = {}
        for item_id, phrases in self.phrases.items():
            for phrase in phrases:
                self._owners.setdefault(phrase, []).append(item_id)

    def found(self, text: str) -> dict[str, Phrase]:
        """Each excluded item seen in ``text``, with the first of its phrases there."""
        run = split(text)
        seen: dict[str, Phrase] = {}
        for i in range(len(run)):
            for n in self.lengths:
                for item_id in self._owners.get(run[i : i + n], ()):
                    seen.setdefault(item_id, run[i : i + n])
        return dict(sorted(seen.items()))

    def leaks(self, text: str) -> list[str]:
        """Ids of excluded items whose phrases appear in ``text``."""
        return list(self.found(text))


def leaks(text: str, excluded: Iterable[Item], allowed: Iterable[Item]) -> list[str]:
    """Ids of excluded items whose phrases appear in ``text``."""
    return Watchlist(excluded, allowed).leaks(text)


def shorten(phrase: Phrase) -> str:
    """A phrase as a refusal shows it: its first words, enough to find it."""
    return " ".join(phrase[:SHOWN]) + (" …" if len(phrase) > SHOWN else "")


def line_of(phrase: Phrase, source: str) -> int | None:
    """The line of ``source`` (a template) where ``phrase`` starts, if it is there."""
    found: list[tuple[str, int]] = []
    for number, line in enumerate(source.splitlines(), 1):
        found += [(word, number) for word in split(unescape(line))]
    size = len(phrase)
    for i in range(len(found) - size + 1):
        if tuple(word for word, _ in found[i : i + size]) == phrase:
            return found[i][1]
    return None


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script"):
            self._skip += 1
        # Attribute values reach readers too: alt text, titles, metadata, links
        # (read as a reader's browser would, with %40 as @).
        self.parts.extend(unquote(value) for _, value in attrs if value)

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
