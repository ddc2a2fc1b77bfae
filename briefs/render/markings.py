"""Security markings, bilingual, the brief's language first."""

from __future__ import annotations

MARKINGS = {
    "unclassified": {"en": "UNCLASSIFIED", "fr": "NON CLASSIFIÉ"},
    "protected_a": {"en": "PROTECTED A", "fr": "PROTÉGÉ A"},
    "protected_b": {"en": "PROTECTED B", "fr": "PROTÉGÉ B"},
    "protected_c": {"en": "PROTECTED C", "fr": "PROTÉGÉ C"},
}


def marking_text(level: str, lang: str) -> str:
    """The bilingual marking, the brief's language first: "PROTÉGÉ B / PROTECTED B"."""
    own = MARKINGS[level]
    return " / ".join([own[lang], *(text for other, text in own.items() if other != lang)])


DRAFT = {"en": "DRAFT", "fr": "ÉBAUCHE"}


def draft_text(lang: str) -> str:
    """The bilingual draft mark, the brief's language first: "ÉBAUCHE / DRAFT"."""
    return " / ".join([DRAFT[lang], *(text for other, text in DRAFT.items() if other != lang)])
