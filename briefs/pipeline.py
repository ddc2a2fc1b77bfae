"""The pipeline, top to bottom, in :func:`run`:
load → select → fingerprint → render HTML → render PDF → guard → publish.

Bad input stops everything before any file is touched. After that, each brief
stands alone: one refused by the leak guard or its page budget is not written
(its last good PDF stays), the others are published, and the refusal is
reported with exit code 1. This is where a :class:`Project` is taken apart:
each stage receives the folders, settings and values it needs.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from briefs.audience.plan import Brief, briefs_of, survey
from briefs.editions.approvals import Approval, Listed, listing, mark_draft, settle, shown
from briefs.editions.approving import approval_languages, approve_all, check_approver
from briefs.editions.atomic import write_atomic
from briefs.editions.digests import Digests
from briefs.editions.faults import ensure_writable
from briefs.editions.fresh import assess, inputs_keys
from briefs.editions.ledger import Edition, Ledger, Trigger, open_ledger, read_ledger
from briefs.editions.publish import publish, restore
from briefs.editions.stream import render_all
from briefs.editions.todo import Draft, Todo, decide, html_for
from briefs.errors import BriefsRefused, Problem, UnknownDossier
from briefs.render.shipped import font_problems
from briefs.render.templates import template_problems
from briefs.render.workers import RenderPool, default_jobs
from briefs.request import Report, Request, nothing_to_do
from briefs.source.config import Project
from briefs.source.files import Folders

log = logging.getLogger(__name__)


def build(
    project: Project,
    dossiers: list[str] | None = None,
    audiences: list[str] | None = None,
    langs: list[str] | None = None,
    **options: Any,
) -> Report:
    """Bring the briefs asked for (all by default) up to date; raise InvalidInput
    on bad input. ``options`` are the other fields of :class:`Request`."""
    request = Request(dossiers, audiences, langs, **options)
    current = nothing_to_do(project.root, request)
    if current is not None:
        return Report(current=current)
    return run(project, request)


def run(project: Project, request: Request) -> Report:
    """Build what changed (everything with ``force``) and publish new editions."""
    report = Report()
    force = request.force or request.html  # HTML is for inspection: always write it
    dossiers, audiences, langs = request.dossiers, request.audiences, request.langs
    folders, settings = project.folders, project.settings
    own = RenderPool(folders.assets, request.jobs or default_jobs(), folders.cache)
    with nullcontext(request.pool) if request.pool else own as pool, open_ledger(folders) as ledger:
        settle(ledger, folders.root)
        digests = Digests(ledger)
        fresh = (
            None
            if force
            else assess(folders, ledger, digests, dossiers or [], audiences or [], langs or [])
        )
        if fresh is not None and not fresh.stale:
            digests.save()
            return Report(current=fresh.current)
        if fresh is not None:
            dossiers, report.current = fresh.stale, fresh.current  # the rest are current
        # Keys first, then load: an edit landing in between makes the key stale,
        # so the next build looks again instead of trusting an old PDF.
        keys = inputs_keys(folders, digests, dossiers or folders.dossiers())
        # Every dossier is validated before anything is written, but only each
        # brief's fingerprint is kept: rendering loads each dossier again.
        briefs = _survey(project, dossiers, audiences, langs)
        decision = decide(briefs, folders, ledger, digests, keys, force)
        report.current += decision.current
        report.restored += decision.restored
        _remember_plan(project, ledger, digests)
        digests.save()
        assets = digests.tree(folders.assets)  # renderers made from other assets are stale
        moment = request.now or datetime.now(UTC)
        todo = decision.todo
        for folder in sorted({item.target.output(folders).parent for item in todo}):
            ensure_writable(folder)  # say so now, not after rendering

        def load(name: str) -> tuple[list[Brief], list[Problem]]:
            return briefs_of(folders, settings.audiences, name, audiences, langs)

        while todo:  # a second round only for editions whose bytes moved (see _publish)
            redo: list[Todo] = []
            rendered = render_all(todo, load, ledger, folders, digests, pool, assets)
            for done, (item, outcome) in enumerate(rendered, 1):
                if isinstance(outcome, Problem):
                    report.problems.append(_kept(outcome, item, folders))
                elif _publish(
                    *outcome,
                    ledger=ledger,
                    folders=folders,
                    keys=keys,
                    trigger=request.trigger,
                    now=moment,
                    timezone=settings.timezone,
                    html=request.html,
                ):
                    report.built.append(item.target.output(folders))
                else:
                    redo.append(outcome[0].as_next_edition())
                if request.progress:
                    request.progress(item.target.name, done, len(todo))
            todo = redo
    report.built.sort()  # finished in any order; listed in a stable one
    report.restored.sort()
    return report


def plan(
    project: Project,
    dossiers: list[str] | None = None,
    audiences: list[str] | None = None,
    langs: list[str] | None = None,
) -> list[Brief]:
    """Every brief asked for, each selected for its audience; raise
    :class:`InvalidInput` once with every problem, templates' included."""
    return [brief for briefs in _survey(project, dossiers, audiences, langs) for brief in briefs]


def _survey(
    project: Project,
    dossiers: list[str] | None,
    audiences: list[str] | None,
    langs: list[str] | None,
) -> Iterator[list[Brief]]:
    """:func:`plan` a dossier at a time (see :func:`~briefs.audience.plan.survey`)."""
    known = project.settings.audiences
    templates = project.folders.templates  # a link out of the project is never read
    problems = project.folders.unsafe(templates, templates)
    if not problems:
        problems = template_problems(project.folders, known) + font_problems(project.folders)
    return survey(project.folders, known, dossiers, audiences, langs, problems)


