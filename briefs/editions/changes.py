"""What changed since the previous edition, for one audience in one language.

Only what the audience may see now is described. An item that left the
audience by being reclassified or narrowed is not mentioned at all: naming it,
even as "removed", would tell the reader what it was.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from briefs.render.context import ChangesView
from briefs.source.dates import PartialDate, Period
from briefs.source.formats import date_text, period_text, typography, value_text
from briefs.source.model import REFERENCE, SECTIONS, Item, Unit

Snapshot = dict[str, Any]


def _items(snapshot: Snapshot) -> dict[str, tuple[str, dict[str, Any]]]:
    return {item["id"]: (section, item) for section in SECTIONS for item in snapshot[section]}


class _Describer:
    """Says an item of a snapshot in one language, with its figures resolved."""

    def __init__(self, snapshot: Snapshot, lang: str) -> None:
        self.lang = lang
        self.figures = {f["id"]: f for f in snapshot["figures"]}

    def text(self, value: str) -> str:
        raw = REFERENCE.sub(lambda m: self.value(self.figures[m.group(1)]), value)
        return typography(raw, self.lang)

    def value(self, figure: dict[str, Any]) -> str:
        shown = value_text(Decimal(figure["value"]), Unit(figure["unit"]), self.lang)
        if figure.get("period"):
            shown += f" ({period_text(Period.parse(figure['period']), self.lang)})"
        return shown

    def item(self, section: str, item: dict[str, Any]) -> str:
        if section == "figures":
            return f"{self.text(item['label'])}: {self.value(item)}"
        if section == "milestones":
            when = date_text(PartialDate.parse(item["date"]), self.lang)
            return f"{when}: {self.text(item['text'])}"
        if section == "sources":
            return f"{self.text(item['publisher'])}, {self.text(item['title'])}"
        if section == "contacts":
            return f"{item['name']}, {self.text(item['role'])}"
        for field in ("title", "name", "text"):
            if field in item:
                return self.text(item[field])
        return str(item["id"])


def _value_changes(
    section: str, old: dict[str, Any], new: dict[str, Any], was: _Describer, now: _Describer
) -> list[str]:
    """Changed values as "label: old → new"; wording alone is not a change of fact."""
    if section == "figures" and was.value(old) != now.value(new):
        return [f"{now.text(new['label'])}: {was.value(old)} → {now.value(new)}"]
    if section == "milestones" and old["date"] != new["date"]:
        before, after = (date_text(PartialDate.parse(i["date"]), now.lang) for i in (old, new))
        return [f"{now.text(new['text'])}: {before} → {after}"]
    if section == "series":
        unit = Unit(new["unit"])
        earlier = {p["period"]: p["value"] for p in old["points"]}
        lines = []
        for point in new["points"]:
            label = period_text(Period.parse(point["period"]), now.lang)
            after = value_text(Decimal(point["value"]), unit, now.lang)
            if point["period"] not in earlier:
                lines.append(f"{now.text(new['title'])}, {label}: {after}")
            elif earlier[point["period"]] != point["value"]:
                old_value = value_text(Decimal(earlier[point["period"]]), unit, now.lang)
                lines.append(f"{now.text(new['title'])}, {label}: {old_value} → {after}")
        return lines
    if section == "programs" and old.get("figure") and new.get("figure"):
        before = was.value(was.figures[old["figure"]])
        after = now.value(now.figures[new["figure"]])
        if before != after:
            return [f"{now.text(new['name'])}: {before} → {after}"]
    return []


def compare(
    old: Snapshot,
    new: Snapshot,
    existing: set[str],
    lang: str,
    since: str,
    sections: list[str] | None = None,
) -> ChangesView:
    """Describe ``new`` against ``old``; ``existing`` holds every id in the dossier
    now, whatever its audience, so withdrawn-but-existing items stay unnamed: the
    section then says only that some content was revised, which is true without
    telling what, and never that only the wording changed. An item of a section
    the audience does not print (``sections``) left the layout, not the content."""
    before, after = _items(old), _items(new)
    was, now = _Describer(old, lang), _Describer(new, lang)
    added = [now.item(*after[i]) for i in after if i not in before]
    removed = [was.item(*before[i]) for i in before if i not in after and i not in existing]
    changed = [
        line
        for i in after
        if i in before
        for line in _value_changes(after[i][0], before[i][1], after[i][1], was, now)
    ]
    plus, minus, values = (
        [typography(line, lang) for line in lines] for lines in (added, removed, changed)
    )
    unnamed = any(
        i not in after and i in existing and _declared(*before[i], sections) for i in before
    )
    return ChangesView(date_text(PartialDate.parse(since), lang), plus, minus, values, unnamed)


def _declared(section: str, item: dict[str, Any], sections: list[str] | None) -> bool:
    """Is this (old) item of a section that the audience declares it prints?
    (A snapshot's item, so this mirrors ``selection.printed`` on plain data.)"""
    if sections is None or section in sections:
        return True
    return section == "figures" and "key_figures" in sections and bool(item.get("key"))


def withdrawn(history: Iterable[str], visible: set[str], existing: set[str]) -> list[Item]:
    """Every wording that any remembered edition showed, in either language, of
    an item that still exists but that this audience may no longer see: the
    leak guard must look for all of them, not only the last edition's.

    ``history`` holds snapshots of both languages; each wording becomes its own
    item (same id), so the guard looks for every one. Deleted items are left
    out: the change section names them as removed, and the audience saw them.
    """
    hidden = existing - visible
    seen: set[str] = set()
    items: list[Item] = []
    for text in history:
        if not any(i in text for i in hidden):
            continue  # an id is a plain slug in the JSON: absent, nothing to parse
        old = load(text)
        for section, model in SECTIONS.items():
            for item in old.get(section, []):
                key = json.dumps(item, sort_keys=True) if item["id"] in hidden else None
                if key is not None and key not in seen:
                    seen.add(key)
                    items.append(model.model_validate(_both_languages(model, item)))
    return items


def _both_languages(model: type[Item], item: dict[str, Any]) -> dict[str, Any]:
    """A snapshot keeps one language; give each text to both so the model loads."""
    texts = {name for name, f in model.model_fields.items() if "Text" in str(f.annotation)}
    return {
        key: {"en": value, "fr": value} if key in texts and isinstance(value, str) else value
        for key, value in item.items()
    }


def load(text: str) -> Snapshot:
    snapshot: Snapshot = json.loads(text)
    return snapshot
