"""What the HTTP door releases (issue #13): readers get the last approved
edition of an audience that needs approval, and the newest edition of any
other; drafts go only to an author or approver token of the audience.

Everything here reads the ledger without the state folder's lock, like the
rest of the server (:func:`briefs.web.shelf.published`): a build or an
approval in progress is not waited for, and shows once committed.
"""

from __future__ import annotations

from dataclasses import dataclass

from briefs.editions.approvals import (
    Approval,
    Released,
    approval_of,
    approvals,
    pdf_of,
    released,
)
from briefs.editions.approvals import required as needs_approval
from briefs.editions.ledger import Edition, read_ledger
from briefs.source.config import Project


@dataclass(frozen=True)
class Copy:
    """One edition's PDF as the door hands it out: which file, its SHA-256,
    its approval, and whether it is a draft (for authors and approvers only)."""

    edition: Edition
    pdf: str
    sha256: str
    approval: Approval | None
    draft: bool


def release(project: Project, dossier: str, audience: str, lang: str) -> Released | None:
    """What a reader may get of a brief now, or None (none approved yet)."""
    with read_ledger(project.folders, settle=False) as ledger:
        if ledger is None:
            return None
        return released(ledger, dossier, audience, lang, needs_approval(project, audience))


def releases(project: Project, dossier: str) -> dict[tuple[str, str], Released]:
    """What a reader may get of each brief of a dossier, by (audience, language)."""
    found: dict[tuple[str, str], Released] = {}
    with read_ledger(project.folders, settle=False) as ledger:
        if ledger is None:
            return found
        for audience, settings in project.settings.audiences.items():
            required = needs_approval(project, audience)
            for lang in settings.languages:
                got = released(ledger, dossier, audience, lang, required)
                if got is not None:
                    found[(audience, lang)] = got
    return found


def copy(project: Project, edition: Edition) -> Copy:
    """An edition's PDF to hand out: its approved PDF once approved; else the
    archived one, a draft when its audience needs approval."""
    with read_ledger(project.folders, settle=False) as ledger:
        approval = approval_of(ledger, edition) if ledger is not None else None
    return _copy(project, edition, approval)


def copies(project: Project, dossier: str) -> list[Copy]:
    """Every edition of a dossier, as :func:`copy` hands each out."""
    with read_ledger(project.folders, settle=False) as ledger:
        if ledger is None:
            return []
        done = approvals(ledger, dossier)
        editions = ledger.editions(dossier)
    return [
        _copy(project, e, done.get((e.dossier, e.audience, e.lang, e.number))) for e in editions
    ]


def _copy(project: Project, edition: Edition, approval: Approval | None) -> Copy:
    pdf, sha256 = pdf_of(edition, approval)
    draft = approval is None and needs_approval(project, edition.audience)
    return Copy(edition, pdf, sha256, approval, draft)
