"""How hard a plain-language brief is to read, per language, against its target.

It measures what the brief prints for its audience: its summary, then the
``text`` and ``description`` of its selected items, with their ``plain`` text in
their place, as :func:`~briefs.editions.fingerprint.snapshot` records them, and
with each ``{figure-id}`` replaced by the value printed ("$4 million", not the
five syllables of an id). English gets the
Flesch-Kincaid grade (lower is easier); French gets the Kandel-Moles reading ease,
Flesch's formula refitted for French (higher is easier). ``briefs check`` reports
it; a brief off target is a warning, never an error.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from textstat.textstat import textstatistics

from briefs.audience.plan import Brief
from briefs.editions.fingerprint import snapshot
from briefs.source.formats import value_text
from briefs.source.model import REFERENCE, SECTIONS, Unit

MEASURED = ("text", "description")
"""The item fields a plain text replaces: what is measured."""


def _scorer(lang: str) -> textstatistics:
    # One instance per language, set once: textstat's module-level set_lang is
    # global state, and these never change language, so call order cannot matter.
    scorer = textstatistics()
    scorer.set_lang(lang)
    return scorer


_ENGLISH = _scorer("en_US")
_FRENCH = _scorer("fr")


@dataclass(frozen=True)
class Reading:
    """One brief's reading level and its target, if it has one."""

    brief: str
    lang: str
    score: float
    target: float | None

    @property
    def scale(self) -> str:
        return "reading grade" if self.lang == "en" else "reading ease"

    @property
    def meets(self) -> bool | None:
        """Within target (English: at most the grade; French: at least the ease)."""
        if self.target is None:
            return None
        return self.score <= self.target if self.lang == "en" else self.score >= self.target

    def __str__(self) -> str:
        line = f"{self.brief}: {self.scale} {self.score:.1f}"
        if self.target is None:
            return f"{line} (no target)"
        sign = "≤" if self.lang == "en" else "≥"
        verdict = "meets target" if self.meets else _MISSED[self.lang]
        return f"{line} (target {sign} {self.target:g}): {verdict}"


_MISSED = {"en": "above target", "fr": "below target"}


def text_of(content: dict[str, Any], lang: str) -> str:
    """The measured text of a brief's :func:`snapshot`, one paragraph per item,
    the summary first."""
    parts = [content.get("header", {}).get("summary", "")] + [
        item[field]
        for section in SECTIONS
        for item in content.get(section, [])
        for field in MEASURED
        if isinstance(item.get(field), str)
    ]
    values = {
        f["id"]: value_text(Decimal(str(f["value"])), Unit(f["unit"]), lang)
        for f in content.get("figures", [])
    }
    text = "\n\n".join(_sentence(part.strip()) for part in parts if part.strip())
    return REFERENCE.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def _sentence(paragraph: str) -> str:
    # A timeline line has no full stop; textstat counts sentences by their
    # punctuation, so without one it would run into the next paragraph.
    return paragraph if paragraph[-1] in ".!?" else paragraph + "."


def score(text: str, lang: str) -> float:
    """Flesch-Kincaid grade of English ``text``, Kandel-Moles ease of French."""
    if lang == "en":
        return float(_ENGLISH.flesch_kincaid_grade(text))
    return float(_FRENCH.flesch_reading_ease(text))


def reading(brief: Brief) -> Reading:
    """The reading level of one brief."""
    audience = brief.selection.audience
    targets = audience.reading_level
    target = getattr(targets, brief.lang) if targets is not None else None
    text = text_of(snapshot(brief.selection, brief.lang), brief.lang)
    return Reading(brief.name, brief.lang, score(text, brief.lang), target)


def readings(briefs: Iterable[Brief]) -> list[Reading]:
    """The reading levels of the plain-language briefs among ``briefs``."""
    return [reading(b) for b in briefs if b.selection.audience.plain_language]
