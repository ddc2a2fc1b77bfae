"""What each brief needs: a new edition, a restore, or nothing; and its HTML.

A brief needs a new edition when its fingerprint differs from its last one.
Deciding keeps only that (a :class:`Todo`); the brief is loaded again when it
is rendered (a :class:`Draft`). Its HTML carries the edition number and, after
the first, what changed since the previous edition; the leak guard reads that
HTML before any worker does.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment

from briefs.audience.guard import Phrase, Watchlist, html_text, line_of, printed_for, shorten
from briefs.audience.plan import Brief, Target
from briefs.editions.approvals import shown
from briefs.editions.changes import compare, withdrawn
from briefs.editions.changes import load as load_snapshot
from briefs.editions.digests import Digests
from briefs.editions.fingerprint import fingerprint, snapshot
from briefs.editions.ledger import Edition, Ledger
from briefs.editions.publish import next_number, restore
from briefs.errors import Leak, LeakDetected
from briefs.render.approval import Signed
from briefs.render.catalogue import catalogue
from briefs.render.context import build_context
from briefs.render.templates import environment, render_html, template_closure
from briefs.source.files import Folders
from briefs.source.model import Item


@dataclass
class Todo:
    """A brief to render as edition ``number``, compared with edition ``previous``.

    Small on purpose: a build holds one for every brief it renders. Its dossier
    is loaded again, and its editions (whose snapshots are large) read again
    from the ledger, when its turn comes: see :class:`Draft`.
    """

    target: Target
    number: int
    fingerprint: str
    previous: int | None
    """The edition the change section compares with."""
    last: int | None
    """The brief's last published edition."""
    existing: frozenset[str] | None = None
    """Every item id of the dossier that the change section must not name; None
    (a new edition): every id the dossier has when it is loaded again."""
    forbidden: list[Item] | None = None
    """Old wordings the guard looks for; None: read from the ledger when drafted."""
    approved: Signed | None = None
    """Render it as approved by this person (with their title) on this day (``briefs approve``);
    None: as a build does, a draft if its audience needs approval."""


@dataclass
class Draft:
    """A todo with its dossier loaded: what rendering, guarding and publishing it
    need, dropped once it is published. The fingerprint and snapshot are taken
    from what is rendered, in case the dossier changed since :func:`decide`."""

    todo: Todo
    brief: Brief
    fingerprint: str
    snapshot: str
    existing: frozenset[str]
    previous: Edition | None = None
    last: Edition | None = None
    forbidden: list[Item] = field(default_factory=list)
    watch: Watchlist | None = None
    approved: Signed | None = None

    @classmethod
    def first(cls, brief: Brief) -> Draft:
        """The brief as a first edition: no previous one to compare with."""
        todo = Todo(brief.target, 1, "", None, None)
        return cls(todo, brief, "", _encoded(snapshot(brief.selection, brief.lang)), _ids(brief))

    def as_next_edition(self) -> Todo:
        """The same content as a new edition, compared with the last one."""
        last = self.todo.last
        number = self.todo.number + 1
        return Todo(self.todo.target, number, self.fingerprint, last, last, None, self.forbidden)


def draft_for(
    todo: Todo, brief: Brief, ledger: Ledger, folders: Folders, digests: Digests
) -> Draft:
    """The todo with its brief loaded again: the fingerprint and snapshot it
    records are those of what it renders, and the words the guard looks for."""
    t, env = todo.target, environment(folders.templates)
    content = snapshot(brief.selection, brief.lang)
    mark = fingerprint(brief.selection, brief.lang, folders.templates, env, digests, content)
    existing = _ids(brief) if todo.existing is None else todo.existing
    at = (t.dossier, t.audience, t.lang)
    previous = None if todo.previous is None else ledger.get(*at, todo.previous)
    last = None if todo.last is None else ledger.get(*at, todo.last)
    forbidden = todo.forbidden
    if forbidden is None:
        forbidden = [] if last is None else _left(ledger, brief, existing)
    drafted = Draft(todo, brief, mark, _encoded(content), existing, previous, last, forbidden)
    drafted.approved = todo.approved
    return drafted


