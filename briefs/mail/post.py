"""A job's mail: queued after its build, then sent from the outbox.

:func:`post` runs once the job's PDFs are in place. For each recipient it
gathers the current edition of every brief they are owed, checks once more
that they may have it, and queues one message under a key made of the job,
the recipient and those exact editions: with ``only_if_changed`` the same
editions are never queued twice. A recipient whose briefs cannot all be sent
(refused by the build, too large, not allowed) gets nothing, and the job's
owner is told once, instead.

:func:`deliver` sends what is due, tries temporary failures again later with
exponential backoff and jitter, and tells the owner once of what failed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

from briefs.editions.ledger import Edition, read_ledger
from briefs.mail.letter import attachment, compose, message_id
from briefs.mail.outbox import Outbox
from briefs.mail.recipients import Deliver, read_lists, recipients, refusal
from briefs.mail.screen import leaks
from briefs.mail.transport import smtp_settings
from briefs.source.config import Project

log = logging.getLogger("briefs.mail")
LONGEST_WAIT = 3600.0


@dataclass
class Posting:
    """What :func:`post` did (or, dry, would do)."""

    queued: list[str] = field(default_factory=list)
    """"recipient: subject" of each message queued."""
    unchanged: list[str] = field(default_factory=list)
    """Recipients whose editions were already sent to them."""
    waiting: list[str] = field(default_factory=list)
    """Recipients whose message of these editions is queued, not yet sent."""
    failed_before: list[str] = field(default_factory=list)
    """Recipients whose message of these editions failed (the owner was told
    then): not queued again; ``briefs outbox retry`` sends it again."""
    held: list[str] = field(default_factory=list)
    """Why some recipients got nothing; the owner is told."""


def post(
    project: Project,
    outbox: Outbox,
    job: str,
    deliver: Deliver,
    scope: tuple[list[str], list[str]],
    *,
    refused: frozenset[str] | set[str] = frozenset(),
    occasion: str = "",
    dry_run: bool = False,
) -> Posting:
    """Queue the job's messages. ``scope`` is the job's (dossiers, languages),
    empty for all; ``refused`` the briefs its build just refused; ``occasion``
    tells two runs apart when every run must send (``only_if_changed: false``)."""
    settings, folders = project.settings, project.folders
    people = recipients(deliver, read_lists(project, project.root / settings.jobs))
    dossiers, langs = scope[0] or folders.dossiers(), scope[1]
    posting = Posting()
    now = datetime.now(UTC).replace(microsecond=0)
    with read_ledger(folders) as ledger:
        for address, audiences in people.items():
            editions, holds = [], []
            for name in audiences:
                audience = settings.audiences[name]
                why = refusal(address, name, audience)
                if why:
                    holds.append(why)
                    continue
                wanted = [lang for lang in audience.languages if not langs or lang in langs]
                for dossier in dossiers:
                    for lang in wanted:
                        brief = f"{dossier}/{name}.{lang}"
                        last = ledger.last(dossier, name, lang) if ledger else None
                        if brief in refused:
                            holds.append(f"{brief} was refused by its build (see the log)")
                        elif last is None:
                            holds.append(f"{brief} has no edition yet")
                        else:
                            editions.append(last)
            holds += _too_big(project, editions, address)
            if holds:
                posting.held.append(f"{address}: " + "; ".join(holds))
                continue
            if not editions:
                continue
            made = [(e.brief, e.number) for e in editions]
            key = _key("briefs", job, address, made, "" if deliver.only_if_changed else occasion)
            state = outbox.state(key)
            if state is not None:
                earlier = {"sent": posting.unchanged, "failed": posting.failed_before}
                earlier.get(state, posting.waiting).append(address)
                continue
            assert ledger is not None

            def previous(edition: Edition, number: int) -> Edition | None:
                return ledger.get(edition.dossier, edition.audience, edition.lang, number)

            since = outbox.sent_before(address)
            subject, body = compose(folders.templates, settings, job, editions, since, previous)
            found = leaks(project, ledger, _dossiers(editions), audiences, subject + "\n" + body)
            if found:
                why = "the message would hold words its audience may not see: " + "; ".join(found)
                posting.held.append(f"{address}: {why}")
                continue
            posting.queued.append(f"{address}: {subject}")
            if dry_run:
                continue
            files = [asdict(attachment(e)) for e in editions]
            fields = _fields(key, job, "briefs", address, deliver.owner, subject, body, now)
            outbox.add({**fields, "attachments": json.dumps(files)})
    if posting.held and not dry_run:  # one word to the owner for the whole run
        tell(outbox, job, deliver.owner, "some recipients were sent nothing", posting.held)
    return posting


def _dossiers(editions: list[Edition]) -> list[str]:
    return sorted({e.dossier for e in editions})


def _too_big(project: Project, editions: list[Edition], address: str) -> list[str]:
    cap = project.settings.mail.max_attachments
    try:
        size = sum((project.root / e.archive).stat().st_size for e in editions)
    except OSError as exc:
        return [f"an archived PDF is missing ({exc.filename})"]
    if size <= cap:
        return []
    return [
        f"its PDFs come to {_size(size)}, over the {_size(cap)} cap "
        "(briefs.yaml mail.max_attachments): they were not sent, not even in part"
    ]


def _size(count: int) -> str:
    """``10.0 MB``, ``102 kB`` or ``900 bytes``: never ``0.0 MB`` for a small cap."""
    if count >= 1_000_000:
        return f"{count / 1e6:.1f} MB"
    if count >= 1000:
        return f"{count / 1e3:.0f} kB"
    return f"{count} bytes"


def tell(outbox: Outbox, job: str, owner: str, what: str, reasons: list[str]) -> None:
    """Queue a word to the job's owner, once per distinct news."""
    key = _key("notice", job, owner, [], what + "\n" + "\n".join(reasons))
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
        {**_fields(key, job, "notice", owner, "", subject, body, now), "attachments": "[]"}
    ):
        log.warning("job %s: %s: %s (owner %s told)", job, what, "; ".join(reasons), owner)


def _fields(
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


def _key(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()
