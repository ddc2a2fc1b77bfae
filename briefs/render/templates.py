"""Render a brief's HTML from its template and context; no files are written here."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from functools import cache, lru_cache
from pathlib import Path

from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateNotFound,
    TemplateSyntaxError,
    meta,
    pass_eval_context,
)
from jinja2.nodes import EvalContext
from markupsafe import Markup

from briefs.errors import Problem
from briefs.render.catalogue import catalogue as load_catalogue
from briefs.render.context import BriefContext
from briefs.render.labels import missing_labels
from briefs.source.config import Audience
from briefs.source.files import Folders


def css_string(value: str) -> Markup:
    """Quote text for a CSS ``content:`` value; safe inside ``<style>``."""
    quoted = json.dumps(value, ensure_ascii=False).replace("<", "\\3c ").replace("\\n", "\\A ")
    return Markup(quoted)


def page_counter(template: str) -> Markup:
    """ "Page {page} of {pages}" → a CSS ``content:`` value with page counters."""
    pieces = []
    for part in re.split(r"(\{pages?\})", template):
        if part in ("{page}", "{pages}"):
            pieces.append(f"counter({part[1:-1]})")
        elif part:
            pieces.append(str(css_string(part)))
    return Markup(" ".join(pieces))


@cache
def environment(templates_dir: Path) -> Environment:
    """One Jinja2 environment per templates folder, shared by both languages,
    so each template is compiled once; labels come with each render.

    Autoescape is always on and undefined names are errors: a missing value
    must stop the build, not print an empty string in a minister's note.
    """
    env = Environment(
        loader=FileSystemLoader(templates_dir),
        autoescape=True,
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["css_string"] = css_string
    env.filters["page_counter"] = page_counter
    return env


def labels(lang: str, templates_dir: Path) -> dict[str, Callable[..., str]]:
    """``_``, ``gettext`` and ``ngettext`` for one language, as templates call them."""
    catalogue = load_catalogue(templates_dir, lang)

    @pass_eval_context
    def gettext(ctx: EvalContext, message: str, **variables: object) -> str:
        return _filled(ctx, catalogue.gettext(message), variables)

    @pass_eval_context
    def ngettext(ctx: EvalContext, singular: str, plural: str, n: int, **variables: object) -> str:
        return _filled(ctx, catalogue.ngettext(singular, plural, n), {"num": n, **variables})

    return {"_": gettext, "gettext": gettext, "ngettext": ngettext}


def _filled(ctx: EvalContext, text: str, variables: dict[str, object]) -> str:
    """A translated label, safe in autoescaped templates, with its ``%(name)s`` filled."""
    marked = Markup(text) if ctx.autoescape else text
    return marked % variables if variables else marked


def render_html(templates_dir: Path, template: str, context: BriefContext) -> str:
    """The brief as one HTML string."""
    page = environment(templates_dir).get_template(template)
    return page.render(brief=context, cite=context.cite, **labels(context.lang, templates_dir))


def template_closure(env: Environment, name: str) -> list[str]:
    """The template and every template it extends, includes or imports."""
    assert env.loader is not None
    seen: list[str] = []
    todo = [name]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.append(current)
        source, filename, _ = env.loader.get_source(env, current)
        for ref in _references(env, source, current, filename):
            if ref is None:  # a computed name: any template might be used
                todo += [t for t in env.list_templates(extensions=["j2"]) if t not in seen]
            else:
                todo.append(ref)
    return sorted(seen)


def template_problems(folders: Folders, audiences: Mapping[str, Audience]) -> list[Problem]:
    """Every template an audience uses, and those it extends, includes or
    imports, must exist and parse; every label must be translated."""
    env = environment(folders.templates)
    problems: list[Problem] = []
    for name, audience in audiences.items():
        try:
            template_closure(env, audience.template)
        except TemplateSyntaxError as exc:
            shown = folders.show(Path(exc.filename or audience.template))
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
                    folders.show(folders.templates),
                    None,
                    f"audiences.{name}.template",
                    f"expected a template named {exc.name!r}, found none",
                )
            )
    langs = {lang for a in audiences.values() for lang in a.languages}
    return problems + missing_labels(folders, langs)


@lru_cache(maxsize=256)
def _references(
    env: Environment, source: str, name: str, filename: str | None
) -> tuple[str | None, ...]:
    """The templates a source names; parsed once per distinct source."""
    return tuple(meta.find_referenced_templates(env.parse(source, name, filename)))
