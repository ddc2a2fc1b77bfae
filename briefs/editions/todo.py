"""What each brief needs: a new edition, a restore, or nothing; and its HTML.

A brief needs a new edition when its fingerprint differs from its last one.
Its HTML carries the edition number and, after the first, what changed since
the previous edition; the leak guard reads that HTML before any worker does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from briefs.audience.guard import Phrase, Watchlist, html_text, line_of, printed_for, shorten
from briefs.audience.plan import Brief
from briefs.editions.changes import compare, withdrawn
from briefs.editions.changes import load as load_snapshot
from briefs.editions.digests import Digests
from briefs.editions.fingerprint import fingerprint, snapshot
from briefs.editions.ledger import Edition, Ledger
from briefs.editions.publish import next_number, restore
from briefs.errors import Leak, LeakDetected
from briefs.render.catalogue import catalogue
from briefs.render.context import build_context
from briefs.render.templates import environment, render_html, template_closure
from briefs.source.files import Folders
from briefs.source.model import Item


@dataclass
class Todo:
    """A brief to render as edition ``number``, compared with ``previous``."""

    brief: Brief
    number: int
    fingerprint: str
    snapshot: str
    previous: Edition | None
    last: Edition | None
    existing: frozenset[str] = frozenset()
    """Every item id of the dossier that the change section must not name."""
    forbidden: list[Item] = field(default_factory=list)
    watch: Watchlist | None = None

    @classmethod
    def first(cls, brief: Brief) -> Todo:
        """The brief as a first edition: no previous one to compare with."""
        return cls(brief, 1, "", _content(brief), None, None, _ids(brief))

    def as_next_edition(self) -> Todo:
        """The same content as a new edition, compared with the last one."""
        return Todo(
            self.brief,
            self.number + 1,
            self.fingerprint,
            self.snapshot,
            self.last,
            self.last,
            _ids(self.brief),
            self.forbidden,
        )


def html_for(todo: Todo, templates: Path) -> str:
    """The brief's HTML, checked by the leak guard; cheap, no WeasyPrint."""
    brief, previous = todo.brief, todo.previous
    changes = None
    if previous is not None:
        old, new = load_snapshot(previous.snapshot), load_snapshot(todo.snapshot)
        since, sections = previous.edition_date, brief.selection.audience.sections
        changes = compare(old, new, set(todo.existing), brief.lang, since, sections)
    labels = catalogue(templates, brief.lang)
    context = build_context(brief.selection, brief.lang, labels, todo.number, changes)
    printed: list[str] = []
    html = render_html(templates, brief.selection.audience.template, context, printed)
    todo.watch = _watchlist(todo, printed)
    guard(todo, html_text(html), templates)
    return html


def guard(todo: Todo, text: str, templates: Path) -> None:
    """Refuse the brief if ``text`` holds words of an item its audience may
    not see, naming the words, the item and where they came from."""
    if todo.watch is None:
        todo.watch = _watchlist(todo)
    found = todo.watch.found(text)
    if not found:
        return
    loaded = todo.brief.loaded
    leaks = []
    for item, phrase in found.items():
        origin = loaded.where(item)
        leaks.append(Leak(item, shorten(phrase), origin.file, origin.line))
    template = _printed_by(templates, todo.brief.selection.audience.template, list(found.values()))
    raise LeakDetected(todo.brief.name, leaks, template)


def _watchlist(todo: Todo, labels: list[str] | None = None) -> Watchlist:
    """What the guard looks for in this brief. What the audience may read anyway
    is no evidence of a leak: the header, the included items, and the ``labels``
    the template printed. The context is not trusted for this, since a bug
    there is what the guard is for."""
    selection = todo.brief.selection
    excluded = [*selection.excluded, *todo.forbidden]
    printed = [*(labels or []), *printed_for(selection)]
    return Watchlist(excluded, selection.dossier.items(), printed)


def _printed_by(templates: Path, name: str, phrases: list[Phrase]) -> tuple[str, int] | None:
    """The template (or one it uses) whose own text holds one of the phrases."""
    env = environment(templates)
    assert env.loader is not None
    for used in template_closure(env, name):
        source = env.loader.get_source(env, used)[0]
        for phrase in phrases:
            line = line_of(phrase, source)
            if line is not None:
                return used, line
    return None


@dataclass
class Decision:
    """What :func:`decide` found: briefs to render, current ones, restored ones."""

    todo: list[Todo] = field(default_factory=list)
    current: int = 0
    restored: list[Path] = field(default_factory=list)


def decide(
    briefs: list[Brief],
    folders: Folders,
    ledger: Ledger,
    digests: Digests,
    keys: dict[str, str],
    force: bool,
) -> Decision:
    """Which briefs need a new edition; restore intact ones whose PDF went missing."""
    decision = Decision()
    todo = decision.todo
    env = environment(folders.templates)
    for brief in briefs:
        t = brief.target
        content = _content(brief)
        mark = fingerprint(brief.selection, brief.lang, folders.templates, env, digests)
        last = ledger.last(t.dossier, t.audience, t.lang)
        if last is not None and last.fingerprint == mark:
            if not force and digests.of(folders.root / last.output) == last.sha256:
                ledger.set_inputs(t.dossier, t.audience, t.lang, keys[t.dossier])
                decision.current += 1
                continue
            if not force and restore(folders, last):
                ledger.set_inputs(t.dossier, t.audience, t.lang, keys[t.dossier])
                decision.restored.append(t.output(folders))
                continue
            # The same edition again: compared as it was, leaving unnamed what it did.
            before = ledger.get(t.dossier, t.audience, t.lang, last.number - 1)
            existing = frozenset(json.loads(last.existing))
            todo.append(Todo(brief, last.number, mark, content, before, last, existing))
        else:
            number = next_number(folders, t, last)
            todo.append(Todo(brief, number, mark, content, last, last, _ids(brief)))
        if last is not None:
            todo[-1].forbidden = _left(ledger, todo[-1])
    ledger.flush()
    return decision


def _content(brief: Brief) -> str:
    """The snapshot an edition records: what the brief's audience sees, in its language."""
    return json.dumps(snapshot(brief.selection, brief.lang), sort_keys=True, ensure_ascii=False)


def _left(ledger: Ledger, todo: Todo) -> list[Item]:
    """Every old wording, in both languages and from every edition the ledger
    holds, of the items that have left this brief's audience."""
    t = todo.brief.target
    visible = {i.id for i in todo.brief.selection.dossier.items()}
    if not set(todo.existing) - visible:
        return []  # nothing is hidden from this audience: no need to read the history
    return withdrawn(ledger.snapshots(t.dossier, t.audience), visible, set(todo.existing))


def _ids(brief: Brief) -> frozenset[str]:
    return frozenset(i.id for i in brief.loaded.dossier.items())
