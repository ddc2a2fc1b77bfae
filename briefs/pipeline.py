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
from itertools import groupby
from pathlib import Path
from typing import Any

from jinja2 import TemplateError

from briefs.audience.plan import Brief, select_all
from briefs.editions.atomic import write_atomic
from briefs.editions.digests import Digests
from briefs.editions.faults import ensure_writable
from briefs.editions.fresh import assess, inputs_keys
from briefs.editions.ledger import Edition, Ledger, Trigger, open_ledger, published
from briefs.editions.publish import publish
from briefs.editions.todo import Todo, decide, guard, html_for
from briefs.errors import (
    BriefsError,
    LeakDetected,
    PageBudgetExceeded,
    Problem,
    TemplateFailed,
    UnknownDossier,
)
from briefs.render.shipped import font_problems
from briefs.render.templates import template_problems
from briefs.render.workers import Job, RenderPool, default_jobs
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
        briefs = plan(project, dossiers, audiences, langs)
        decision = decide(briefs, folders, ledger, digests, keys, force)
        report.current += decision.current
        report.restored += decision.restored
        _remember_plan(project, ledger, digests)
        digests.save()
        assets = digests.tree(folders.assets)  # renderers made from other assets are stale
        moment = request.now or datetime.now(UTC)
        todo = decision.todo
        for folder in sorted({item.brief.target.output(folders).parent for item in todo}):
            ensure_writable(folder)  # say so now, not after rendering
        while todo:  # a second round only for editions whose bytes moved (see _publish)
            redo: list[Todo] = []
            for done, (item, outcome) in enumerate(_render(todo, folders, pool, assets), 1):
                if isinstance(outcome, Problem):
                    report.problems.append(_kept(outcome, item, folders))
                elif _publish(
                    item,
                    *outcome,
                    ledger=ledger,
                    folders=folders,
                    keys=keys,
                    trigger=request.trigger,
                    now=moment,
                    timezone=settings.timezone,
                    html=request.html,
                ):
                    report.built.append(item.brief.target.output(folders))
                else:
                    redo.append(item.as_next_edition())
                item.watch = None  # its phrases are not needed any more
                if request.progress:
                    request.progress(item.brief.name, done, len(todo))
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
    known = project.settings.audiences
    templates = project.folders.templates  # a link out of the project is never read
    problems = project.folders.unsafe(templates, templates)
    if not problems:
        problems = template_problems(project.folders, known) + font_problems(project.folders)
    return select_all(project.folders, known, dossiers, audiences, langs, problems)


def check(project: Project, dossiers: list[str] | None = None) -> list[Brief]:
    """Validate data, configuration and templates (of the ``dossiers`` given, all
    by default); write nothing, and never touch the state folder."""
    return plan(project, dossiers)


def list_editions(project: Project, dossier: str | None = None) -> list[Edition]:
    """Every published edition, oldest first per brief; raise UnknownDossier for a
    ``dossier`` that is neither under data/ nor in the ledger. Reads only."""
    editions = published(project.folders)
    if dossier is None:
        return editions
    known = sorted(set(project.folders.dossiers()) | {e.dossier for e in editions})
    if dossier not in known:
        raise UnknownDossier(dossier, known)
    return [e for e in editions if e.dossier == dossier]


def _render(
    todo: list[Todo], folders: Folders, pool: RenderPool, assets: str
) -> Iterator[tuple[Todo, tuple[bytes, str] | Problem]]:
    """Render every todo, yielding its (PDF, HTML) or the problem that stopped it.

    HTML is made as the workers ask for more, a dossier at a time, so both
    sides stay busy. Within a dossier the longest brief goes first, so the
    renders that end a build are short and the workers finish together.
    """
    pages: dict[int, str] = {}
    refused: list[tuple[Todo, Problem]] = []

    def jobs() -> Iterator[tuple[int, Job]]:
        for _, group in groupby(enumerate(todo), key=lambda pair: pair[1].brief.target.dossier):
            made = []
            for index, item in group:
                try:
                    pages[index] = html_for(item, folders.templates)
                except Exception as exc:  # one brief's failure must not stop the others
                    refused.append((item, _problem(item, exc)))
                    continue
                made.append(index)
            for index in sorted(made, key=lambda i: -len(pages[i])):
                as_of = todo[index].brief.loaded.dossier.header.as_of
                yield index, Job(pages[index], folders.templates, as_of.first_day().isoformat())

    for index, result in pool.render(jobs(), assets):
        yield from _drain(refused)
        item, page = todo[index], pages.pop(index)
        try:
            if isinstance(result, BaseException):
                raise result
            guard(item, "\n".join(result.texts), folders.templates)
            budget = item.brief.selection.audience.page_budget
            if result.pages > budget:
                raise PageBudgetExceeded(item.brief.name, result.pages, budget)
        except Exception as exc:  # one brief's failure must not stop the others
            yield item, _problem(item, exc)
            continue
        yield item, (result.pdf, page)
    yield from _drain(refused)


def _drain(refused: list[tuple[Todo, Problem]]) -> Iterator[tuple[Todo, Problem]]:
    while refused:
        yield refused.pop(0)


def _publish(
    item: Todo,
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
    t = item.brief.target
    if item.last is not None and item.number == item.last.number:
        if hashlib.sha256(pdf).hexdigest() != item.last.sha256:
            log.warning(
                "%s: same inputs gave different bytes (were system libraries "
                "upgraded?); publishing them as a new edition",
                item.brief.name,
            )
            return False
        write_atomic(t.output(folders), pdf)  # the same edition, rebuilt on request
        ledger.set_inputs(t.dossier, t.audience, t.lang, keys[t.dossier])
        ledger.flush()
    else:
        publish(
            ledger,
            folders,
            t,
            item.number,
            pdf,
            fingerprint=item.fingerprint,
            snapshot=item.snapshot,
            trigger=trigger,
            inputs=keys[t.dossier],
            now=now,
            timezone=timezone,
            existing=item.existing,
        )
    if html:
        write_atomic(t.output(folders, ".html"), _standalone(page, folders.templates).encode())
    return True


def _problem(item: Todo, exc: BaseException) -> Problem:
    """A refused brief, said as precisely as the error allows."""
    where: object = item.brief.selection.audience.template
    line = None
    if isinstance(exc, TemplateError):
        where = getattr(exc, "filename", None) or getattr(exc, "name", None) or where
        line = getattr(exc, "lineno", None)
    if isinstance(exc, (LeakDetected, TemplateFailed)):  # they know the file and line
        where, line = exc.file, exc.line
    reason = getattr(exc, "reason", None) or str(exc)
    if not isinstance(exc, (BriefsError, TemplateError)):
        reason = f"could not be rendered ({type(exc).__name__}: {exc})"
    return Problem(str(where), line, item.brief.name, reason)


def _kept(problem: Problem, item: Todo, folders: Folders) -> Problem:
    """The refusal, saying whether the brief's last PDF is still there: a
    reader must not go looking for a PDF that was never written."""
    kept = item.brief.target.output(folders).is_file()
    note = "The last PDF is unchanged." if kept else "No PDF was written."
    message = problem.message.rstrip()
    return replace(problem, message=f"{message}{'' if message.endswith('.') else '.'} {note}")


def _standalone(page: str, templates: Path) -> str:
    """The HTML as a file to open in a browser: point it at the stylesheet."""
    base = templates.as_uri()
    link = f'<base href="{base}/"><link rel="stylesheet" href="assets/brief.css">'
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
