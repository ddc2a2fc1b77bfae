"""Render the todo list a dossier at a time, so a build holds a dossier or two,
not all of them.

Each dossier is loaded and selected again when its turn comes (it was validated
with all the others before anything was written), and let go once its briefs
are rendered. If it changed since, what is rendered is what is on disk now:
its drafts take their fingerprints again, and the inputs key, read before
either look, makes the next build look again. If it no longer validates, its
briefs are refused and their last PDFs kept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from jinja2 import TemplateError

from briefs.audience.plan import Brief
from briefs.editions.digests import Digests
from briefs.editions.ledger import Ledger
from briefs.editions.todo import Draft, Todo, draft_for, guard, html_for
from briefs.errors import BriefsError, LeakDetected, PageBudgetExceeded, Problem, TemplateFailed
from briefs.render.workers import Job, RenderPool
from briefs.source.files import Folders

Load = Callable[[str], tuple[list[Brief], list[Problem]]]
"""A dossier's briefs by its name, or the problems that stop it."""
Outcome = tuple[Draft, bytes, str] | Problem
"""A brief rendered (its draft, PDF and HTML), or the problem that refused it."""


def render_all(
    todo: list[Todo],
    load: Load,
    ledger: Ledger,
    folders: Folders,
    digests: Digests,
    pool: RenderPool,
    assets: str,
) -> Iterator[tuple[Todo, Outcome]]:
    """Render every todo, yielding each one's outcome.

    HTML is made as the workers ask for more, a dossier at a time, so both
    sides stay busy. Within a dossier the longest brief goes first, so the
    renders that end a build are short and the workers finish together.
    """
    drafts: dict[int, tuple[Draft, str]] = {}
    refused: list[tuple[Todo, Problem]] = []

    def draft(dossier: str, items: list[tuple[int, Todo]]) -> list[int]:
        """Load the dossier again, draft its todos and make their HTML; the
        indexes drafted, longest first. Only the drafts keep the dossier."""
        briefs, problems = load(dossier)
        found = {brief.target: brief for brief in briefs}
        for index, item in items:
            brief = found.get(item.target)
            if brief is None:
                refused.append((item, _changed(item, problems)))
                continue
            try:
                drafted = draft_for(item, brief, ledger, folders, digests)
                drafts[index] = (drafted, html_for(drafted, folders.templates))
            except Exception as exc:  # one brief's failure must not stop the others
                refused.append((item, _problem(brief, exc)))
        made = [index for index, _ in items if index in drafts]
        return sorted(made, key=lambda i: -len(drafts[i][1]))

    def jobs() -> Iterator[tuple[int, Job]]:
        dossiers: dict[str, list[tuple[int, Todo]]] = {}  # a second round comes in any order
        for index, item in enumerate(todo):
            dossiers.setdefault(item.target.dossier, []).append((index, item))
        for dossier, items in dossiers.items():
            for index in draft(dossier, items):
                as_of = drafts[index][0].brief.loaded.dossier.header.as_of
                yield index, Job(drafts[index][1], folders.templates, as_of.first_day().isoformat())

    for index, result in pool.render(jobs(), assets):
        yield from _drain(refused)
        drafted, page = drafts.pop(index)
        try:
            if isinstance(result, BaseException):
                raise result
            guard(drafted, "\n".join(result.texts), folders.templates)
            budget = drafted.brief.selection.audience.page_budget
            if result.pages > budget:
                raise PageBudgetExceeded(drafted.brief.name, result.pages, budget)
        except Exception as exc:  # one brief's failure must not stop the others
            yield drafted.todo, _problem(drafted.brief, exc)
            continue
        yield drafted.todo, (drafted, result.pdf, page)
    yield from _drain(refused)


def _drain(refused: list[tuple[Todo, Problem]]) -> Iterator[tuple[Todo, Problem]]:
    while refused:
        yield refused.pop(0)


def _changed(item: Todo, problems: list[Problem]) -> Problem:
    """A brief whose dossier stopped validating after the build checked it."""
    first = problems[0] if problems else Problem(f"data/{item.target.dossier}", None, "", "")
    said = f"{first.field}: {first.message}" if first.field else first.message
    said += f"; and {len(problems) - 1} more" if len(problems) > 1 else ""
    reason = (
        "the dossier changed during the build and no longer validates"
        f"{f' ({said})' if said else ''}; `briefs check` lists every problem"
    )
    return Problem(first.file, first.line, item.target.name, reason)


def _problem(brief: Brief, exc: BaseException) -> Problem:
    """A refused brief, said as precisely as the error allows."""
    where: object = brief.selection.audience.template
    line = None
    if isinstance(exc, TemplateError):
        where = getattr(exc, "filename", None) or getattr(exc, "name", None) or where
        line = getattr(exc, "lineno", None)
    if isinstance(exc, (LeakDetected, TemplateFailed)):  # they know the file and line
        where, line = exc.file, exc.line
    reason = getattr(exc, "reason", None) or str(exc)
    if not isinstance(exc, (BriefsError, TemplateError)):
        reason = f"could not be rendered ({type(exc).__name__}: {exc})"
    return Problem(str(where), line, brief.name, reason)
