"""File events as hints: watchfiles on the data, templates and jobs folders.

Events are only hints: an editor's atomic save arrives as an unordered set of
added and deleted names, and network file systems send none at all. The
build loop re-reads stats and digests to decide, and scans on a timer too.
The project root is watched on its own, not recursively, for briefs.yaml
(a recursive watch would see the output folder, and a virtualenv).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

import watchfiles

log = logging.getLogger("briefs.run")
STEP_MS = 50
"""How long watchfiles waits for more events before yielding a batch."""


class Watcher:
    """Threads that call ``hint(paths)`` for each batch of changes."""

    def __init__(self, hint: Callable[[set[Path]], None]) -> None:
        self.hint = hint
        self.stop = threading.Event()
        self.threads: list[threading.Thread] = []
        self.watched: tuple[tuple[Path, ...], tuple[Path, ...]] = ((), ())

    def watch(self, folders: list[Path], flat: list[Path]) -> None:
        """(Re)start watching ``folders`` recursively and ``flat`` folders alone;
        those that do not exist yet are left to the scan."""
        wanted = (
            tuple(sorted({f for f in folders if f.is_dir()})),
            tuple(sorted({f for f in flat if f.is_dir()})),
        )
        if wanted == self.watched and all(t.is_alive() for t in self.threads):
            return
        self.close()
        self.stop = threading.Event()
        self.watched = wanted
        for paths, recursive in ((wanted[0], True), (wanted[1], False)):
            if paths:
                thread = threading.Thread(
                    target=self._run, args=(paths, recursive, self.stop), daemon=True
                )
                thread.start()
                self.threads.append(thread)

    def _run(self, paths: tuple[Path, ...], recursive: bool, stop: threading.Event) -> None:
        try:
            for changes in watchfiles.watch(
                *paths,
                recursive=recursive,
                stop_event=stop,
                step=STEP_MS,
                debounce=1000,
                raise_interrupt=False,
            ):
                self.hint({Path(path) for _, path in changes})
        except Exception as exc:  # a folder removed, say: the scan carries on
            if not stop.is_set():
                log.warning("file events stopped (%s); changes are still found by the scan", exc)
                self.hint(set())

    def close(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=5)
        self.threads.clear()