def check(project: Project, dossiers: list[str] | None = None) -> list[Brief]:
    """Validate data, configuration and templates (of the ``dossiers`` given, all
    by default); write nothing, and never touch the state folder."""
    return plan(project, dossiers)


def preview(project: Project, dossier: str, audience: str, lang: str, base: str) -> str:
    """One brief's HTML as it renders now, guarded like a build's, linked to its
    stylesheet under ``base`` (a URL ending in /): a template change shows in a
    browser without making a PDF. Writes nothing."""
    (brief,) = plan(project, [dossier], [audience], [lang])
    return _linked(html_for(Draft.first(brief), project.folders.templates), base)


def list_editions(project: Project, dossier: str | None = None) -> list[Edition]:
    """Every published edition, oldest first per brief; raise UnknownDossier for a
    ``dossier`` that is neither under data/ nor in the ledger. Reads only."""
    return [listed.edition for listed in edition_states(project, dossier)]


def edition_states(project: Project, dossier: str | None = None) -> list[Listed]:
    """:func:`list_editions`, each with its state (draft, approved, superseded,
    published) and approval (docs/approval.md). Reads only."""
    with read_ledger(project.folders) as ledger:
        editions = [] if ledger is None else listing(ledger, project)
    if dossier is None:
        return editions
    known = sorted(set(project.folders.dossiers()) | {e.edition.dossier for e in editions})
    if dossier not in known:
        raise UnknownDossier(dossier, known)
    return [e for e in editions if e.edition.dossier == dossier]


def approve(
    project: Project,
    dossier: str,
    audience: str,
    lang: str | None,
    by: str,
    edition: int | None = None,
    now: datetime | None = None,
) -> list[tuple[Approval, bool]]:
    """Approve the current edition of a brief in ``lang`` (every language of the
    audience by default): publish its PDF without the draft mark, naming ``by``
    (and title: ``approvers:`` must clear them, when set), and record the
    approval. Each brief is checked first (:func:`~briefs.editions.approving.approvable`);
    one already approved is left as it is. Returns each approval, and whether it is new."""
    settings, folders = project.settings, project.folders
    langs = approval_languages(settings.audiences, dossier, audience, lang)
    title = check_approver(settings, dossier, audience, by)
    briefs = plan(project, [dossier], [audience], langs)

    def load(name: str) -> tuple[list[Brief], list[Problem]]:
        return briefs_of(folders, settings.audiences, name, [audience], langs)

    with open_ledger(folders) as ledger:
        moment, zone = now or datetime.now(UTC), settings.timezone
        done, problems = approve_all(
            briefs, load, ledger, folders, by, edition, moment, zone, title
        )
    if problems:
        raise BriefsRefused(problems)
    return sorted(done, key=lambda found: langs.index(found[0].lang))  # finished in any order


def _publish(
    draft: Draft,
    pdf: bytes,
    page: str,
    *,
    ledger: Ledger,
    folders: Folders,
    keys: dict[str, str],
    trigger: Trigger,
    now: datetime,
    timezone: str,
    html: bool,
) -> bool:
    """Publish one rendered brief; False asks for it to be rendered again as a
    new edition, because a published edition is never rewritten."""
    t, todo, last = draft.todo.target, draft.todo, draft.last
    if last is not None and todo.number == last.number:
        if hashlib.sha256(pdf).hexdigest() != last.sha256:
            log.warning(
                "%s: same inputs gave different bytes (were system libraries "
                "upgraded?); publishing them as a new edition",
                draft.brief.name,
            )
            return False
        # The same edition, rebuilt on request: its archived PDF (approved, once approved).
        if not restore(folders, last, shown(ledger, last)):
            write_atomic(t.output(folders), pdf)
        ledger.set_inputs(t.dossier, t.audience, t.lang, keys[t.dossier])
        ledger.flush()
    else:
        edition = publish(
            ledger,
            folders,
            t,
            todo.number,
            pdf,
            fingerprint=draft.fingerprint,
            snapshot=draft.snapshot,
            trigger=trigger,
            inputs=keys[t.dossier],
            now=now,
            timezone=timezone,
            existing=draft.existing,
        )
        if draft.brief.selection.audience.approval == "required":
            mark_draft(ledger, edition)  # the ledger says it awaits approval
    if html:
        write_atomic(t.output(folders, ".html"), _standalone(page, folders.templates).encode())
    return True


def _kept(problem: Problem, item: Todo, folders: Folders) -> Problem:
    """The refusal, saying whether the brief's last PDF is still there: a
    reader must not go looking for a PDF that was never written."""
    kept = item.target.output(folders).is_file()
    note = "The last PDF is unchanged." if kept else "No PDF was written."
    message = problem.message.rstrip()
    return replace(problem, message=f"{message}{'' if message.endswith('.') else '.'} {note}")


def _standalone(page: str, templates: Path) -> str:
    """The HTML as a file to open in a browser: point it at the stylesheet."""
    return _linked(page, templates.as_uri() + "/")


def _linked(page: str, base: str) -> str:
    """The page with its stylesheet, found under ``base``."""
    link = f'<base href="{base}"><link rel="stylesheet" href="assets/brief.css">'
    return page.replace("<head>", "<head>\n" + link, 1)


def _remember_plan(project: Project, ledger: Ledger, digests: Digests) -> None:
    """What the quick no-op check needs to know without loading the configuration."""
    ledger.set_meta(
        "plan",
        {
            "config": digests.of(project.folders.config),
            "dossiers": project.folders.dossiers(),
            "audiences": {n: list(a.languages) for n, a in project.settings.audiences.items()},
        },
    )
