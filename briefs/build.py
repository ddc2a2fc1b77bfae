"""The pipeline, top to bottom: load → select → render HTML → render PDF → guard → write.

The CLI, and later the scheduler and the web server, all call :func:`build`.
Every brief is rendered and checked before any file is written, so bad input
or a refused brief leaves the last good PDFs exactly as they were.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from jinja2 import TemplateError, TemplateSyntaxError

from briefs.config import Project
from briefs.context import build_context
from briefs.errors import BriefsError, InvalidInput, LeakDetected, PageBudgetExceeded, Problem
from briefs.guard import html_text, leaks, pdf_text
from briefs.i18n import catalogue
from briefs.labels import missing_labels
from briefs.loading import Loaded, load_dossiers
from briefs.outputs import write_atomic
from briefs.render import environment, render_html
from briefs.selection import Selection, select

if TYPE_CHECKING:
    from briefs.pdf import Renderer

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Brief:
    """One document to build: a dossier for an audience in a language."""

    loaded: Loaded
    selection: Selection
    lang: str

    @property
    def name(self) -> str:
        return f"{self.loaded.dossier.name}/{self.selection.audience_name}.{self.lang}"

    def path(self, output: Path, suffix: str = ".pdf") -> Path:
        return (
            output
            / self.loaded.dossier.name
            / f"{self.selection.audience_name}.{self.lang}{suffix}"
        )


@dataclass(frozen=True)
class Output:
    brief: Brief
    html: str
    pdf: bytes
    pages: int


def plan(
    project: Project,
    dossiers: list[str] | None = None,
    audiences: list[str] | None = None,
    langs: list[str] | None = None,
) -> list[Brief]:
    """Every brief asked for, each selected for its audience; raise once with every problem."""
    known = project.settings.audiences
    problems = [
        Problem(
            "briefs.yaml",
            None,
            "audiences",
            f"expected one of {', '.join(known)}, found unknown audience {name!r}",
        )
        for name in audiences or []
        if name not in known
    ]
    problems += template_problems(project)
    try:
        loaded = load_dossiers(project, dossiers)
    except InvalidInput as exc:
        raise InvalidInput(problems + exc.problems) from None
    briefs: list[Brief] = []
    for item in loaded:
        for name, audience in known.items():
            if audiences and name not in audiences:
                continue
            selection, found = select(item, name, audience)
            problems += found
            briefs += [
                Brief(item, selection, lang)
                for lang in audience.languages
                if not langs or lang in langs
            ]
    if problems:
        raise InvalidInput(problems)
    return briefs


def template_problems(project: Project) -> list[Problem]:
    """Templates must parse and every label must be translated."""
    problems: list[Problem] = []
    for name, audience in project.settings.audiences.items():
        for lang in audience.languages:
            try:
                environment(project.templates_dir, lang).get_template(audience.template)
            except TemplateSyntaxError as exc:
                shown = project.show(Path(exc.filename or audience.template))
                problems.append(
                    Problem(
                        shown,
                        exc.lineno,
                        f"audiences.{name}.template",
                        f"template syntax error: {exc.message}",
                    )
                )
                break
    problems += missing_labels(project)
    return problems


def html_for(brief: Brief, project: Project) -> str:
    """The brief's HTML, checked by the leak guard; cheap, no WeasyPrint."""
    labels = catalogue(project.templates_dir, brief.lang)
    context = build_context(brief.selection, brief.lang, labels)
    html = render_html(project.templates_dir, brief.selection.audience.template, context)
    leaked = leaks(html_text(html), brief.selection.excluded, brief.selection.dossier.items())
    if leaked:
        raise LeakDetected(brief.name, leaked)
    return html


def render(brief: Brief, project: Project, renderer: Renderer) -> Output:
    """Render and check one brief in memory; nothing is written."""
    html = html_for(brief, project)
    allowed = brief.selection.dossier.items()
    created = brief.loaded.dossier.header.as_of.first_day().isoformat()
    rendered = renderer.render(html, project.templates_dir, created)
    leaked = leaks("\n".join(pdf_text(rendered.pdf)), brief.selection.excluded, allowed)
    if leaked:
        raise LeakDetected(brief.name, leaked)
    budget = brief.selection.audience.page_budget
    if rendered.pages > budget:
        raise PageBudgetExceeded(brief.name, rendered.pages, budget)
    return Output(brief, html, rendered.pdf, rendered.pages)


def build(
    project: Project,
    dossiers: list[str] | None = None,
    audiences: list[str] | None = None,
    langs: list[str] | None = None,
    *,
    html: bool = False,
    progress: Progress | None = None,
) -> list[Path]:
    """Build the briefs asked for (all by default) and return the PDFs written."""
    briefs = plan(project, dossiers, audiences, langs)
    from briefs.pdf import Renderer

    renderer = Renderer(project.assets_dir)
    outputs: list[Output] = []
    problems: list[Problem] = []
    for brief in briefs:
        try:
            outputs.append(render(brief, project, renderer))
        except TemplateError as exc:
            problems.append(
                Problem(
                    brief.selection.audience.template,
                    getattr(exc, "lineno", None),
                    brief.name,
                    f"template error: {exc}",
                )
            )
        except BriefsError as exc:
            reason = getattr(exc, "reason", str(exc))
            problems.append(Problem(brief.selection.audience.template, None, brief.name, reason))
        if progress:
            progress(brief.name)
    if problems:
        raise InvalidInput(problems)
    written = []
    for output in outputs:
        target = output.brief.path(project.output_dir)
        write_atomic(target, output.pdf)
        if html:
            write_atomic(output.brief.path(project.output_dir, ".html"), output.html.encode())
        written.append(target)
    return written


def check(project: Project) -> list[Brief]:
    """Validate data, configuration and templates; write nothing."""
    return plan(project)
