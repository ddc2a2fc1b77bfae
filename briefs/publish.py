"""Publish an edition: archive it, move it into place, then record it.

The order is what makes a crash harmless. The ledger row is written first as
``pending``; the PDF is archived and moved into place atomically; only then is
the row marked ``published``. A crash before the move leaves the previous PDF
and a pending row that recovery discards; a crash after it leaves the new PDF
and a pending row that recovery publishes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from briefs.config import Project
from briefs.ledger import Edition, Ledger, Trigger
from briefs.outputs import write_atomic


@dataclass(frozen=True)
class Target:
    """Which brief an edition belongs to, and where its files go."""

    dossier: str
    audience: str
    lang: str

    def output(self, project: Project, suffix: str = ".pdf") -> Path:
        return project.output_dir / self.dossier / f"{self.audience}.{self.lang}{suffix}"

    def archive(self, project: Project, number: int) -> Path:
        return (
            project.state_dir
            / "archive"
            / self.dossier
            / f"{self.audience}.{self.lang}"
            / f"{number:04d}.pdf"
        )


def publish(
    ledger: Ledger,
    project: Project,
    target: Target,
    number: int,
    pdf: bytes,
    *,
    fingerprint: str,
    snapshot: str,
    trigger: Trigger,
    inputs: str,
    now: datetime,
    existing: frozenset[str] = frozenset(),
) -> Edition:
    """Make ``pdf`` edition ``number`` of the brief, crash-safely."""
    output, archive = target.output(project), target.archive(project, number)
    zone = ZoneInfo(project.settings.timezone)
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
        output=project.show(output),
        archive=project.show(archive),
        state="pending",
        existing=json.dumps(sorted(existing)),
    )
    ledger.begin(edition)
    write_atomic(archive, pdf)
    write_atomic(output, pdf)
    ledger.commit(edition, inputs)
    return edition


def restore(project: Project, edition: Edition) -> bool:
    """Put a published edition's archived PDF back in place, if the archive is sound."""
    archive = project.root / edition.archive
    if not archive.is_file():
        return False
    pdf = archive.read_bytes()
    if hashlib.sha256(pdf).hexdigest() != edition.sha256:
        return False
    write_atomic(project.root / edition.output, pdf)
    return True
