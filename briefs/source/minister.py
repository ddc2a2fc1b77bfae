"""The minister a dossier's minister note is addressed to (header ``minister:``).

Data, not configuration: each dossier names its own minister, so a note for
another portfolio, or after a change of minister, needs no ``briefs.yaml`` edit.
"""

from __future__ import annotations

from enum import StrEnum

from briefs.source.bilingual import NonEmpty, Strict, Text


class Gender(StrEnum):
    """The grammatical gender of a title: French chooses « la ministre » or
    « le ministre », « de la ministre » or « du ministre » by it."""

    feminine = "feminine"
    masculine = "masculine"


class Minister(Strict):
    """Who the minister note is addressed to, and who signs its decision block."""

    title: Text
    """As it reads inside a sentence: French ``ministre de la Justice …``."""
    gender: Gender
    name: NonEmpty | None = None
