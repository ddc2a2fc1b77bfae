"""Access tokens for ``briefs serve``: each is tied to one audience (or to
``operator``, for /status), and only its SHA-256 is stored.

A token of an audience is a reader's (its released briefs), an author's
(its drafts too) or an approver's (drafts, and approving them). The kind is
stored in the role as ``AUDIENCE:author`` or ``AUDIENCE:approver``; a plain
``AUDIENCE`` is a reader's, as before. An approver's label is the name
recorded and printed when they approve: it comes from whoever made the token
(``briefs token create``), never from the request.

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
KINDS = ("reader", "author", "approver")
"""What a token of an audience may do: read released briefs; read drafts too;
approve drafts too."""
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


@dataclass(frozen=True)
class Holder:
    """Who presents a live token: its audience (or ``operator``), kind and label."""

    audience: str
    kind: str
    label: str

    @property
    def sees_drafts(self) -> bool:
        return self.kind in ("author", "approver")


def role_of(audience: str, kind: str = "reader") -> str:
    """The stored role of a token of ``kind`` for ``audience``."""
    return audience if kind == "reader" else f"{audience}:{kind}"


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

    def holder(self, token: str) -> Holder | None:
        """Who a live token is, or None."""
        row = self.db.execute(
            "SELECT role, label FROM tokens WHERE hash = ? AND revoked_at IS NULL",
            (digest(token),),
        ).fetchone()
        if row is None:
            return None
        audience, _, kind = row[0].partition(":")
        return Holder(audience, kind or "reader", row[1] or "")

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
