"""Stale figures: a number published long before the brief's date may have been
overtaken. ``briefs check`` warns about it (the exit code is unchanged); a figure
published *after* the date is an error, found when the dossier loads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from briefs.source.dates import PartialDate
from briefs.source.loading import Loaded


@dataclass(frozen=True)
class Stale:
    """One figure or series older than the configured age on the dossier's as_of."""

    file: str
    line: int | None
    field: str
    published: PartialDate
    as_of: date
    months: int
    limit: int

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return (
            f"warning: {where}: {self.field}: published {self.published}, "
            f"{self.months} months before the dossier's as_of ({self.as_of}); "
            f"older than stale_after_months ({self.limit}): look for newer figures, "
            "or keep it knowingly"
        )


def stale(loaded: Loaded, limit: int | None) -> list[Stale]:
    """The figures and series of a dossier published more than ``limit`` months
    before its as_of (a date known to the year counts as its December, to give it the benefit)."""
    if limit is None:
        return []
    d = loaded.dossier
    as_of = d.header.as_of.first_day()
    dated = {s.id: s.date for s in d.sources}
    found: list[Stale] = []
    for item in [*d.figures, *d.series]:
        when = item.published_on(dated)
        if when is None:
            continue  # refused when the dossier loaded
        months = (as_of.year - when.year) * 12 + as_of.month - (when.month or 12)
        if months > limit:
            where = loaded.where(item.id)
            field = f"{where.path}.{'published' if item.published else 'source'}"
            found.append(Stale(where.file, where.line, field, when, as_of, months, limit))
    return found
