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

import json
import logging
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

from briefs.editions.approvals import Released, approval_of, released, required
from briefs.editions.ledger import Edition, read_ledger
from briefs.mail.letter import attachment, compose
from briefs.mail.notices import awaiting, fields_of, key_of, tell, tell_waiting
from briefs.mail.outbox import Outbox
from briefs.mail.recipients import Deliver, read_lists, recipients, refusal
from briefs.mail.screen import leaks
from briefs.source.config import Project

__all__ = ["Posting", "post", "tell"]
log = logging.getLogger("briefs.mail")


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
    awaiting: list[str] = field(default_factory=list)
    """Each edition the job would deliver that awaits approval: nothing new
    of it is sent (not a failure); the owner is told once per edition."""
    unapproved: list[str] = field(default_factory=list)
    """Recipients sent nothing only because a brief of theirs has no approved
    edition yet (not a failure)."""


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
        waits: dict[str, tuple[Edition, Released | None]] = {}
        for address, audiences in people.items():
            editions: list[Released] = []
            holds, unapproved = [], []
            for name in audiences:
                audience = settings.audiences[name]
                why = refusal(address, name, audience)
                if why:
                    holds.append(why)
                    continue
                wanted = [lang for lang in audience.languages if not langs or lang in langs]
                need = required(project, name)
                for dossier in dossiers:
                    for lang in wanted:
                        brief = f"{dossier}/{name}.{lang}"
                        last = ledger.last(dossier, name, lang) if ledger else None
                        if brief in refused:
                            holds.append(f"{brief} was refused by its build (see the log)")
                            continue
                        if last is None or ledger is None:
                            holds.append(f"{brief} has no edition yet")
                            continue
                        out = released(ledger, dossier, name, lang, need)
                        if need and approval_of(ledger, last) is None:
                            waits[brief] = (last, out)
                        if out is None:
                            unapproved.append(
                                f"{brief} has no approved edition yet "
                                f"(edition {last.number} awaits approval)"
                            )
                        else:
                            editions.append(out)
            holds += _too_big(project, editions, address)
            if holds:
                posting.held.append(f"{address}: " + "; ".join(holds + unapproved))
                continue
            if unapproved:
                posting.unapproved.append(f"{address}: " + "; ".join(unapproved))
                continue
            if not editions:
                continue
            made = [_made(r) for r in editions]
            key = key_of("briefs", job, address, made, "" if deliver.only_if_changed else occasion)
            state = outbox.state(key)
            if state is not None:
                earlier = {"sent": posting.unchanged, "failed": posting.failed_before}
                earlier.get(state, posting.waiting).append(address)
                continue
            assert ledger is not None
            sending = [r.edition for r in editions]

            def previous(edition: Edition, number: int) -> Edition | None:
                return ledger.get(edition.dossier, edition.audience, edition.lang, number)

            since = outbox.sent_before(address)
            approvers = {
                r.edition.brief: (r.approval.approved_by, r.approval.approved_at)
                for r in editions
                if r.approval is not None
            }
            subject, body = compose(
                folders.templates, settings, job, sending, since, previous, approvers
            )
            found = leaks(project, ledger, _dossiers(sending), audiences, subject + "\n" + body)
            if found:
                why = "the message would hold words its audience may not see: " + "; ".join(found)
                posting.held.append(f"{address}: {why}")
                continue
            posting.queued.append(f"{address}: {subject}")
            if dry_run:
                continue
            files = [asdict(attachment(r.edition, r.pdf, r.sha256)) for r in editions]
            fields = fields_of(key, job, "briefs", address, deliver.owner, subject, body, now)
            outbox.add({**fields, "attachments": json.dumps(files)})
        for brief, (edition, out) in sorted(waits.items()):
            posting.awaiting.append(awaiting(brief, edition, out))
            if not dry_run and ledger is not None:
                tell_waiting(project, outbox, ledger, job, deliver.owner, edition, out)
    if posting.held and not dry_run:  # one word to the owner for the whole run
        tell(outbox, job, deliver.owner, "some recipients were sent nothing", posting.held)
    return posting


def _made(out: Released) -> tuple[str | int, ...]:
    """What a message's key says of one brief: its edition, and for an
    approved one the approved PDF's digest, so that approving an edition
    whose draft was once mailed sends the approved PDF once."""
    edition = out.edition
    if out.approval is None:
        return (edition.brief, edition.number)
    return (edition.brief, edition.number, "approved", out.sha256)


def _dossiers(editions: list[Edition]) -> list[str]:
    return sorted({e.dossier for e in editions})


def _too_big(project: Project, editions: list[Released], address: str) -> list[str]:
    cap = project.settings.mail.max_attachments
    try:
        size = sum((project.root / r.pdf).stat().st_size for r in editions)
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
