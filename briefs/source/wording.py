"""French house style that the data can get wrong, reported by ``briefs check``
as warnings (the exit code is unchanged):

- « ministère » is lower case inside a sentence (« Section …, ministère de la
  Justice Canada »), capitalized only where it starts one, as a department's
  name at the head of a list entry does;
- a span of years reads by one rule per language, as ``period_text`` prints
  one: "2012–2020" (en dash) in English, « 2012-2020 » (hyphen) in French;
- a Government of Canada page has a French page, so a source on one gives
  ``url: {en: …, fr: …}``, not a single URL that the French brief would link too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from briefs.source.loading import Loaded
from briefs.source.model import Contact, Item, Source, texts_of

_INSIDE = re.compile(r"(?<![.!?:»]\s)(?<!^)\bMinistère\b")
"""Capital « Ministère » that does not start the text or a sentence."""
MID_SENTENCE = {(Contact, "organization")}
"""Fields printed inside a sentence (« Nom, rôle, organisation »): lower case at the start too."""
_YEARS = {
    "en": (re.compile(r"\b(1[89]|20)\d\d ?[-—] ?(1[89]|20)\d\d\b"), "an en dash, 2012–2020"),
    "fr": (re.compile(r"\b(1[89]|20)\d\d ?[–—] ?(1[89]|20)\d\d\b"), "a hyphen, 2012-2020"),
}
"""A span of years joined the other language's way (docs/data-format.md, "Periods")."""
BILINGUAL_HOSTS = ("gc.ca", "canada.ca")
"""Government of Canada sites: every page has one in each official language."""


@dataclass(frozen=True)
class Wording:
    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"warning: {where}: {self.field}: {self.message}"


def wording(loaded: Loaded) -> list[Wording]:
    """The dossier's items that break the house style above."""
    found: list[Wording] = []
    for item in loaded.dossier.items():
        where = loaded.where(item.id)
        found += [
            Wording(where.file, where.line, f"{where.path}.{field}", message)
            for field, message in _ministere(item) + _years(item) + _one_url(item)
        ]
    return found


def _ministere(item: Item) -> list[tuple[str, str]]:
    found = []
    for name, text in texts_of(item):
        inside = _INSIDE.search(text.fr)
        if inside or ((type(item), name) in MID_SENTENCE and text.fr.startswith("Ministère")):
            start = inside.start() if inside else 0
            snippet = text.fr[max(0, start - 20) : start + 30]
            expected = "expected « ministère » in lower case inside a sentence"
            found.append((f"{name}.fr", f"{expected}, found {snippet!r}"))
    return found


def _years(item: Item) -> list[tuple[str, str]]:
    found = []
    for name, text in texts_of(item):
        for lang, (pattern, expected) in _YEARS.items():
            if match := pattern.search(text.get(lang)):
                found.append((f"{name}.{lang}", f"expected {expected}, found {match[0]!r}"))
    return found


def _one_url(item: Item) -> list[tuple[str, str]]:
    if not isinstance(item, Source) or not isinstance(item.url, str):
        return []
    host = urlsplit(item.url).hostname or ""
    if not any(host == h or host.endswith("." + h) for h in BILINGUAL_HOSTS):
        return []
    return [
        (
            "url",
            f"expected the page in each language, url: {{en: …, fr: …}}, found one URL on {host}"
            " (a Government of Canada page has a French page)",
        )
    ]
