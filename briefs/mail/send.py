"""Sending what the outbox owes: every message that is due, once.

A message is claimed before it is sent, put together again from its row, its
PDFs checked last, and sent. A temporary failure (4xx, a dropped connection,
a time-out) is tried again later with exponential backoff and jitter; while
the server is unreachable the other messages wait too. A permanent one (5xx,
a PDF that fails its check) is marked failed, and the job's owner is told
once. A server that refuses the connection itself (a certificate that does
not verify, a login refused) fails the whole round with one reason.
"""

from __future__ import annotations

import logging
import os
import random
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from briefs.errors import BriefsError, MailFailed, Unsendable
from briefs.mail.letter import build_message
from briefs.mail.notices import tell
from briefs.mail.outbox import Message, Outbox
from briefs.mail.transport import sender, smtp_settings
from briefs.source.config import Project

log = logging.getLogger("briefs.mail")
LONGEST_WAIT = 3600.0


@dataclass
class Delivery:
    sent: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    waiting: int = 0
    """Messages still pending, to be tried again later."""


def deliver(
    project: Project, outbox: Outbox, *, wait: bool = False, job: str | None = None
) -> Delivery:
    """Send every message that is due. With ``wait``, stay until none (of
    ``job``, if given) is pending, sleeping until each retry is due: the
    command line does, without waiting for other jobs' late retries."""
    smtp = smtp_settings(os.environ)
    mail = project.settings.mail
    budgets = {n: a.page_budget for n, a in project.settings.audiences.items()}
    done = Delivery()
    for m in outbox.reclaim(time.time()):
        log.warning(
            "message %d to %s was left sending by a sender that stopped; sending it again "
            "(same Message-ID %s)",
            m.id,
            m.recipient,
            m.message_id,
        )
    with sender(smtp, project.folders.output / "outbox", mail.timeout) as channel:
        while True:
            due = outbox.due(time.time())
            if not due:
                upcoming = outbox.next_due(job)
                if not wait or upcoming is None:
                    break
                time.sleep(min(max(0.0, upcoming - time.time()), LONGEST_WAIT))
                continue
            for index, m in enumerate(due):
                if not outbox.claim(m, time.time()):
                    continue  # another sender has it
                try:
                    email = build_message(m, project.root, smtp.sender, budgets)
                    channel.send(email, m.recipient)
                except Unsendable as exc:
                    _failed(outbox, m, str(exc), done)
                except MailFailed as exc:
                    tries = m.attempts + 1
                    at = time.time() + _backoff(mail.backoff, tries)
                    if not exc.temporary or tries > mail.retries:
                        _failed(outbox, m, str(exc) + f" (try {tries})", done)
                    else:
                        outbox.later(m, at, str(exc))
                        log.warning(
                            "message %d to %s: %s; trying again in %.0f s",
                            m.id,
                            m.recipient,
                            exc,
                            at - time.time(),
                        )
                    if exc.connection:
                        getattr(channel, "drop", lambda: None)()
                        rest = due[index + 1 :]
                        if exc.temporary:  # the others would fail alike: hold them too
                            outbox.defer([d.id for d in rest], at)
                        else:  # the settings are wrong: one reason for the round
                            _fail_all(outbox, rest, str(exc), done)
                        break
                except BriefsError as exc:  # the outbox folder: full, or not writable
                    outbox.later(m, time.time() + _backoff(mail.backoff, m.attempts + 1), str(exc))
                    log.warning("message %d: %s", m.id, exc)
                except KeyboardInterrupt:  # Ctrl-C: pending again, for the next sender
                    outbox.later(m, time.time(), "the sender was interrupted while sending it")
                    log.warning(
                        "message %d to %s: interrupted while sending; left pending, to be sent "
                        "again (same Message-ID %s)",
                        m.id,
                        m.recipient,
                        m.message_id,
                    )
                    raise
                else:
                    outbox.sent(m, datetime.now(UTC).isoformat(timespec="seconds"))
                    done.sent.append(f"{m.recipient}: {m.subject}")
                    log.info("message %d to %s %s", m.id, m.recipient, channel.where)
    done.waiting = outbox.counts().get("pending", 0)
    return done


def _failed(outbox: Outbox, m: Message, why: str, done: Delivery) -> None:
    outbox.failed(m, why)
    done.failed.append(f"{m.recipient}: {why}")
    log.error("message %d to %s failed: %s", m.id, m.recipient, why)
    if m.kind == "briefs" and m.owner:
        tell(outbox, m.job, m.owner, f"a message to {m.recipient} failed", [m.subject, why])


def _fail_all(outbox: Outbox, messages: list[Message], why: str, done: Delivery) -> None:
    """Fail the round's other messages for the reason the first one failed,
    without connecting again to be refused again."""
    for m in messages:
        if outbox.claim(m, time.time()):
            _failed(outbox, m, why, done)


def _backoff(first: float, tries: int) -> float:
    """Twice as long each time, at most an hour, give or take a quarter, so
    that senders that failed together do not all come back together."""
    return float(min(first * 2 ** (tries - 1), 3600.0)) * random.uniform(0.75, 1.25)