def html_for(draft: Draft, templates: Path) -> str:
    """The brief's HTML, checked by the leak guard; cheap, no WeasyPrint."""
    brief, previous = draft.brief, draft.previous
    changes = None
    if previous is not None:
        old, new = load_snapshot(previous.snapshot), load_snapshot(draft.snapshot)
        since, sections = previous.edition_date, brief.selection.audience.sections
        changes = compare(old, new, set(draft.existing), brief.lang, since, sections)
    labels = catalogue(templates, brief.lang)
    number = draft.todo.number
    context = build_context(brief.selection, brief.lang, labels, number, changes, draft.approved)
    printed: list[str] = []
    html = render_html(templates, brief.selection.audience.template, context, printed)
    draft.watch = _watchlist(draft, printed)
    guard(draft, html_text(html), templates)
    return html


def guard(draft: Draft, text: str, templates: Path) -> None:
    """Refuse the brief if ``text`` holds words of an item its audience may
    not see, naming the words, the item and where they came from."""
    if draft.watch is None:
        draft.watch = _watchlist(draft)
    found = draft.watch.found(text)
    if not found:
        return
    loaded = draft.brief.loaded
    leaks = []
    for item, phrase in found.items():
        origin = loaded.where(item)
        leaks.append(Leak(item, shorten(phrase), origin.file, origin.line))
    template = _printed_by(templates, draft.brief.selection.audience.template, list(found.values()))
    raise LeakDetected(draft.brief.name, leaks, template)


def _watchlist(draft: Draft, labels: list[str] | None = None) -> Watchlist:
    """What the guard looks for in this brief. What the audience may read anyway
    is no evidence of a leak: the header, the included items, and the ``labels``
    the template printed. The context is not trusted for this, since a bug
    there is what the guard is for."""
    selection = draft.brief.selection
    excluded = [*selection.excluded, *draft.forbidden]
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
    dossiers: Iterable[list[Brief]],
    folders: Folders,
    ledger: Ledger,
    digests: Digests,
    keys: dict[str, str],
    force: bool,
) -> Decision:
    """Which briefs need a new edition; restore intact ones whose PDF went missing.

    Every dossier is read (and validated, see :func:`~briefs.audience.plan.survey`)
    before anything is written, but only each brief's fingerprint is kept.
    """
    env = environment(folders.templates)
    marks = [
        (brief.target, current_fingerprint(brief, folders, env, digests))
        for briefs in dossiers
        for brief in briefs
    ]
    decision = Decision()
    todo = decision.todo
    for t, mark in marks:
        last = ledger.last(t.dossier, t.audience, t.lang)
        if last is not None and last.fingerprint == mark:
            held = shown(ledger, last)  # its approved PDF, once approved
            if not force and digests.of(folders.root / last.output) == held[1]:
                ledger.set_inputs(t.dossier, t.audience, t.lang, keys[t.dossier])
                decision.current += 1
                continue
            if not force and restore(folders, last, held):
                ledger.set_inputs(t.dossier, t.audience, t.lang, keys[t.dossier])
                decision.restored.append(t.output(folders))
                continue
            # The same edition again: compared as it was, leaving unnamed what it did.
            existing = frozenset(json.loads(last.existing))
            todo.append(Todo(t, last.number, mark, last.number - 1, last.number, existing))
        else:
            number = None if last is None else last.number
            todo.append(Todo(t, next_number(folders, t, last), mark, number, number))
    ledger.flush()
    return decision


def current_fingerprint(brief: Brief, folders: Folders, env: Environment, digests: Digests) -> str:
    """The fingerprint the brief has now: what :func:`decide` compares with its
    last edition's, and ``briefs approve`` too, to refuse a stale edition."""
    return fingerprint(brief.selection, brief.lang, folders.templates, env, digests)


def _encoded(content: dict[str, Any]) -> str:
    """The snapshot as an edition records it: what the brief's audience sees, in its language."""
    return json.dumps(content, sort_keys=True, ensure_ascii=False)


def _left(ledger: Ledger, brief: Brief, existing: frozenset[str]) -> list[Item]:
    """Every old wording, in both languages and from every edition the ledger
    holds, of the items that have left this brief's audience."""
    t = brief.target
    visible = {i.id for i in brief.selection.dossier.items()}
    if not set(existing) - visible:
        return []  # nothing is hidden from this audience: no need to read the history
    return withdrawn(ledger.snapshots(t.dossier, t.audience), visible, set(existing))


def _ids(brief: Brief) -> frozenset[str]:
    return frozenset(i.id for i in brief.loaded.dossier.items())
