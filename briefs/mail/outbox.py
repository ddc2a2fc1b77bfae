"""The outbox: every message briefs owes someone, in the ledger's database.

A message is queued once, under a unique key made of the job, the recipient
and the exact editions attached, so a job that runs twice, two processes or a
restart cannot queue it twice. Its state goes pending → sending → sent, or
failed. A message is claimed (pending → sending) by one sender at a time, in
one SQL statement. One left "sending" by a sender that died is put back to
pending and sent again, under the same Message-ID (docs/mail.md explains why).
This and the ledger are the only classes with SQL that mail needs.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from briefs.editions.faults import state_database
from briefs.editions.ledger import LEDGER_NAME
from briefs.source.files import Folders

SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
  id INTEGER PRIMARY KEY, key TEXT UNIQUE, job TEXT, kind TEXT, recipient TEXT,
  owner TEXT, message_id TEXT, subject TEXT, body TEXT, attachments TEXT,
  created_at TEXT, state TEXT, attempts INTEGER, next_at REAL, claimed_by TEXT,
  claimed_at REAL, sent_at TEXT, error TEXT);
CREATE INDEX IF NOT EXISTS outbox_state ON outbox (state, next_at);
"""
LEASE = 3600.0
"""A message "sending" for longer than this is taken back even from a live sender."""


@dataclass(frozen=True)
class Attachment:
    """One PDF a message carries: which edition, and the name it is sent under."""

    brief: str
    number: int
    sha256: str
    archive: str
    filename: str


@dataclass(frozen=True)
class Message:
    """A row of the outbox: everything needed to send it again, identically."""

    id: int
    key: str
    job: str
    kind: str
    """``briefs`` for a job's PDFs; ``notice`` for a word to a job's owner."""
    recipient: str
    owner: str
    message_id: str
    subject: str
    body: str
    attachments: str
    created_at: str
    state: str
    attempts: int
    next_at: float
    claimed_by: str | None
    claimed_at: float | None
    sent_at: str | None
    error: str

    @property
    def files(self) -> list[Attachment]:
        return [Attachment(**a) for a in json.loads(self.attachments)]


_LIFE = uuid.uuid4().hex[:12]
"""This process's life: a restarted process given the same pid (PID 1 in a
container, say) is told apart from the one that died."""


def me() -> str:
    """Who claims a message: this process on this machine, in this life."""
    return f"{socket.gethostname()}:{os.getpid()}:{_LIFE}"


