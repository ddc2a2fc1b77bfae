"""The data format of a dossier: what analysts write in ``data/<dossier>/*.yaml``.

The format knows nothing about any one policy file. A dossier is a header plus
lists of typed items (figures, series, milestones, programs, facts, contacts,
analysis); every item carries its own classification, and texts exist in both
official languages. See docs/data-format.md.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from enum import Enum, StrEnum
from typing import Annotated, Literal

from pydantic import Field, model_validator

from briefs.source.bilingual import NonEmpty as NonEmpty
from briefs.source.bilingual import Strict as Strict
from briefs.source.bilingual import Text as Text
from briefs.source.dates import PartialDate, Period
from briefs.source.minister import Minister

Id = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=80)]
Amount = Annotated[Decimal, Field(allow_inf_nan=False, ge=-(10**15), le=10**15)]
"""A figure's value: finite, and within a quadrillion either way."""
REFERENCE = re.compile(r"\{([a-z0-9][a-z0-9-]*)\}")


class Classification(StrEnum):
    """Government of Canada security levels, lowest first."""

    unclassified = "unclassified"
    protected_a = "protected_a"
    protected_b = "protected_b"
    protected_c = "protected_c"

    @property
    def rank(self) -> int:
        return list(Classification).index(self)


class Unit(Enum):
    """How a figure's value reads: drives number formatting per language."""

    count = "count"
    money = "money"
    percent = "percent"
    per_100k = "per_100k"


class Action(StrEnum):
    information = "information"
    decision = "decision"


class AnalysisPart(StrEnum):
    """The decision-oriented parts of a briefing note, in reading order."""

    issue = "issue"
    status = "status"
    considerations = "considerations"
    next_steps = "next_steps"
    recommendation = "recommendation"


Name = NonEmpty | Text
"""A person's name is written once, as it is (a plain string); a role or a
placeholder ("Media Relations Office", "Sample Analyst") is a Text in both
languages, since it is translated."""

Url = Annotated[str, Field(pattern=r"^https?://\S+$", max_length=2000)]


class Urls(Strict):
    """A web page in both official languages: the French brief links the French page."""

    en: Url
    fr: Url

    def get(self, lang: str) -> str:
        return str(getattr(self, lang))


def name_text(name: Name, lang: str) -> str:
    """A name as it prints in ``lang``: a person's as written, a role's translated."""
    return name if isinstance(name, str) else name.get(lang)


class Person(Strict):
    name: Name
    title: Text
    phone: str | None = None


class Topic(Strict):
    """A heading under which facts and figures are grouped, defined per dossier."""

    id: Id
    title: Text


class Header(Strict):
    """The dossier itself: what every brief of it shows at the top."""

    title: Text
    lead: Text
    summary: Text
    tracking_number: NonEmpty
    as_of: PartialDate
    action: Action = Action.information
    minister: Minister
    prepared_by: Person
    topics: list[Topic] = Field(min_length=1)

    @model_validator(mode="after")
    def _full_as_of(self) -> Header:
        if self.as_of.precision != "day":
            raise ValueError("as_of must be a full date (YYYY-MM-DD)")
        return self


class Item(Strict):
    """Anything that may or may not reach an audience. Default-deny: the
    classification is required, and ``audiences`` can only narrow it."""

    id: Id
    classification: Classification
    audiences: list[Id] | None = None


class Source(Item):
    title: Text
    publisher: Text
    date: PartialDate | None = None
    """When the source was published; needed by every figure or series citing it
    that has no ``published`` date of its own."""
    url: Url | Urls | None = None
    """One URL, or ``{en: …, fr: …}``: each brief links the page in its language."""
    note: Text | None = None

    def url_for(self, lang: str) -> str | None:
        return self.url if self.url is None or isinstance(self.url, str) else self.url.get(lang)


class Sourced(Item):
    source: Id


class Dated(Sourced):
    """A figure or series: true only from the day its source published it."""

    published: PartialDate | None = None
    """When this number was published, if not its source's ``date`` (a page
    updated after it first appeared, say)."""

    def published_on(self, dated: Mapping[str, PartialDate | None]) -> PartialDate | None:
        """Its own ``published`` date, else its source's (``dated``: by source id)."""
        return self.published if self.published is not None else dated.get(self.source)


class Figure(Dated):
    label: Text
    value: Amount
    unit: Unit = Unit.count
    period: Period | None = None
    topic: Id | None = None
    key: bool = False
    note: Text | None = None


class Point(Strict):
    period: Period
    value: Amount


class Series(Dated):
    title: Text
    unit: Unit = Unit.count
    points: list[Point] = Field(min_length=2)
    topic: Id | None = None


class Milestone(Sourced):
    date: PartialDate
    text: Text
    plain: Text | None = None


class Program(Sourced):
    name: Text
    description: Text
    plain: Text | None = None
    figure: Id | None = None
    """A money figure giving the program's funding, so the amount is typed once."""
    period: Period | None = None


class Fact(Sourced):
    topic: Id
    text: Text
    plain: Text | None = None


class Contact(Item):
    name: Name
    role: Text
    organization: Text
    email: str | None = None
    phone: str | None = None


class Analysis(Item):
    """Internal advice for officials; normally Protected."""

    part: AnalysisPart
    text: Text


SECTIONS: dict[str, type[Item]] = {
    "sources": Source,
    "figures": Figure,
    "series": Series,
    "milestones": Milestone,
    "programs": Program,
    "facts": Fact,
    "contacts": Contact,
    "analysis": Analysis,
}


class DossierFile(Strict):
    """One YAML file of a dossier; a dossier may be split over several."""

    dossier: Header | None = None
    sources: list[Source] = []
    figures: list[Figure] = []
    series: list[Series] = []
    milestones: list[Milestone] = []
    programs: list[Program] = []
    facts: list[Fact] = []
    contacts: list[Contact] = []
    analysis: list[Analysis] = []


class Dossier(Strict):
    """All files of one dossier, merged and cross-checked."""

    name: str
    header: Header
    sources: list[Source]
    figures: list[Figure]
    series: list[Series]
    milestones: list[Milestone]
    programs: list[Program]
    facts: list[Fact]
    contacts: list[Contact]
    analysis: list[Analysis]

    def header_texts(self) -> list[tuple[tuple[str | int, ...], Text]]:
        """Every text of the header, by location: they may cite figures too."""
        h = self.header
        texts: list[tuple[tuple[str | int, ...], Text]] = [
            (("dossier", name), value) for name, value in h if isinstance(value, Text)
        ]
        texts.append((("dossier", "prepared_by", "title"), h.prepared_by.title))
        if isinstance(h.prepared_by.name, Text):
            texts.append((("dossier", "prepared_by", "name"), h.prepared_by.name))
        texts.append((("dossier", "minister", "title"), h.minister.title))
        texts += [(("dossier", "topics", i, "title"), t.title) for i, t in enumerate(h.topics)]
        return texts

    def items(self) -> list[Item]:
        """Every classified item, in section order."""
        return [item for section in SECTIONS for item in getattr(self, section)]


Lang = Literal["en", "fr"]


def texts_of(item: Item) -> list[tuple[str, Text]]:
    """The bilingual texts an item carries, by field name."""
    return [(name, value) for name, value in item if isinstance(value, Text)]
