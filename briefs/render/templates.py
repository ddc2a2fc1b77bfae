"""Render a brief's HTML from its template and context; no files are written here.

Templates run in Jinja2's immutable sandbox: they may read the view data they
are given and call ``cite`` and the label functions, but not reach underscore
attributes, the code behind a function or a module, nor change a list or dict.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping
from functools import cache, lru_cache
from pathlib import Path

from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
    meta,
    pass_eval_context,
)
from jinja2.exceptions import SecurityError
from jinja2.nodes import EvalContext
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from briefs.errors import Problem, TemplateFailed
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
    must stop the build, not print an empty string in a minister's note. The
    sandbox keeps a template to the data of its own audience: without it, a
    template could walk from any object to the modules, and from there to every
    dossier in memory or a shell.
    """
    env = ImmutableSandboxedEnvironment(
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


def labels(
    lang: str, templates_dir: Path, printed: list[str] | None = None
) -> dict[str, Callable[..., str]]:
    """``_``, ``gettext`` and ``ngettext`` for one language, as templates call
    them; each label returned is added to ``printed`` (for the leak guard)."""
    catalogue = load_catalogue(templates_dir, lang)
    seen = [] if printed is None else printed

    @pass_eval_context
    def gettext(ctx: EvalContext, message: str, **variables: object) -> str:
        text = catalogue.gettext(message)
        seen.append(text)
        return _filled(ctx, text, variables)

    @pass_eval_context
    def ngettext(ctx: EvalContext, singular: str, plural: str, n: int, **variables: object) -> str:
        text = catalogue.ngettext(singular, plural, n)
        seen.append(text)
        return _filled(ctx, text, {"num": n, **variables})

    return {"_": gettext, "gettext": gettext, "ngettext": ngettext}


def _filled(ctx: EvalContext, text: str, variables: dict[str, object]) -> str:
    """A translated label, safe in autoescaped templates, with its ``%(name)s`` filled."""
    marked = Markup(text) if ctx.autoescape else text
    return marked % variables if variables else marked


def render_html(
    templates_dir: Path, template: str, context: BriefContext, printed: list[str] | None = None
) -> str:
    """The brief as one HTML string; each label it prints is added to ``printed``.

    A template that fails while rendering (an undefined name, or something the
    sandbox forbids) raises :class:`TemplateFailed` naming the template and line.
    """
    page = environment(templates_dir).get_template(template)
    try:
        return page.render(
            brief=context, cite=context.cite, **labels(context.lang, templates_dir, printed)
        )
    except TemplateError as exc:
        name, line = _failed_at(exc, templates_dir, template)
        reason = exc.message or type(exc).__name__
        if isinstance(exc, SecurityError):
            reason = (
                f"refused to render: {reason} Templates run in a sandbox and may only "
                "print the view data they are given (see docs/templates.md)."
            )
        raise TemplateFailed(name, line, reason) from exc


def _failed_at(exc: TemplateError, templates_dir: Path, template: str) -> tuple[str, int | None]:
    """The template and line where rendering stopped: Jinja2 rewrites the
    traceback so that a template's frames carry its file name and line."""
    if isinstance(exc, TemplateSyntaxError):
        return exc.name or template, exc.lineno
    found: tuple[str, int | None] = (template, None)
    folder = Path(os.path.normpath(templates_dir))
    tb = exc.__traceback__
    while tb is not None:  # innermost last: a macro's line, not the caller's
        try:
            name = Path(os.path.normpath(tb.tb_frame.f_code.co_filename)).relative_to(folder)
        except ValueError:
            pass
        else:
            found = (name.as_posix(), tb.tb_lineno)
        tb = tb.tb_next
    return found


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
