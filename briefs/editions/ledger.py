"""The edition ledger: an embedded SQLite database in the state folder.

It records every edition of every brief, caches file digests by stat, and
remembers what each brief was last built from. Only the standard library is
used here, so a build with nothing to do stays fast.

Publishing an edition is crash-safe: the row is written as ``pending``, the
PDF is archived and moved into place, and only then is the row marked
``published``. :meth:`Ledger.recover` settles whatever a crash left behind.
"""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from briefs.editions.faults import connect_readonly, sqlite_fault, writing
from briefs.source.files import Folders, sha256_file

SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
  path TEXT PRIMARY KEY, mtime_ns INTEGER, size INTEGER, inode INTEGER,
  digest TEXT, checked_ns INTEGER);
CREATE TABLE IF NOT EXISTS briefs (
  dossier TEXT, audience TEXT, lang TEXT, inputs TEXT,
  PRIMARY KEY (dossier, audience, lang));
CREATE TABLE IF NOT EXISTS editions (
  dossier TEXT, audience TEXT, lang TEXT, number INTEGER,
  built_at TEXT, edition_date TEXT, fingerprint TEXT, sha256 TEXT, trigger TEXT,
  snapshot TEXT, output TEXT, archive TEXT, state TEXT, existing TEXT,
  PRIMARY KEY (dossier, audience, lang, number));
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
"""
LEDGER_NAME = "ledger.sqlite3"
Trigger = Literal["cli", "schedule", "change", "http"]
"""What started a build, as an edition records it."""


@dataclass(frozen=True)
class Edition:
    """One published (or, during a build, pending) edition of one brief."""

    dossier: str
    audience: str
    lang: str
    number: int
    built_at: str
    edition_date: str
    fingerprint: str
    sha256: str
    trigger: str
    snapshot: str
    output: str
    archive: str
    state: str
    existing: str = "[]"
    """Every item id of the dossier when built, as JSON: what its change
    section had to leave unnamed."""

    @property
    def brief(self) -> str:
        return f"{self.dossier}/{self.audience}.{self.lang}"


@dataclass(frozen=True)
class Latest:
    number: int
    sha256: str
    output: str


class Ledger:
    """The state folder's database; open it with :func:`open_ledger`."""

    def __init__(self, state: Path, db: sqlite3.Connection) -> None:
        self.state = state
        self.db = db

    # -- editions ---------------------------------------------------------
    def last(self, dossier: str, audience: str, lang: str) -> Edition | None:
        """The latest published edition of a brief."""
        return self._one("state = 'published' ORDER BY number DESC", dossier, audience, lang)

    def get(self, dossier: str, audience: str, lang: str, number: int) -> Edition | None:
        return self._one(f"state = 'published' AND number = {int(number)}", dossier, audience, lang)

    def _one(self, where: str, dossier: str, audience: str, lang: str) -> Edition | None:
        row = self.db.execute(
            f"SELECT * FROM editions WHERE dossier = ? AND audience = ? AND lang = ? AND {where}"
            " LIMIT 1",
            (dossier, audience, lang),
        ).fetchone()
        return Edition(*row) if row else None

    def snapshots(self, dossier: str, audience: str) -> list[str]:
        """Every distinct snapshot the audience's briefs of a dossier published, in
        both languages: the old words the leak guard keeps looking for."""
        rows = self.db.execute(
            "SELECT DISTINCT snapshot FROM editions WHERE dossier = ? AND audience = ? "
            "AND state = 'published' ORDER BY snapshot",
            (dossier, audience),
        )
        return [row[0] for row in rows]

    def editions(self, dossier: str | None = None) -> list[Edition]:
        query = "SELECT * FROM editions WHERE state = 'published'"
        args: tuple[str, ...] = ()
        if dossier:
            query += " AND dossier = ?"
            args = (dossier,)
        rows = self.db.execute(query + " ORDER BY dossier, audience, lang, number", args)
        return [Edition(*row) for row in rows]

    def begin(self, edition: Edition) -> None:
        """Step 1 of publishing: the edition exists only as a pending row."""
        with self.db:
            self.db.execute(
                "INSERT INTO editions VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (*_values(edition)[:-2], "pending", edition.existing),
            )

    def commit(self, edition: Edition, inputs: str) -> None:
        """Last step: the PDF is in place, so the edition is now real."""
        with self.db:
            self.db.execute(
                "UPDATE editions SET state = 'published' WHERE dossier = ? AND audience = ? "
                "AND lang = ? AND number = ?",
                (edition.dossier, edition.audience, edition.lang, edition.number),
            )
            self.set_inputs(edition.dossier, edition.audience, edition.lang, inputs)

    def recover(self, root: Path) -> list[str]:
        """Settle pending editions a crash left: keep those whose PDF made it into
        place, forget the others (their PDF never replaced the last good one)."""
        settled = []
        pending = [
            Edition(*r) for r in self.db.execute("SELECT * FROM editions WHERE state = 'pending'")
        ]
        for edition in pending:
            output = root / edition.output
            landed = output.is_file() and sha256_file(output) == edition.sha256
            if not landed:  # first, so a kill here leaves a row to settle, not a stray PDF
                (root / edition.archive).unlink(missing_ok=True)
            with self.db:
                if landed:
                    self.db.execute(
                        "UPDATE editions SET state = 'published' WHERE dossier = ? AND "
                        "audience = ? AND lang = ? AND number = ?",
                        (edition.dossier, edition.audience, edition.lang, edition.number),
                    )
                else:
                    self.db.execute(
                        "DELETE FROM editions WHERE dossier = ? AND audience = ? AND lang = ? "
                        "AND number = ?",
                        (edition.dossier, edition.audience, edition.lang, edition.number),
                    )
            settled.append(
                f"{edition.brief} #{edition.number}: " + ("published" if landed else "discarded")
            )
        return settled

    def latest(self) -> dict[tuple[str, str, str], Latest]:
        """The newest published edition of every brief, without the heavy columns."""
        rows = self.db.execute(
            "SELECT dossier, audience, lang, MAX(number), sha256, output FROM editions "
            "WHERE state = 'published' GROUP BY dossier, audience, lang"
        )
        return {(d, a, lang): Latest(n, sha, out) for d, a, lang, n, sha, out in rows}

    # -- what each brief was last built from ---------------------------------
    def all_inputs(self) -> dict[tuple[str, str, str], str]:
        return {(d, a, lang): key for d, a, lang, key in self.db.execute("SELECT * FROM briefs")}

    def inputs(self, dossier: str, audience: str, lang: str) -> str | None:
        row = self.db.execute(
            "SELECT inputs FROM briefs WHERE dossier = ? AND audience = ? AND lang = ?",
            (dossier, audience, lang),
        ).fetchone()
        return row[0] if row else None

    def set_inputs(self, dossier: str, audience: str, lang: str, inputs: str) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO briefs VALUES (?,?,?,?)", (dossier, audience, lang, inputs)
        )

    # -- the stat cache of file digests (see digests.py) ---------------------
    def file_stats(self) -> dict[str, tuple[Any, ...]]:
        """path → (mtime_ns, size, inode, digest, checked_ns)."""
        return {row[0]: row[1:] for row in self.db.execute("SELECT * FROM files")}

    def save_file_stats(self, rows: list[tuple[str, int, int, int, str, int]]) -> None:
        with self.db:
            self.db.executemany("INSERT OR REPLACE INTO files VALUES (?,?,?,?,?,?)", rows)

    def flush(self) -> None:
        """Make the writes so far durable (those not already in a transaction)."""
        self.db.commit()

    def meta(self, key: str) -> Any:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def set_meta(self, key: str, value: Any) -> None:
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, json.dumps(value)))


