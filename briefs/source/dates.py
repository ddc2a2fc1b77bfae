"""Dates as briefs state them: a year, a month or a day, and periods between them.

Source documents say "in 2005", "March 2016" or "March 31, 2016"; inventing a
day that the source did not give would be a wrong fact, so precision is kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

from briefs.errors import quoted

Precision = Literal["year", "month", "day"]
_PATTERN = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


class _WrittenAsText:
    """Pydantic reads these with their ``parse`` and writes them back as text."""

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        parse = getattr(cls, "parse")  # noqa: B009 - each subclass defines its own
        return core_schema.no_info_plain_validator_function(
            parse, serialization=core_schema.to_string_ser_schema()
        )


@dataclass(frozen=True, order=True)
class PartialDate(_WrittenAsText):
    """A calendar date known to the year, the month or the day."""

    year: int
    month: int | None = None
    day: int | None = None

    @property
    def precision(self) -> Precision:
        if self.day is not None:
            return "day"
        return "month" if self.month is not None else "year"

    def first_day(self) -> date:
        return date(self.year, self.month or 1, self.day or 1)

    def __str__(self) -> str:
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
        if self.day is not None:
            text += f"-{self.day:02d}"
        return text

    @classmethod
    def parse(cls, value: Any) -> PartialDate:
        """Accept 2016, "2016", "2016-03" or "2016-03-31"; refuse impossible dates."""
        if isinstance(value, PartialDate):
            return value
        if isinstance(value, date):
            return cls(value.year, value.month, value.day)
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ValueError(
                f"expected a date as YYYY, YYYY-MM or YYYY-MM-DD, found {type(value).__name__}"
            )
        text = str(value).strip()
        match = _PATTERN.match(text)
        if not match:
            raise ValueError(
                f"expected a date as YYYY, YYYY-MM or YYYY-MM-DD, found {quoted(text)}"
            )
        year, month, day = (int(g) if g else None for g in match.groups())
        try:
            date(year or 1, month or 1, day or 1)
        except ValueError as exc:
            raise ValueError(f"expected a real calendar date, found {text!r} ({exc})") from None
        assert year is not None
        return cls(year, month, day)


@dataclass(frozen=True, order=True)
class Period(_WrittenAsText):
    """A single date, or a span written ``2012/2020`` or ``{start: 2012, end: 2020}``."""

    start: PartialDate
    end: PartialDate | None = None

    def __str__(self) -> str:
        return str(self.start) if self.end is None else f"{self.start}/{self.end}"

    @classmethod
    def parse(cls, value: Any) -> Period:
        if isinstance(value, Period):
            return value
        if isinstance(value, dict):
            unknown = set(value) - {"start", "end"}
            if unknown or "start" not in value or "end" not in value:
                keys = quoted(sorted(value), 60)
                raise ValueError(f"expected a period as {{start: …, end: …}}, found keys {keys}")
            start, end = value["start"], value["end"]
        elif isinstance(value, str) and "/" in value:
            start, _, end = value.partition("/")
        else:
            return cls(PartialDate.parse(value))
        first, last = PartialDate.parse(start), PartialDate.parse(end)
        if last.first_day() < first.first_day():
            raise ValueError(f"period ends ({last}) before it starts ({first})")
        return cls(first, last)
