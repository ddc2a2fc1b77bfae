"""Planning a build: which briefs were asked for, each selected for its audience.

Everything here reads and validates; nothing renders or writes. ``briefs
check`` is this stage alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jinja2 import TemplateNotFound, TemplateSyntaxError

from briefs.config import Project
from briefs.errors import InvalidInput, Problem
from briefs.fingerprint import template_closure
from briefs.labels import missing_labels
from briefs.loading import Loaded, load_dossiers
from briefs.publish import Target
from briefs.render import environment
from briefs.selection import Selection, select


@dataclass(frozen=True)
class Brief:
    """One document to build: a dossier for an audience in a language."""

    loaded: Loaded
    selection: Selection
    lang: str

    @property
    def target(self) -> Target:
        return Target(self.loaded.dossier.name, self.selection.audience_name, self.lang)

    @property
    def name(self) -> str:
        return f"{self.loaded.dossier.name}/{self.selection.audience_name}.{self.lang}"


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
    """Every template an audience uses, and those it extends, includes or
    imports, must exist and parse; every label must be translated."""
    env = environment(project.templates_dir)
    problems: list[Problem] = []
    for name, audience in project.settings.audiences.items():
        try:
            template_closure(env, audience.template)
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
        except TemplateNotFound as exc:
            problems.append(
                Problem(
                    project.show(project.templates_dir),
                    None,
                    f"audiences.{name}.template",
                    f"expected a template named {exc.name!r}, found none",
                )
            )
    return problems + missing_labels(project)


def check(project: Project) -> list[Brief]:
    """Validate data, configuration and templates; write nothing."""
    return plan(project)
