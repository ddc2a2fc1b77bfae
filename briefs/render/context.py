"""The render context: one audience's selection, in one language, ready to print.

Templates get plain strings already localized and typeset, never the model or
the other language, and never an item that was not selected.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from markupsafe import Markup

from briefs.audience.selection import Selection
from briefs.render.addressee import MinisterView, document_title, minister_view
from briefs.render.approval import ApprovalView, Signed, approval_view
from briefs.render.catalogue import Catalogue
from briefs.render.charts import bar_chart
from briefs.render.citations import Citations, SourceView
from briefs.render.markings import marking_text
from briefs.source.formats import date_text, period_text, typography, value_text
from briefs.source.model import REFERENCE, Action, AnalysisPart, Figure, Source, Text, name_text


@dataclass(frozen=True)
class ChangesView:
    """The "Changes since the edition of …" section, localized."""

    since: str
    added: list[str]
    removed: list[str]
    changed: list[str]
    unnamed: bool = False
    """Items left the brief that it must not name: say so, neutrally."""

    @property
    def wording_only(self) -> bool:
        return not (self.added or self.removed or self.changed or self.unnamed)


@dataclass(frozen=True)
class FigureView:
    id: str
    label: str
    value: str
    period: str | None
    source: str
    note: str | None
    key: bool
    topic: str | None


@dataclass(frozen=True)
class PointView:
    label: str
    value: str


@dataclass(frozen=True)
class SeriesView:
    id: str
    title: str
    source: str
    points: list[PointView]
    chart: Markup
    topic: str | None


@dataclass(frozen=True)
class Entry:
    """A sourced sentence: a fact, a milestone or a program."""

    id: str
    text: str
    source: str
    date: str | None = None
    name: str | None = None
    amount: str | None = None
    topic: str | None = None


@dataclass(frozen=True)
class TopicView:
    id: str
    title: str
    facts: list[Entry]
    figures: list[FigureView]
    series: list[SeriesView]


@dataclass(frozen=True)
class ContactView:
    name: str
    role: str
    organization: str
    email: str | None
    phone: str | None


@dataclass(frozen=True)
class PersonView:
    name: str
    title: str
    phone: str | None


@dataclass(frozen=True)
class BriefContext:
    """Everything a template may print, for one brief."""

    lang: str
    audience: str
    document_title: str
    title: str
    lead: str
    summary: str
    tracking_number: str
    as_of: str
    as_of_iso: str
    action: str
    marking: str | None
    prepared_by: PersonView
    topics: list[TopicView]
    figures: list[FigureView]
    series: list[SeriesView]
    milestones: list[Entry]
    programs: list[Entry]
    contacts: list[ContactView]
    analysis: dict[str, list[str]]
    cite: Citations
    edition: int = 1
    changes: ChangesView | None = None
    minister: MinisterView | None = None
    decision: bool = False
    """The note asks for a decision: it ends with the minister's decision block."""
    approval: ApprovalView = field(default_factory=ApprovalView)

    @property
    def key_figures(self) -> list[FigureView]:
        return [f for f in self.figures if f.key]


def build_context(
    selection: Selection,
    lang: str,
    labels: Catalogue,
    edition: int = 1,
    changes: ChangesView | None = None,
    approved: Signed | None = None,
) -> BriefContext:
    """Localize one selection; the only place the model meets a language.
    ``approved`` is the ledger's approval of this edition: its approver, their title and the day."""
    d = selection.printed
    plain = selection.audience.plain_language
    figures = {f.id: f for f in d.figures}

    def say(text: Text, simpler: Text | None = None) -> str:
        chosen = simpler if (plain and simpler is not None) else text
        resolved = REFERENCE.sub(
            lambda m: _figure_value(figures[m.group(1)], lang), chosen.get(lang)
        )
        return typography(resolved, lang)

    def maybe(text: Text | None) -> str | None:
        return None if text is None else say(text)

    sources = {s.id: _source(s, lang, say) for s in d.sources}
    figure_views = [
        FigureView(
            f.id,
            say(f.label),
            _figure_value(f, lang),
            period_text(f.period, lang) if f.period else None,
            f.source,
            maybe(f.note),
            f.key,
            f.topic,
        )
        for f in d.figures
    ]
    series = [
        SeriesView(
            s.id,
            say(s.title),
            s.source,
            [
                PointView(period_text(p.period, lang), value_text(p.value, s.unit, lang))
                for p in s.points
            ],
            bar_chart(
                say(s.title),
                [
                    (period_text(p.period, lang), float(p.value), value_text(p.value, s.unit, lang))
                    for p in s.points
                ],
                lang,
            ),
            s.topic,
        )
        for s in d.series
    ]
    facts = [Entry(f.id, say(f.text, f.plain), f.source, topic=f.topic) for f in d.facts]
    topics = [
        TopicView(
            t.id,
            say(t.title),
            [f for f in facts if f.topic == t.id],
            [f for f in figure_views if f.topic == t.id],
            [s for s in series if s.topic == t.id],
        )
        for t in d.header.topics
    ]
    analysis: dict[str, list[str]] = {part.value: [] for part in AnalysisPart}
    for a in d.analysis:
        analysis[a.part.value].append(say(a.text))
    h = d.header
    minister = minister_view(h.minister, say)
    return BriefContext(
        lang=lang,
        audience=selection.audience_name,
        document_title=document_title(selection.audience, h.minister, minister, labels, say),
        title=say(h.title),
        lead=say(h.lead),
        summary=say(h.summary),
        tracking_number=h.tracking_number,
        as_of=date_text(h.as_of, lang),
        as_of_iso=h.as_of.first_day().isoformat(),
        action=labels.gettext(
            "For decision" if h.action.value == "decision" else "For information"
        ),
        marking=marking_text(selection.level.value, lang) if selection.audience.marked else None,
        prepared_by=PersonView(
            typography(name_text(h.prepared_by.name, lang), lang),
            say(h.prepared_by.title),
            h.prepared_by.phone,
        ),
        topics=topics,
        figures=figure_views,
        series=series,
        milestones=[
            Entry(m.id, say(m.text, m.plain), m.source, date=date_text(m.date, lang))
            for m in sorted(d.milestones, key=lambda m: m.date.first_day())
        ],
        programs=[
            Entry(
                p.id,
                say(p.description, p.plain),
                p.source,
                name=say(p.name),
                amount=_figure_value(figures[p.figure], lang) if p.figure else None,
                date=period_text(p.period, lang) if p.period else None,
            )
            for p in d.programs
        ],
        contacts=[
            ContactView(
                typography(name_text(c.name, lang), lang),
                say(c.role),
                say(c.organization),
                c.email,
                c.phone,
            )
            for c in d.contacts
        ],
        analysis=analysis,
        cite=Citations(sources, selection.audience.citations.value),
        edition=edition,
        changes=changes,
        minister=minister,
        decision=h.action is Action.decision,
        approval=approval_view(selection.audience.approval == "required", approved, lang),
    )


def _figure_value(figure: Figure, lang: str) -> str:
    return value_text(figure.value, figure.unit, lang)


def _source(source: Source, lang: str, say: Callable[[Text], str]) -> SourceView:
    return SourceView(
        source.id,
        say(source.title),
        say(source.publisher),
        date_text(source.date, lang) if source.date else None,
        source.url_for(lang),
        say(source.note) if source.note else None,
    )
