"""Choose what each audience may see, before any template runs.

Default-deny: an item reaches an audience only when its classification is
within the audience's clearance and, if it lists audiences, the audience is
listed. Templates receive the selected dossier only, so they cannot print what
they were never given; the leak guard then checks the rendered text.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from briefs.errors import Problem
from briefs.source.config import Audience
from briefs.source.loading import Loaded, Origin
from briefs.source.model import (
    REFERENCE,
    SECTIONS,
    Classification,
    Dossier,
    Figure,
    Item,
    Series,
    Text,
    Unit,
    texts_of,
)


def visible(item: Item, name: str, audience: Audience) -> bool:
    """May the audience called ``name`` see this item?"""
    if item.classification.rank > audience.clearance.rank:
        return False
    return item.audiences is None or name in item.audiences


@dataclass(frozen=True)
class Selection:
    """What one audience gets of one dossier, and what it must not get."""

    audience_name: str
    audience: Audience
    dossier: Dossier
    excluded: tuple[Item, ...]

    @cached_property
    def printed(self) -> Dossier:
        """What its template may print: the audience's ``sections`` of what it may
        see. Fingerprint, snapshot and render context all take this, so a brief
        changes, and says it changed, only when what it prints does. A
        plain-language audience gets each set of numbers charted once."""
        chosen = printed(self.dossier, self.audience.sections)
        if not self.audience.plain_language:
            return chosen
        return chosen.model_copy(update={"series": charted_once(chosen.series)})

    @property
    def level(self) -> Classification:
        """The highest classification actually printed: what the marking says."""
        items = self.printed.items()
        return max(
            (i.classification for i in items),
            key=lambda c: c.rank,
            default=Classification.unclassified,
        )


def select(loaded: Loaded, name: str, audience: Audience) -> tuple[Selection, list[Problem]]:
    """Filter the dossier for one audience and check it is self-contained."""
    full = loaded.dossier
    kept: dict[str, list[Item]] = {}
    excluded: list[Item] = []
    for section in SECTIONS:
        kept[section] = []
        for item in getattr(full, section):
            (kept[section] if visible(item, name, audience) else excluded).append(item)
    dossier = full.model_copy(update=kept)
    problems = _dangling(loaded, dossier, name)
    return Selection(name, audience, dossier, tuple(excluded)), problems


def printed(dossier: Dossier, sections: list[str] | None) -> Dossier:
    """The declared sections of a selected dossier, plus what their items cite
    (sources, figures), since a brief prints a citation with what cites it."""
    if sections is None:
        return dossier
    key_figures = "key_figures" in sections
    pending = [
        item
        for name in SECTIONS
        for item in getattr(dossier, name)
        if name in sections or (key_figures and isinstance(item, Figure) and item.key)
    ]
    by_id = {item.id: item for item in dossier.items()}
    for _, text in dossier.header_texts():
        pending += [by_id[ref] for ref in _refs(text) if ref in by_id]
    keep: set[str] = set()
    while pending:
        item = pending.pop()
        if item.id not in keep:
            keep.add(item.id)
            cited = {getattr(item, "source", None), getattr(item, "figure", None)}
            cited.update(ref for _, text in texts_of(item) for ref in _refs(text))
            pending += [by_id[ref] for ref in cited if ref in by_id]
    kept = {name: [i for i in getattr(dossier, name) if i.id in keep] for name in SECTIONS}
    return dossier.model_copy(update=kept)


RATES = (Unit.per_100k, Unit.percent)
"""Units that restate a count relative to something else."""


def charted_once(series: list[Series]) -> list[Series]:
    """The series without a rate that restates a count: one with the same source
    and the same periods as a count series is the same data again, a second,
    near-identical chart that a plain-language reader does not need. The count
    stays, as the number a reader grasps."""
    counts = {(s.source, _periods(s)) for s in series if s.unit is Unit.count}
    return [s for s in series if s.unit not in RATES or (s.source, _periods(s)) not in counts]


def _periods(series: Series) -> tuple[str, ...]:
    return tuple(str(p.period) for p in series.points)


def _dangling(loaded: Loaded, dossier: Dossier, name: str) -> list[Problem]:
    """A visible item that cites a source or figure the audience cannot see would
    either leak it or print a hole; both are the analyst's call, so report it."""
    visible_ids = {
        "source": {s.id for s in dossier.sources},
        "figure": {f.id for f in dossier.figures},
    }
    problems: list[Problem] = []

    def hidden(where: Origin, field: str, kind: str, ref: str) -> Problem:
        return Problem(
            where.file,
            where.line,
            f"{where.path}.{field}",
            f"visible to {name!r} but cites {kind} {ref!r}, which that audience may "
            f"not see; lower that {kind}'s classification or narrow this item",
        )

    for item in dossier.items():
        where = loaded.where(item.id)
        for kind, ids in visible_ids.items():
            ref = getattr(item, kind, None)
            if ref is not None and ref not in ids:
                problems.append(hidden(where, kind, kind, ref))
        for field_name, text in texts_of(item):
            for ref in sorted(_refs(text) - visible_ids["figure"]):
                problems.append(hidden(where, field_name, "figure", ref))
    for location, text in dossier.header_texts():
        at = loaded.header_where(location)
        for ref in sorted(_refs(text) - visible_ids["figure"]):
            problems.append(
                Problem(
                    at.file,
                    at.line,
                    at.path,
                    f"visible to {name!r} but cites figure {ref!r}, which that "
                    "audience may not see; the header is shown to every audience",
                )
            )
    return problems


def _refs(text: Text) -> set[str]:
    return set(REFERENCE.findall(text.en)) | set(REFERENCE.findall(text.fr))
