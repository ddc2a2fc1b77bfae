"""The pages ``briefs serve`` shows people: the list of briefs, in English
or French, and an author's preview of one brief's HTML.

The list shows the released edition (the last approved one where approval
is required), its date, its approver and what it changed only for briefs
open to the public; the others are named with the address a token
holder uses, and nothing of their content.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from briefs.editions.changes import load
from briefs.errors import BriefsError, InvalidInput, LeakDetected, TemplateFailed
from briefs.pipeline import preview
from briefs.source.config import Project
from briefs.source.dates import PartialDate
from briefs.source.formats import date_text
from briefs.web.listing import listing

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Briefs",
        "heading": "Briefs",
        "intro": "The released edition of each brief, in English and in French.",
        "skip": "Skip to the briefs",
        "language_menu": "Language",
        "other_language": "Français",
        "caption": "Briefs of this dossier: edition, changes since the previous one, download",
        "brief": "Brief",
        "edition": "Edition",
        "changes": "What changed",
        "download": "Download",
        "number": "Edition",
        "first": "First edition.",
        "wording": "Wording only.",
        "none_yet": "Not built yet.",
        "awaiting": "Not yet approved: no edition is released yet.",
        "approved_by": "approved by",
        "approvals": "Drafts waiting for approval",
        "token": "Needs an access token for this audience:",
        "no_dossiers": "There are no dossiers yet.",
        "footer": "Built by briefs from one source of truth.",
    },
    "fr": {
        "title": "Documents d’information",
        "heading": "Documents d’information",
        "intro": "L’édition diffusée de chaque document, en français et en anglais.",
        "skip": "Passer aux documents",
        "language_menu": "Langue",
        "other_language": "English",
        "caption": "Documents de ce dossier : édition, changements depuis la précédente, "
        "téléchargement",
        "brief": "Document",
        "edition": "Édition",
        "changes": "Changements",
        "download": "Télécharger",
        "number": "Édition",
        "first": "Première édition.",
        "wording": "Formulation seulement.",
        "none_yet": "Pas encore produit.",
        "awaiting": "Pas encore approuvé : aucune édition n’est encore diffusée.",
        "approved_by": "approuvée par",
        "approvals": "Ébauches en attente d’approbation",
        "token": "Jeton d’accès de ce public requis :",
        "no_dossiers": "Il n’y a pas encore de dossier.",
        "footer": "Produit par briefs à partir d’une source unique.",
    },
}
LANGUAGE_NAMES = {
    "en": {"en": "English", "fr": "French"},
    "fr": {"en": "anglais", "fr": "français"},
}
_ENV = Environment(
    loader=FileSystemLoader(Path(__file__).parent),
    autoescape=select_autoescape(default=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def home_page(project: Project, lang: str) -> str:
    dossiers = [_dossier(project, name, lang) for name in project.folders.dossiers()]
    other = "fr" if lang == "en" else "en"
    view = {"lang": lang, "other": other, "t": WORDS[lang], "dossiers": dossiers}
    return _ENV.get_template("home.html.j2").render(**view)


def _dossier(project: Project, name: str, lang: str) -> dict[str, Any]:
    title = name
    briefs = []
    for brief in listing(project, name):
        entry: dict[str, Any] = {
            "title": brief.title.get(lang),
            "lang": brief.lang,
            "language": LANGUAGE_NAMES[lang][brief.lang],
            "open": brief.open,
            "url": brief.url,
            "number": 0,
            "awaiting": brief.awaiting,
            "approved_by": brief.approved_by,
        }
        last = brief.current
        if last is not None:
            if brief.lang == lang:
                title = load(last.snapshot)["header"]["title"]
            entry.update(
                number=last.number,
                date=date_text(PartialDate.parse(last.edition_date), lang),
                changes=list(brief.changes),
            )
        briefs.append(entry)
    return {"name": name, "title": title, "briefs": briefs}


def preview_page(project: Project, dossier: str, audience: str, lang: str) -> str:
    return preview(project, dossier, audience, lang, "/preview/")


def not_previewed(exc: BriefsError) -> str:
    """Why a brief cannot be previewed: where, never the problem's own words.

    A preview is open to whoever may read its audience's drafts (anyone, for
    an open audience without approval), and a message may quote
    any item of the dossier (an invalid value, a leaked phrase): a Protected B
    item's words must not reach a public preview. ``briefs check`` and the
    server's log give the details.
    """
    if isinstance(exc, InvalidInput):
        what = f"{len(exc.problems)} problem(s) in the input, at:"
        places = [
            " ".join(part for part in (_where(p.file, p.line), p.field) if part)
            for p in exc.problems
        ]
    elif isinstance(exc, LeakDetected):
        what = "Refused: the page would show words of an item this audience may not see, at:"
        places = [_where(exc.file, exc.line)]
    elif isinstance(exc, TemplateFailed):
        what = "A template stopped, at:"
        places = [_where(exc.file, exc.line)]
    else:
        what, places = "This brief cannot be rendered now.", []
    items = "".join(f"<li><code>{escape(place)}</code></li>" for place in places)
    return (
        '<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8">'
        "<title>Preview not available</title></head>\n<body><main>\n"
        "<h1>This brief cannot be previewed</h1>\n"
        f"<p>{escape(what)}</p>\n"
        + (f"<ul>{items}</ul>\n" if items else "")
        + "<p>Run <code>briefs check</code> for the details.</p>\n</main></body>\n</html>\n"
    )


def _where(file: str, line: int | None) -> str:
    return file if line is None else f"{file}:{line}"