def _migrate(db: sqlite3.Connection) -> None:
    """Bring a ledger made by an earlier briefs up to this schema."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(editions)")}
    if "existing" not in columns:
        with db:
            db.execute("ALTER TABLE editions ADD COLUMN existing TEXT DEFAULT '[]'")


def _values(edition: Edition) -> tuple[Any, ...]:
    return tuple(edition.__dict__.values())


@contextmanager
def open_ledger(folders: Folders) -> Iterator[Ledger]:
    """Open (creating) the ledger, holding the state folder's lock, after recovery.

    One builder at a time: a second one waits for the lock rather than
    interleaving editions. A state or output folder we may not write, a full
    disk or a damaged ledger raise a :class:`BriefsError` that says so.
    """
    state = folders.state
    path = state / LEDGER_NAME
    with _said_plainly(path):
        with writing(state):
            state.mkdir(parents=True, exist_ok=True)
            lock = (state / "lock").open("a")
        with lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            db = sqlite3.connect(path, timeout=30)
            try:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=FULL")
                db.executescript(SCHEMA)
                _migrate(db)
                ledger = Ledger(state, db)
                with writing(state):
                    ledger.recover(folders.root)
                    for folder in (folders.output, state):
                        for stray in folder.rglob(".*.tmp"):
                            stray.unlink(missing_ok=True)
                yield ledger
            finally:
                db.close()


@contextmanager
def _said_plainly(path: Path) -> Iterator[None]:
    """SQLite's errors about the ledger as faults an operator can act on."""
    try:
        yield
    except sqlite3.Error as exc:
        fault = sqlite_fault(exc, path)
        if fault is None:
            raise
        raise fault from exc


@contextmanager
def read_ledger(folders: Folders, *, settle: bool = True) -> Iterator[Ledger | None]:
    """The ledger for reading, None when there is none yet: :func:`open_ledger`,
    which settles what a crash left, where the state folder may be written and
    ``settle`` asks it; else as it is, without the lock (a read-only tree; a
    server while a build runs)."""
    path = folders.state / LEDGER_NAME
    if not path.is_file():
        yield None
        return
    lock = folders.state / "lock"
    writable = not lock.exists() or os.access(lock, os.W_OK)
    if settle and os.access(folders.state, os.W_OK) and writable:
        with open_ledger(folders) as ledger:
            yield ledger
        return
    with _said_plainly(path):
        db = connect_readonly(path)
        try:
            yield Ledger(folders.state, db)
        finally:
            db.close()


def published(folders: Folders, dossier: str | None = None) -> list[Edition]:
    """Every published edition, oldest first per brief; none without a ledger."""
    with read_ledger(folders) as ledger:
        return ledger.editions(dossier) if ledger is not None else []
