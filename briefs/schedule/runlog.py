"""What jobs did and what is failing: ``runs.sqlite3`` in the state folder.

A run is claimed under a unique (job, slot) key before anything is built. A
scheduled slot is the fire time as a clock on the wall shows it, in the job's
time zone, so the hour that repeats when clocks fall back runs once. A run
left "running" by a crash is marked "interrupted" at the next start: nothing
stays stuck. This class is the seam a PostgreSQL version would implement for
several machines (docs/scaling.md).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from briefs.editions.faults import state_database

RUNS_NAME = "runs.sqlite3"
SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
  id INTEGER PRIMARY KEY, job TEXT, slot TEXT, trigger TEXT, started_at TEXT,
  finished_at TEXT, state TEXT, built INTEGER, current INTEGER, message TEXT,
  UNIQUE (job, slot));
CREATE TABLE IF NOT EXISTS failing (what TEXT PRIMARY KEY, since TEXT, reason TEXT);
"""


@dataclass(frozen=True)
class Run:
    id: int
    job: str
    slot: str
    trigger: str
    started_at: str
    finished_at: str | None
    state: str
    """running, done (built or found everything current), failed, interrupted."""
    built: int
    current: int
    message: str


class RunLog:
    """Claims, results and failures; open it with :func:`open_runlog`."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def claim(self, job: str, slot: str, trigger: str, now: datetime) -> int | None:
        """The new run's id, or None when this job already ran in this slot."""
        with self.db:
            cursor = self.db.execute(
                "INSERT OR IGNORE INTO runs (job, slot, trigger, started_at, state, built, "
                "current, message) VALUES (?, ?, ?, ?, 'running', 0, 0, '')",
                (job, slot, trigger, now.isoformat(timespec="seconds")),
            )
        return cursor.lastrowid if cursor.rowcount else None

    def finish(
        self,
        run: int,
        state: str,
        now: datetime,
        built: int = 0,
        current: int = 0,
        message: str = "",
    ) -> None:
        with self.db:
            self.db.execute(
                "UPDATE runs SET state = ?, finished_at = ?, built = ?, current = ?, message = ? "
                "WHERE id = ?",
                (state, now.isoformat(timespec="seconds"), built, current, message, run),
            )

    def settle(self, now: datetime) -> int:
        """Mark the runs a crash or a kill left running; how many there were."""
        with self.db:
            cursor = self.db.execute(
                "UPDATE runs SET state = 'interrupted', finished_at = ?, "
                "message = 'briefs run stopped before this run finished' "
                "WHERE state = 'running'",
                (now.isoformat(timespec="seconds"),),
            )
        return cursor.rowcount

    def last_runs(self) -> dict[str, Run]:
        """Each job's latest run."""
        rows = self.db.execute(
            "SELECT * FROM runs WHERE id IN (SELECT MAX(id) FROM runs GROUP BY job) ORDER BY job"
        )
        return {row[1]: Run(*row) for row in rows}

    def runs(self, job: str) -> list[Run]:
        rows = self.db.execute("SELECT * FROM runs WHERE job = ? ORDER BY id", (job,))
        return [Run(*row) for row in rows]

    # -- what is failing ----------------------------------------------------
    def fail(self, what: str, reason: str, now: datetime) -> bool:
        """Record a failure (a brief, a job file, the input); True when it is news,
        so that a failure that lasts is logged once."""
        old = self.db.execute("SELECT reason FROM failing WHERE what = ?", (what,)).fetchone()
        if old is not None and old[0] == reason:
            return False
        with self.db:
            self.db.execute(
                "INSERT INTO failing VALUES (?, ?, ?) ON CONFLICT (what) "
                "DO UPDATE SET reason = excluded.reason",
                (what, now.isoformat(timespec="seconds"), reason),
            )
        return True

    def cleared(self, whats: Iterable[str]) -> list[str]:
        """Forget these failures; those that were recorded."""
        gone = []
        with self.db:
            for what in whats:
                if self.db.execute("DELETE FROM failing WHERE what = ?", (what,)).rowcount:
                    gone.append(what)
        return gone

    def failing(self) -> list[tuple[str, str, str]]:
        """(what, since, reason) of everything failing now, sorted."""
        return list(self.db.execute("SELECT what, since, reason FROM failing ORDER BY what"))


@contextmanager
def open_runlog(state: Path) -> Iterator[RunLog]:
    """Open (creating) the run log."""
    with state_database(state, RUNS_NAME, SCHEMA) as db:
        yield RunLog(db)
