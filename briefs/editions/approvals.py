"""Approvals: which edition of a brief someone approved, who, when, and its PDF.

An edition of an audience with ``approval: required`` is a draft until
``briefs approve`` records an approval here. Approvals live in the ledger
only, never in the data (docs/approval.md). Recording one is crash-safe like
publishing: the row is written ``pending``, the approved PDF is archived as
``NNNN.approved.pdf`` and moved into the brief's output path, and only then
is the row marked ``done``; :func:`settle` settles what a crash left.

The doors (mail, HTTP) ask :func:`released` what a reader may get, and
:func:`waiting` what awaits approval.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal, NamedTuple
from zoneinfo import ZoneInfo

from briefs.editions.atomic import write_atomic
from briefs.editions.ledger import Edition, Ledger
from briefs.errors import ArchiveConflict
from briefs.source.files import Folders, sha256_file

if TYPE_CHECKING:  # the quick no-op check imports this module: no pydantic
    from briefs.source.config import Project

SCHEMA = """
CREATE TABLE IF NOT EXISTS approvals (
  dossier TEXT, audience TEXT, lang TEXT, number INTEGER, fingerprint TEXT,
  approved_by TEXT, approved_at TEXT, sha256 TEXT, archive TEXT, state TEXT,
  PRIMARY KEY (dossier, audience, lang, number));
"""
State = Literal["draft", "approved", "superseded", "published"]
"""An edition's state: ``draft`` (awaiting approval), ``approved`` (the one
released), ``superseded`` (approved, then a newer one was), or ``published``
(an audience without approval: every edition is released as built)."""
Key = tuple[str, str, str, int]


@dataclass(frozen=True)
class Approval:
    """One edition's approval, and its approved PDF."""

    dossier: str
    audience: str
    lang: str
    number: int
    fingerprint: str
    approved_by: str
    approved_at: str
    """ISO 8601, in the project's time zone."""
    sha256: str
    """Of the approved PDF (the draft's is the edition's)."""
    archive: str
    """The approved PDF in the archive, ``NNNN.approved.pdf``, from the project root."""
    state: str = "done"

    @property
    def key(self) -> Key:
        return (self.dossier, self.audience, self.lang, self.number)


@dataclass(frozen=True)
class Released:
    """What a reader of a brief may get: an edition and the PDF to hand out."""

    edition: Edition
    pdf: str
    """The PDF's path from the project root (an archived file: it never changes)."""
    sha256: str
    approval: Approval | None
    """None for an audience without approval."""


def approved_path(archive: Path) -> Path:
    """``0003.pdf`` → ``0003.approved.pdf``, beside the draft."""
    return archive.with_suffix(".approved.pdf")


def approvals(ledger: Ledger, dossier: str | None = None) -> dict[Key, Approval]:
    """Every recorded (``done``) approval, by edition."""
    if not _exists(ledger):
        return {}
    args: tuple[str, ...]
    query, args = "SELECT * FROM approvals WHERE state = 'done'", ()
    if dossier is not None:
        query, args = query + " AND dossier = ?", (dossier,)
    rows = [Approval(*row) for row in ledger.db.execute(query, args)]
    return {a.key: a for a in rows}


def approval_of(ledger: Ledger, edition: Edition) -> Approval | None:
    """The edition's approval, if it has one."""
    return approvals(ledger, edition.dossier).get(_key(edition))


def mark_draft(ledger: Ledger, edition: Edition) -> None:
    """Record that a new edition of an audience needing approval is a draft:
    a row in state ``draft``, which an approval replaces."""
    _ensure(ledger)
    with ledger.db:
        ledger.db.execute(
            "INSERT OR IGNORE INTO approvals VALUES (?,?,?,?,?,'','','','','draft')",
            (*_key(edition), edition.fingerprint),
        )


def record(
    ledger: Ledger,
    folders: Folders,
    edition: Edition,
    pdf: bytes,
    *,
    by: str,
    now: datetime,
    timezone: str,
) -> Approval:
    """Approve ``edition`` with ``pdf`` as its approved PDF, crash-safely: archive
    it, move it into the brief's output path, then mark the approval done."""
    archive = approved_path(folders.root / edition.archive)
    approval = Approval(
        *_key(edition),
        fingerprint=edition.fingerprint,
        approved_by=by,
        approved_at=now.astimezone(ZoneInfo(timezone)).isoformat(timespec="seconds"),
        sha256=hashlib.sha256(pdf).hexdigest(),
        archive=folders.show(archive),
        state="pending",
    )
    if archive.exists():  # only if the ledger lost the approval's row
        raise ArchiveConflict(approval.archive)
    _ensure(ledger)
    with ledger.db:
        # Over the edition's ``draft`` row, if it has one.
        ledger.db.execute(
            "INSERT OR REPLACE INTO approvals VALUES (?,?,?,?,?,?,?,?,?,?)", _row(approval)
        )
    write_atomic(archive, pdf)
    write_atomic(folders.root / edition.output, pdf)
    _mark_done(ledger, approval.key)
    return replace(approval, state="done")


