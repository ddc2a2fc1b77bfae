"""What a brief prints about its approval: a draft mark, or who approved it.

An approval lives in the ledger only (docs/approval.md); this is its printed
side, given to templates as ``brief.approval``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from briefs.render.markings import draft_text
from briefs.source.bilingual import Text
from briefs.source.dates import PartialDate
from briefs.source.formats import date_text, typography


@dataclass(frozen=True)
class Signed:
    """An approval as the approved brief prints it: who, their title (from
    briefs.yaml ``approvers:``; None when it lists none), and the day."""

    name: str
    title: Text | None
    on: date


@dataclass(frozen=True)
class ApprovalView:
    """Where the brief stands on approval. The approver printed is the
    ledger's, never the data's."""

    required: bool = False
    approved_by: str | None = None
    title: str | None = None
    """The approver's title in the brief's language, when briefs.yaml lists it."""
    approved_on: str | None = None
    """The approval's date, localized."""
    mark: str | None = None
    """The bilingual draft mark, for a draft only: "DRAFT / ÉBAUCHE"."""


def approval_view(required: bool, approved: Signed | None, lang: str) -> ApprovalView:
    """A draft (``required`` and not ``approved``) carries the mark; an approved
    edition names its approver and date; an audience without approval neither."""
    if not required:
        return ApprovalView()
    if approved is None:
        return ApprovalView(required=True, mark=draft_text(lang))
    on = approved.on
    day = PartialDate(year=on.year, month=on.month, day=on.day)
    title = None if approved.title is None else typography(approved.title.get(lang), lang)
    return ApprovalView(True, typography(approved.name, lang), title, date_text(day, lang))
