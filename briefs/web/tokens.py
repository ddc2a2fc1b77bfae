"""Access tokens for ``briefs serve``: each is tied to one audience (or to
``operator``, for /status), and only its SHA-256 is stored.

A token is 256 random bits, so a plain hash is enough to keep the stored
copy useless to whoever reads the database; there is nothing to brute-force.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from briefs.editions.faults import state_database
from briefs.source.files import Folders

TOKENS_NAME = "tokens.sqlite3"
OPERATOR = "operator"
"""The role that may read /status; not an audience."""
PREFIX = "brf_"
SCHEMA = """
CREATE TABLE IF NOT EXISTS tokens (
  id INTEGER PRIMARY KEY, role TEXT, hash TEXT UNIQUE, label TEXT, created_at TEXT,
  revoked_at TEXT);
"""


@dataclass(frozen=True)
class Token:
    id: int
    role: str
    hash: str
    label: str
    created_at: str
    revoked_at: str | None


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Tokens:
    """Open it with :func:`open_tokens`."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def create(self, role: str, label: str = "") -> str:
        """A new token for ``role``; the only time it is ever shown."""
        token = PREFIX + secrets.token_urlsafe(32)
        with self.db:
            self.db.execute(
                "INSERT INTO tokens (role, hash, label, created_at) VALUES (?, ?, ?, ?)",
                (role, digest(token), label, datetime.now(UTC).isoformat(timespec="seconds")),
            )
        return token

    def role(self, token: str) -> str | None:
        """The role of a live token, or None."""
        row = self.db.execute(
            "SELECT role FROM tokens WHERE hash = ? AND revoked_at IS NULL", (digest(token),)
        ).fetchone()
        return row[0] if row else None

    def all(self) -> list[Token]:
        return [Token(*row) for row in self.db.execute("SELECT * FROM tokens ORDER BY id")]

    def revoke(self, id: int) -> bool:
        with self.db:
            cursor = self.db.execute(
                "UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                (datetime.now(UTC).isoformat(timespec="seconds"), id),
            )
        return bool(cursor.rowcount)


@contextmanager
def open_tokens(folders: Folders) -> Iterator[Tokens]:
    with state_database(folders.state, TOKENS_NAME, SCHEMA) as db:
        yield Tokens(db)
