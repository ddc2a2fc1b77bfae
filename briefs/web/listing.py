"""The page's and the API's list of a dossier's briefs: for each, what
readers get (the released edition: the last approved one where approval is
required), what it changed, and who approved it."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

from briefs.editions.changes import compare, load
from briefs.editions.ledger import Edition
from briefs.source.config import Project
from briefs.source.model import Classification, Text
from briefs.web.release import releases
from briefs.web.shelf import published


def summary(project: Project, editions: list[Edition], audience: str, lang: str) -> list[str]:
    """What the newest edition changed since the one before it, in ``lang``:
    the lines its own change section prints."""
    mine = [e for e in editions if e.audience == audience and e.lang == lang]
    if len(mine) < 2:
        return []
    old, new = mine[-2], mine[-1]
    sections = project.settings.audiences[audience].sections
    existing = set(json.loads(new.existing))
    changes = compare(
        load(old.snapshot), load(new.snapshot), existing, lang, old.edition_date, sections
    )
    lines = [*changes.added, *changes.removed, *changes.changed]
    if changes.unnamed:
        lines.append("…")
    return lines


@dataclass(frozen=True)
class Listed:
    """One brief of a dossier, as the page and the API list it: its released
    edition (the last approved one where approval is required), what it
    changed and who approved it are given only for an audience open to all."""

    audience: str
    lang: str
    title: Text
    url: str
    open: bool
    current: Edition | None = None
    changes: tuple[str, ...] = ()
    sha256: str = ""
    approved_by: str = ""
    approved_at: str = ""
    awaiting: bool = False
    """Built, but no edition is approved yet: nothing is released."""


def listing(project: Project, dossier: str) -> list[Listed]:
    """Every brief of ``dossier``, audience by audience, language by language."""
    editions = published(project.folders, dossier)
    out = releases(project, dossier)
    listed = []
    for audience, settings in project.settings.audiences.items():
        for lang in settings.languages:
            is_open = settings.clearance is Classification.unclassified
            got = out.get((audience, lang))
            url = f"/dossiers/{dossier}/{audience}.{lang}.pdf"
            brief = Listed(audience, lang, settings.title, url, is_open)
            built = any(e.audience == audience and e.lang == lang for e in editions)
            if is_open and got is None and built:
                brief = replace(brief, awaiting=True)
            if is_open and got is not None:
                number = got.edition.number
                before = [e for e in editions if e.number <= number or e.audience != audience]
                changes = tuple(summary(project, before, audience, lang))
                brief = replace(brief, current=got.edition, changes=changes, sha256=got.sha256)
                if got.approval is not None:
                    at = got.approval.approved_at
                    brief = replace(brief, approved_by=got.approval.approved_by, approved_at=at)
            listed.append(brief)
    return listed