def _alive(claimer: str | None) -> bool:
    host, pid, life = [*(claimer or "").rsplit(":", 2), "", "", ""][:3]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return life == _LIFE
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Outbox:
    """Open it with :func:`open_outbox`."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def add(self, fields: dict[str, Any]) -> bool:
        """Queue a message; False when one with its key is already queued or sent."""
        names = ", ".join(fields)
        marks = ", ".join("?" for _ in fields)
        with self.db:
            cursor = self.db.execute(
                f"INSERT OR IGNORE INTO outbox ({names}, state, attempts, error) "
                f"VALUES ({marks}, 'pending', 0, '')",
                tuple(fields.values()),
            )
        return bool(cursor.rowcount)

    def get(self, id: int) -> Message | None:
        row = self.db.execute("SELECT * FROM outbox WHERE id = ?", (id,)).fetchone()
        return Message(*row) if row else None

    def has(self, key: str) -> bool:
        return self.state(key) is not None

    def state(self, key: str) -> str | None:
        """The state of the message queued under ``key``; None if there is none."""
        row = self.db.execute("SELECT state FROM outbox WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else None

    def due(self, now: float) -> list[Message]:
        rows = self.db.execute(
            "SELECT * FROM outbox WHERE state = 'pending' AND next_at <= ? ORDER BY id", (now,)
        )
        return [Message(*row) for row in rows]

    def next_due(self, job: str | None = None) -> float | None:
        """When the next pending message (of ``job``) is due, in epoch seconds."""
        query = "SELECT MIN(next_at) FROM outbox WHERE state = 'pending'"
        args: tuple[str, ...] = ()
        if job is not None:
            query, args = query + " AND job = ?", (job,)
        row = self.db.execute(query, args).fetchone()
        return row[0] if row and row[0] is not None else None

    def claim(self, message: Message, now: float) -> bool:
        """Take a pending message for sending; False when another sender has it."""
        with self.db:
            cursor = self.db.execute(
                "UPDATE outbox SET state = 'sending', claimed_by = ?, claimed_at = ?, "
                "attempts = attempts + 1 WHERE id = ? AND state = 'pending'",
                (me(), now, message.id),
            )
        return bool(cursor.rowcount)

    def sent(self, message: Message, when: str) -> None:
        self._set(message, "state = 'sent', sent_at = ?, error = ''", when)

    def later(self, message: Message, at: float, error: str) -> None:
        """A temporary failure: pending again, due at ``at``."""
        self._set(message, "state = 'pending', next_at = ?, error = ?", at, error)

    def failed(self, message: Message, error: str) -> None:
        self._set(message, "state = 'failed', error = ?", error)

    def defer(self, ids: Iterable[int], at: float) -> None:
        """Hold pending messages until ``at`` (the server is down: do not hammer it)."""
        with self.db:
            self.db.executemany(
                "UPDATE outbox SET next_at = MAX(next_at, ?) WHERE id = ? AND state = 'pending'",
                [(at, id) for id in ids],
            )

    def _set(self, message: Message, assignments: str, *values: Any) -> None:
        with self.db:
            self.db.execute(
                f"UPDATE outbox SET {assignments} WHERE id = ? AND state = 'sending'",
                (*values, message.id),
            )

    def wake(self, now: float) -> int:
        """Make every pending message due at ``now``, whatever its backoff
        said (a start: the server may be back, the settings fixed); how many."""
        with self.db:
            cursor = self.db.execute(
                "UPDATE outbox SET next_at = ? WHERE state = 'pending' AND next_at > ?", (now, now)
            )
        return cursor.rowcount

    def reclaim(self, now: float) -> list[Message]:
        """Put back to pending the messages whose sender died while sending
        them (or has held them past the lease); those it put back."""
        rows = self.db.execute("SELECT * FROM outbox WHERE state = 'sending'")
        stale = [
            m
            for m in (Message(*row) for row in rows)
            if not _alive(m.claimed_by) or now - (m.claimed_at or 0) > LEASE
        ]
        with self.db:
            for m in stale:
                self.db.execute(
                    "UPDATE outbox SET state = 'pending', next_at = ?, error = ? "
                    "WHERE id = ? AND state = 'sending' AND claimed_by IS ?",
                    (now, "the sender stopped while sending it", m.id, m.claimed_by),
                )
        return stale

    def retry(self, ids: list[int] | None = None) -> int:
        """Queue failed messages (all, or those numbered) again; how many."""
        query = "UPDATE outbox SET state = 'pending', attempts = 0, next_at = 0 "
        query += "WHERE state = 'failed'"
        with self.db:
            if ids is None:
                return self.db.execute(query).rowcount
            return sum(self.db.execute(query + " AND id = ?", (id,)).rowcount for id in ids)

    def messages(self, states: Iterable[str] = (), limit: int = 200) -> list[Message]:
        """The newest messages (of these states), newest first."""
        wanted = list(states)
        where = f"WHERE state IN ({', '.join('?' for _ in wanted)})" if wanted else ""
        rows = self.db.execute(
            f"SELECT * FROM outbox {where} ORDER BY id DESC LIMIT ?", (*wanted, limit)
        )
        return [Message(*row) for row in rows]

    def counts(self) -> dict[str, int]:
        rows = self.db.execute("SELECT state, COUNT(*) FROM outbox GROUP BY state")
        return dict(rows.fetchall())

    def sent_before(self, recipient: str) -> dict[str, int]:
        """The newest edition of each brief queued or sent to this recipient:
        what the next message's change summary starts from."""
        rows = self.db.execute(
            "SELECT attachments FROM outbox WHERE recipient = ? AND kind = 'briefs' "
            "AND state != 'failed' ORDER BY id",
            (recipient,),
        )
        last: dict[str, int] = {}
        for (attachments,) in rows:
            for a in json.loads(attachments):
                last[a["brief"]] = max(last.get(a["brief"], 0), a["number"])
        return last


@contextmanager
def open_outbox(folders: Folders) -> Iterator[Outbox]:
    """The outbox table of the ledger's database, created if need be. It does
    not take the builders' lock: sending never waits for a build."""
    with state_database(folders.state, LEDGER_NAME, SCHEMA, durable=True) as db:
        yield Outbox(db)
