"""Render a brief's HTML from its template and context; no files are written here."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError
from markupsafe import Markup

from briefs.context import BriefContext
from briefs.i18n import catalogue


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
def environment(templates_dir: Path, lang: str) -> Environment:
    """One Jinja2 environment per templates folder and language.

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
    labels = catalogue(templates_dir, lang)
    env.install_gettext_callables(labels.gettext, labels.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters["css_string"] = css_string
    env.filters["page_counter"] = page_counter
    return env


def render_html(templates_dir: Path, template: str, context: BriefContext) -> str:
    """The brief as one HTML string."""
    env = environment(templates_dir, context.lang)
    return env.get_template(template).render(brief=context, cite=context.cite)


__all__ = ["TemplateError", "environment", "render_html"]
