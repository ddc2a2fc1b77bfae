"""A write that fails says why, in words an operator can act on.

The output and state folders may be read-only, the disk full or the file size
limited (``ulimit -f``), the ledger damaged. Each such ``OSError`` or SQLite
error becomes a :class:`BriefsError` naming the folder or file; anything else
is left as it was, a bug to see in full.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from briefs.errors import BriefsError, DiskFull, FolderNotWritable, LedgerDamaged

SPACE = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EFBIG: "the file size limit (ulimit -f) was reached",
}
DENIED = {errno.EACCES, errno.EPERM, errno.EROFS}


def os_fault(exc: OSError, place: Path) -> BriefsError | None:
    """The error to show for a failed write of ``place`` (a file, or a folder and
    what is below it), if we know it."""
    path = Path(exc.filename) if isinstance(exc.filename, str) else None
    if exc.errno in DENIED:
        # What failed was making or opening a file or folder: its parent needs write access.
        folder = path.parent if path is not None else place if place.is_dir() else place.parent
        return FolderNotWritable(str(folder), exc.strerror or "permission denied")
    if exc.errno in SPACE:
        return DiskFull(str(path or place), SPACE[exc.errno])
    return None


def sqlite_fault(exc: sqlite3.Error, ledger: Path) -> BriefsError | None:
    """The error to show for a failed use of the ledger, if we know it."""
    text = str(exc)
    if "readonly database" in text or "unable to open" in text:
        return FolderNotWritable(str(ledger.parent), text)
    if "disk is full" in text or "disk I/O error" in text:
        cause = f"{text} (is the disk full, or a file size limit (ulimit -f) reached?)"
        return DiskFull(str(ledger), cause)
    if isinstance(exc, sqlite3.OperationalError) or not isinstance(exc, sqlite3.DatabaseError):
        return None  # locked, busy, a bug: not the file's fault
    return LedgerDamaged(str(ledger), text)


@contextmanager
def writing(place: Path) -> Iterator[None]:
    """Say plainly why a write in or below ``place`` failed."""
    try:
        yield
    except OSError as exc:
        fault = os_fault(exc, place)
        if fault is None:
            raise
        raise fault from exc


def ensure_writable(folder: Path) -> None:
    """Refuse early, before rendering, when ``folder`` (or the nearest folder that
    exists above it, where it will be made) may not be written."""
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not os.access(existing, os.W_OK | os.X_OK):
        read_only = os.statvfs(existing).f_flag & os.ST_RDONLY
        raise FolderNotWritable(
            str(existing), "Read-only file system" if read_only else "Permission denied"
        )


def connect_readonly(path: Path) -> sqlite3.Connection:
    """Open a ledger in a folder we may not write: read-only, or, when SQLite needs
    to write beside it even for that (its WAL index), as immutable."""
    uri = path.absolute().as_uri()
    db = sqlite3.connect(f"{uri}?mode=ro", uri=True)
    try:
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return db
    except sqlite3.OperationalError:
        db.close()
    db = sqlite3.connect(f"{uri}?immutable=1", uri=True)
    db.execute("SELECT count(*) FROM sqlite_master").fetchone()
    return db


@contextmanager
def state_database(
    state: Path, name: str, schema: str, *, durable: bool = False
) -> Iterator[sqlite3.Connection]:
    """Open (creating) a SQLite database of the state folder, in WAL mode, usable
    from any thread; ``durable`` syncs every commit to disk. Its errors become
    faults an operator can act on."""
    path = state / name
    try:
        with writing(state):
            state.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path, timeout=30, check_same_thread=False)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            if durable:
                db.execute("PRAGMA synchronous=FULL")
            db.executescript(schema)
            yield db
        finally:
            db.close()
    except sqlite3.Error as exc:
        fault = sqlite_fault(exc, path)
        if fault is None:
            raise
        raise fault from exc
