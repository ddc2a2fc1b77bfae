"""Publishing files so that a reader never sees half of one."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from briefs.editions.faults import writing


def write_atomic(target: Path, data: bytes) -> None:
    """Write to a temporary file beside ``target``, flush it to disk, then rename.

    A crash at any moment leaves either the old file or the new one, never a mix.
    A folder we may not write, or a full disk, raises a :class:`BriefsError`.
    """
    with writing(target):
        _write(target, data)


def _write(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    directory = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