def settle(ledger: Ledger, root: Path) -> list[str]:
    """Settle approvals a crash left pending: keep those whose PDF reached the
    output path, forget the others and their archived PDF."""
    _ensure(ledger)
    settled = []
    pending = [Approval(*r) for r in ledger.db.execute(_PENDING)]
    for approval in pending:
        edition = ledger.get(*approval.key)
        output = None if edition is None else root / edition.output
        landed = output is not None and output.is_file()
        landed = landed and output is not None and sha256_file(output) == approval.sha256
        if landed:
            _mark_done(ledger, approval.key)
        else:
            (root / approval.archive).unlink(missing_ok=True)
            with ledger.db:  # a draft again, as it was before
                ledger.db.execute(
                    "UPDATE approvals SET approved_by = '', approved_at = '', sha256 = '', "
                    f"archive = '', state = 'draft' WHERE {_WHERE}",
                    approval.key,
                )
        brief = f"{approval.dossier}/{approval.audience}.{approval.lang}"
        settled.append(f"{brief} #{approval.number} approval: {'kept' if landed else 'discarded'}")
    return settled


def pdf_of(edition: Edition, approval: Approval | None) -> tuple[str, str]:
    """The archived PDF and SHA-256 that stand for an edition: its approved
    PDF once it is approved, the draft (or, without approval, the only PDF) before."""
    return (approval.archive, approval.sha256) if approval else (edition.archive, edition.sha256)


def shown(ledger: Ledger, edition: Edition) -> tuple[str, str]:
    """The archived PDF and SHA-256 that belong in the edition's output path."""
    return pdf_of(edition, approval_of(ledger, edition))


def shown_digests(ledger: Ledger) -> dict[Key, str]:
    """The approved PDF's SHA-256 of every approved edition: what its output
    path holds instead of the draft."""
    return {key: a.sha256 for key, a in approvals(ledger).items()}


def required(project: Project, audience: str) -> bool:
    """Whether the audience's editions need approval before release."""
    config = project.settings.audiences.get(audience)
    return config is not None and config.approval == "required"


def released(
    ledger: Ledger, dossier: str, audience: str, lang: str, required: bool
) -> Released | None:
    """What a reader may get of a brief: its last approved edition when its
    audience needs approval (None before any is approved), else its newest."""
    if not required:
        last = ledger.last(dossier, audience, lang)
        return None if last is None else Released(last, *pdf_of(last, None), None)
    mine = [
        a for a in approvals(ledger, dossier).values() if (a.audience, a.lang) == (audience, lang)
    ]
    for approval in sorted(mine, key=lambda a: -a.number):
        edition = ledger.get(dossier, audience, lang, approval.number)
        if edition is not None:
            return Released(edition, *pdf_of(edition, approval), approval)
    return None


def waiting(ledger: Ledger, project: Project) -> list[Edition]:
    """The newest edition of every brief that needs approval and has none, oldest first."""
    done, drafted = approvals(ledger), drafts(ledger)
    found = []
    for (dossier, audience, lang), latest in sorted(ledger.latest().items()):
        key = (dossier, audience, lang, latest.number)
        if (key in drafted or required(project, audience)) and key not in done:
            edition = ledger.get(dossier, audience, lang, latest.number)
            if edition is not None:
                found.append(edition)
    return sorted(found, key=lambda e: e.built_at)


class Listed(NamedTuple):
    """An edition as ``briefs editions`` lists it: with its state and approval."""

    edition: Edition
    state: State
    approval: Approval | None


def listing(ledger: Ledger, project: Project) -> list[Listed]:
    """Every published edition, oldest first per brief, with its state."""
    editions, done = ledger.editions(), approvals(ledger)
    found = states(done, drafts(ledger), project, editions)
    return [Listed(e, found[_key(e)], done.get(_key(e))) for e in editions]


def drafts(ledger: Ledger) -> set[Key]:
    """The editions the ledger records as drafts (not approved)."""
    if not _exists(ledger):
        return set()
    rows = ledger.db.execute("SELECT * FROM approvals WHERE state = 'draft'")
    return {Approval(*row).key for row in rows}


def states(
    done: dict[Key, Approval], drafted: set[Key], project: Project, editions: list[Edition]
) -> dict[Key, State]:
    """Each edition's state (see :data:`State`), given every approval and the
    recorded drafts. An edition built before approvals were recorded is a draft
    when its audience needs approval now."""
    newest: dict[tuple[str, str, str], int] = {}
    for d, a, lang, number in done:
        newest[(d, a, lang)] = max(number, newest.get((d, a, lang), 0))
    found: dict[Key, State] = {}
    for e in editions:
        key = _key(e)
        if key not in drafted and not required(project, e.audience) and key not in done:
            found[key] = "published"
        elif key not in done:
            found[key] = "draft"
        else:
            approved = newest[(e.dossier, e.audience, e.lang)] == e.number
            found[key] = "approved" if approved else "superseded"
    return found


_WHERE = "dossier = ? AND audience = ? AND lang = ? AND number = ?"
_PENDING = "SELECT * FROM approvals WHERE state = 'pending'"


def _key(edition: Edition) -> Key:
    return (edition.dossier, edition.audience, edition.lang, edition.number)


def _row(approval: Approval) -> tuple[str | int, ...]:
    return tuple(approval.__dict__.values())


def _mark_done(ledger: Ledger, key: Key) -> None:
    with ledger.db:
        ledger.db.execute(f"UPDATE approvals SET state = 'done' WHERE {_WHERE}", key)


def _ensure(ledger: Ledger) -> None:
    """Create the table in a ledger made before approvals existed (a writer only)."""
    ledger.db.executescript(SCHEMA)


def _exists(ledger: Ledger) -> bool:
    """Whether the ledger has the table: a read-only one made earlier may not."""
    found = ledger.db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'approvals'"
    ).fetchone()
    return found is not None
