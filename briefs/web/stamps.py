"""Stamps: the stats of the files and folders an answer depends on, so
that ``briefs serve`` can give a kept answer again while none of them moved.

A folder's stat changes when a file is added, removed or renamed in it, and
a file's when it is written; so a stamp taken again by stat-ing the same
paths (a few dozen system calls) says whether anything changed. As in
:mod:`briefs.editions.digests`, a stamp with a file modified within two
seconds of when it was taken is not trusted ("racy git"): an edit in the
same clock tick, of the same size, may leave a stat unchanged.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from briefs.editions.digests import RACY_NS
from briefs.editions.ledger import LEDGER_NAME
from briefs.source.files import Folders

Stat = tuple[int, int, int] | None
"""A file's modification time (ns), size and inode; None when it is missing."""
Stamp = tuple[tuple[str, Stat], ...]
T = TypeVar("T")


@dataclass(frozen=True)
class Kept(Generic[T]):
    """An answer, the stamp taken just before it was found, and when."""

    value: T
    stamp: Stamp
    settled: bool
    """No stat in the stamp was younger than 2 s when it was taken."""
    looked: float
    """The monotonic clock when it was taken."""

    def holds(self) -> bool:
        """Whether every file and folder of the stamp has the stat it had
        (folders too: a file added or removed in one changes its stat)."""
        return self.settled and all(_look(path) == st for path, st in self.stamp)


def _stat(path: str) -> Stat:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size, st.st_ino


def _look(path: str) -> Stat:
    """A path's stat as a stamp keeps it: the ledger's write-ahead log counts
    only when something is in it (a reader leaves it empty)."""
    st = _stat(path)
    if st is not None and not st[1] and path.endswith(f"{LEDGER_NAME}-wal"):
        return None
    return st


def of(paths: list[Path]) -> Stamp:
    """The stamp of these files."""
    return tuple((str(path), _look(str(path))) for path in paths)


def _tree(folder: Path) -> Stamp:
    """Every folder under ``folder`` and every file in them."""
    found = []
    for directory, _, files in os.walk(folder):
        found.append((directory, _look(directory)))
        found += [(path, _look(path)) for path in (os.path.join(directory, f) for f in files)]
    return tuple(found)


def brief(folders: Folders, dossier: str, audience: str, lang: str) -> tuple[Stamp, int, float]:
    """The stamp of what a brief's "current" answer depends on: briefs.yaml,
    the data folder (its list of dossiers), the templates, the dossier's
    files, the ledger and the brief's PDF; and when it was taken (ns since the
    epoch, and the monotonic clock)."""
    taken, looked = time.time_ns(), time.monotonic()
    ledger = folders.state / LEDGER_NAME
    stamp = (
        *of([folders.config, folders.data, ledger, ledger.with_name(f"{LEDGER_NAME}-wal")]),
        *_tree(folders.templates),
        *_tree(folders.data / dossier),
        *of([folders.output / dossier / f"{audience}.{lang}.pdf"]),
    )
    return stamp, taken, looked


def keep(value: T, stamp: Stamp, taken: int, looked: float) -> Kept[T]:
    """``value`` found after ``stamp`` was taken, at ``taken`` (ns since the
    epoch) and ``looked`` (monotonic). Settled as in the digests' "racy git"
    rule: a file modified within 2 s before may change again without its stat
    changing (same clock tick, same size)."""
    settled = all(st is None or st[0] < taken - RACY_NS for _, st in stamp)
    return Kept(value, stamp, settled, looked)
