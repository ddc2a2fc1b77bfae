"""Words to a job's owner: what was not sent, and what awaits approval.

Each notice is queued in the outbox under a key made of its news, so the
same news is never told twice: not at the next run, nor after a restart.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from datetime import UTC, datetime

from briefs.editions.approvals import Released
from briefs.editions.ledger import Edition, Ledger
from briefs.mail.letter import message_id
from briefs.mail.outbox import Outbox
from briefs.mail.screen import leaks
from briefs.mail.transport import smtp_settings
from briefs.source.config import Project

log = logging.getLogger("briefs.mail")


def awaiting(brief: str, edition: Edition, out: Released | None) -> str:
    """One line on a waiting edition, for ``briefs send`` and the log."""
    kept = (
        f"recipients keep edition {out.edition.number}, the last approved"
        if out is not None
        else "no edition of it was approved yet: its recipients are sent nothing"
    )
    return f"{brief} edition {edition.number}, built {edition.built_at} ({kept})"


def tell_waiting(
    project: Project,
    outbox: Outbox,
    ledger: Ledger,
    job: str,
    owner: str,
    edition: Edition,
    out: Released | None,
) -> None:
    """Tell the job's owner, once per edition (the key names it), that an
    edition it would deliver awaits approval, and how to approve it."""
    brief, number, built = edition.brief, edition.number, edition.built_at
    key = key_of("awaiting", job, owner, brief, number)
    if outbox.has(key):
        return
    command = (
        f"briefs approve {edition.dossier} --audience {edition.audience} "
        f"--lang {edition.lang} --edition {number} --by NAME"
    )
    if out is None:
        kept_en = "no edition of it was approved yet: its recipients are sent nothing of it"
        kept_fr = "aucune édition n’en a encore été approuvée\u00a0: rien n’en est envoyé"
    else:
        old = out.edition.number
        kept_en = f"its recipients keep edition {old}, the last approved"
        kept_fr = f"ses destinataires gardent l’édition {old}, la dernière approuvée"
    subject = (
        f"briefs: job {job}: {brief} edition {number} awaits approval / "
        f"tâche {job}\u00a0: {brief}, édition {number}, en attente d’approbation"
    )
    body = "\n".join(
        [
            f"Job {job}: edition {number} of {brief}, built {built}, awaits approval.",
            f"Until it is approved, the job sends nothing new of it; {kept_en}.",
            f"`{command}` approves it (NAME: the approver).",
            "",
            f"Tâche {job}\u00a0: l’édition {number} de {brief}, produite le {built}, "
            "attend d’être approuvée.",
            f"D’ici là, la tâche n’en envoie rien de nouveau\u00a0; {kept_fr}.",
            f"`{command}` l’approuve (NAME\u00a0: le nom de qui approuve).",
            "",
            "See `briefs status`. / Voir `briefs status`.",
        ]
    )
    found = leaks(project, ledger, [edition.dossier], [edition.audience], subject + "\n" + body)
    if found:  # the names above are the operator's, never a brief's words: say so, send nothing
        log.error("job %s: the notice on %s was not sent: %s", job, brief, "; ".join(found))
        return
    now = datetime.now(UTC).replace(microsecond=0)
    row = fields_of(key, job, "notice", owner, "", subject, body, now)
    if outbox.add({**row, "attachments": "[]"}):
        what = f"{brief} edition {number} awaits approval"
        log.warning("job %s: %s (owner %s told)", job, what, owner)


def tell(outbox: Outbox, job: str, owner: str, what: str, reasons: list[str]) -> None:
    """Queue a word to the job's owner, once per distinct news."""
    key = key_of("notice", job, owner, [], what + "\n" + "\n".join(reasons))
    subject = f"briefs: job {job}: {what} / tâche {job} : courriel non envoyé"
    body = "\n".join(
        [
            f"Job {job}: {what}.",
            "",
            *[f"- {r}" for r in reasons],
            "",
            "See `briefs outbox` and `briefs status`. / Voir `briefs outbox` et `briefs status`.",
        ]
    )
    now = datetime.now(UTC).replace(microsecond=0)
    if outbox.add(
        {**fields_of(key, job, "notice", owner, "", subject, body, now), "attachments": "[]"}
    ):
        log.warning("job %s: %s: %s (owner %s told)", job, what, "; ".join(reasons), owner)


def fields_of(
    key: str, job: str, kind: str, to: str, owner: str, subject: str, body: str, now: datetime
) -> dict[str, object]:
    return {
        "key": key,
        "job": job,
        "kind": kind,
        "recipient": to,
        "owner": owner,
        "message_id": message_id(key, smtp_settings(os.environ).sender),
        "subject": subject,
        "body": body,
        "created_at": now.isoformat(),
        "next_at": 0.0,
    }


def key_of(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()
