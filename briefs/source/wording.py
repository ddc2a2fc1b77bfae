"""French house style that the data can get wrong, reported by ``briefs check``
as warnings (the exit code is unchanged): « ministère » is lower case inside a
sentence (« Section …, ministère de la Justice Canada »), capitalized only where
it starts one, as a department's name at the head of a list entry does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from briefs.source.loading import Loaded
from briefs.source.model import Contact, texts_of

_INSIDE = re.compile(r"(?<![.!?:»]\s)(?<!^)\bMinistère\b")
"""Capital « Ministère » that does not start the text or a sentence."""
MID_SENTENCE = {(Contact, "organization")}
"""Fields printed inside a sentence (« Nom, rôle, organisation »): lower case at the start too."""


@dataclass(frozen=True)
class Wording:
    file: str
    line: int | None
    field: str
    found: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return (
            f"warning: {where}: {self.field}: expected « ministère » in lower case inside "
            f"a sentence, found {self.found!r}"
        )


def wording(loaded: Loaded) -> list[Wording]:
    """French texts of a dossier's items that capitalize « Ministère » mid-sentence."""
    found: list[Wording] = []
    for item in loaded.dossier.items():
        for name, text in texts_of(item):
            fr = text.fr
            inside = _INSIDE.search(fr)
            leading = (type(item), name) in MID_SENTENCE and fr.startswith("Ministère")
            if inside or leading:
                where = loaded.where(item.id)
                start = inside.start() if inside else 0
                snippet = fr[max(0, start - 20) : start + 30]
                found.append(Wording(where.file, where.line, f"{where.path}.{name}.fr", snippet))
    return found
