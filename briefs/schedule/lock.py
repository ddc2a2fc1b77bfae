"""One ``briefs run`` per project: an exclusive lock on ``run.lock``.

The kernel drops an ``flock`` when its process dies, however it dies, so a
lock left by a killed process never blocks a restart: the file may remain,
the lock does not. The holder writes its process id into the file, for the
message a second instance prints.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from briefs.editions.faults import writing
from briefs.errors import AlreadyRunning

LOCK_NAME = "run.lock"


@contextmanager
def one_scheduler(state: Path, shown: str) -> Iterator[None]:
    """Hold the project's scheduler lock, or raise :class:`AlreadyRunning` at once."""
    with writing(state):
        state.mkdir(parents=True, exist_ok=True)
        handle = os.open(state / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(handle, 32, 0).decode(errors="replace").strip()
            raise AlreadyRunning(shown, holder) from None
        os.ftruncate(handle, 0)
        os.pwrite(handle, f"{os.getpid()}\n".encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(handle, 0)
    finally:
        os.close(handle)  # closing drops the lock


def holder(state: Path) -> str | None:
    """The process id of a running ``briefs run``, or None when none runs."""
    try:
        handle = os.open(state / LOCK_NAME, os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return os.pread(handle, 32, 0).decode(errors="replace").strip() or "?"
    finally:
        os.close(handle)
    return None
