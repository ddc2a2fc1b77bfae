"""Publish an edition: archive it, move it into place, then record it.

The order is what makes a crash harmless. The ledger row is written first as
``pending``; the PDF is archived and moved into place atomically; only then is
the row marked ``published``. A crash before the move leaves the previous PDF
and a pending row that recovery discards; a crash after it leaves the new PDF
and a pending row that recovery publishes.

An archived PDF is never overwritten: numbering goes on after the highest
edition in the archive even when the ledger lost its history, and publishing
refuses to write an archive file that is already there.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from zoneinfo import ZoneInfo

from briefs.audience.plan import Target
from briefs.editions.atomic import write_atomic
from briefs.editions.ledger import Edition, Ledger, Trigger
from briefs.errors import ArchiveConflict
from briefs.source.files import Folders


def publish(
    ledger: Ledger,
    folders: Folders,
    target: Target,
    number: int,
    pdf: bytes,
    *,
    fingerprint: str,
    snapshot: str,
    trigger: Trigger,
    inputs: str,
    now: datetime,
    timezone: str,
    existing: frozenset[str] = frozenset(),
) -> Edition:
    """Make ``pdf`` edition ``number`` of the brief, crash-safely; its date is
    ``now`` as seen in ``timezone``."""
    output, archive = target.output(folders), target.archive(folders, number)
    zone = ZoneInfo(timezone)
    edition = Edition(
        dossier=target.dossier,
        audience=target.audience,
        lang=target.lang,
        number=number,
        built_at=now.astimezone(zone).isoformat(timespec="seconds"),
        edition_date=now.astimezone(zone).date().isoformat(),
        fingerprint=fingerprint,
        sha256=hashlib.sha256(pdf).hexdigest(),
        trigger=trigger,
        snapshot=snapshot,
        output=folders.show(output),
        archive=folders.show(archive),
        state="pending",
        existing=json.dumps(sorted(existing)),
    )
    if archive.exists():  # only if the ledger lost rows: next_number skips archived ones
        raise ArchiveConflict(folders.show(archive))
    ledger.begin(edition)
    write_atomic(archive, pdf)
    write_atomic(output, pdf)
    ledger.commit(edition, inputs)
    return edition


def next_number(folders: Folders, target: Target, last: Edition | None) -> int:
    """The number of the brief's next edition: after its last one in the ledger,
    and after every PDF in its archive, so a ledger that was deleted or moved
    aside never reuses (and overwrites) an archived edition."""
    folder = target.archive(folders, 1).parent
    # 0003.approved.pdf (an approved PDF, see approvals.py) has stem "0003.approved": skipped.
    archived = [int(p.stem) for p in folder.glob("*.pdf") if p.stem.isdigit()]
    return max([last.number if last else 0, *archived]) + 1


def restore(folders: Folders, edition: Edition, shown: tuple[str, str]) -> bool:
    """Put an edition's archived PDF back in place, if the archive is sound;
    ``shown`` is the (archive, SHA-256) that stands for it: its approved PDF once
    it is approved (see :func:`~briefs.editions.approvals.shown`)."""
    path, sha = shown
    archive = folders.root / path
    if not archive.is_file():
        return False
    pdf = archive.read_bytes()
    if hashlib.sha256(pdf).hexdigest() != sha:
        return False
    write_atomic(folders.root / edition.output, pdf)
    return True
