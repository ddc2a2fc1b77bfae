"""Render PDFs in a pool of worker processes, one per core by default.

Workers are forked from a fork server that, once per build process, imports
WeasyPrint, makes a Renderer (fonts, parsed stylesheet, fetcher) and renders a
small page to warm its caches; every worker inherits all of that. A worker
replaces the inherited Renderer only if the assets' content changed since, and is
itself replaced after ``RECYCLE`` renders because WeasyPrint's memory grows a
little per document. The fork server starts as soon as a build knows it has
work, so this happens while the data is read and validated.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, TypeVar

from briefs.source.files import tree_digest

if TYPE_CHECKING:
    from briefs.render.pdf import Rendered, Renderer

RECYCLE = 40
ASSETS_VARIABLE = "BRIEFS_RENDER_ASSETS"
"""Tells the fork server (see :mod:`briefs.render.prefork`) which assets to prepare."""
Key = TypeVar("Key")


@dataclass(frozen=True)
class Job:
    html: str
    base: Path
    created: str


_renderer: Renderer | None = None
_failed: list[Exception] = []
_made_for: list[tuple[Path, str]] = []
"""The assets folder, and its digest, this process's Renderer (or its failure)
came from: a Renderer's fetcher and fonts belong to one folder, so identical
assets elsewhere (another project) need their own."""
_early: list[threading.Thread] = []


def _ready(assets: Path, key: str, quiet: bool = True) -> None:
    """Make this process's Renderer (the costly part), unless it was made from
    these very assets: ``key`` is their :func:`~briefs.source.files.tree_digest`.

    A failure here (say the stylesheet asks for a forbidden URL) is kept and
    raised for each job, so every brief reports the real reason instead of
    the pool dying with "a child process terminated abruptly".
    """
    global _renderer
    if _made_for == [(assets, key)]:
        return
    from briefs.render.pdf import Renderer

    _failed.clear()
    _made_for[:] = [(assets, key)]
    try:
        _renderer = Renderer(assets, quiet=quiet)
    except Exception as exc:
        _renderer = None
        _failed.append(exc)


def prepare(assets: Path) -> None:
    """In the fork server: a Renderer and a first render, for every worker to inherit."""
    _ready(assets, tree_digest(assets))  # digest first: a later edit makes it stale
    if _renderer is not None:
        with contextlib.suppress(Exception):  # a real render will say what is wrong
            _renderer.warm_up()
    # Workers would otherwise copy every page the garbage collector touches.
    gc.freeze()


def _render(job: Job, assets: Path, key: str) -> Rendered:
    _ready(assets, key)
    if _failed:
        raise _failed[0]
    if _renderer is None:
        raise RuntimeError("renderer not started")
    return _renderer.render(job.html, job.base, job.created)


def _calm() -> None:
    """Ctrl-C reaches the whole process group: a worker leaves it to the main
    process, which stops between briefs, instead of dying mid-render. And a
    worker ends with the main process, however it ends (``kill -9`` too):
    otherwise the workers, and the fork server whose pipe they hold, would
    outlive it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_end_with, args=(parent.sentinel,), daemon=True).start()


def _end_with(sentinel: int) -> None:
    multiprocessing.connection.wait([sentinel])
    os._exit(1)


def _warm() -> None:
    """A task that only makes a worker start (and so import WeasyPrint)."""


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def start_early(assets: Path, cache: Path | None = None) -> None:
    """Start the fork server now, so that it prepares a Renderer while the
    build plans its work; pool workers are then forked from it, ready.
    ``cache`` is fontconfig's cache folder (see :func:`use_shipped_fonts`)."""
    from multiprocessing import forkserver

    from briefs.render.fonts import use_shipped_fonts

    use_shipped_fonts(assets, cache)  # the fork server inherits it
    os.environ[ASSETS_VARIABLE] = str(assets)
    forkserver.set_forkserver_preload(["briefs.render.prefork"])
    if not _early:  # starting it takes a while; nobody needs to wait for that here
        _early.append(threading.Thread(target=forkserver.ensure_running, daemon=True))
        _early[0].start()


class RenderPool:
    """``with RenderPool(assets, workers, cache) as pool: pool.render(jobs)``.

    With one worker everything runs in this process, which is also what a
    serial build means; the bytes are the same either way. ``cache`` is
    fontconfig's cache folder (see :func:`use_shipped_fonts`).
    """

    def __init__(self, assets: Path, workers: int, cache: Path | None = None) -> None:
        self.assets = assets
        self.workers = max(workers, 1)
        self.cache = cache
        self.pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> RenderPool:
        from briefs.render.fonts import use_shipped_fonts
        from briefs.render.pdf import warn_without_hb_subset

        warn_without_hb_subset()
        use_shipped_fonts(self.assets, self.cache)  # before WeasyPrint loads, here or there
        if self.workers > 1:
            start_early(self.assets, self.cache)
            self.pool = ProcessPoolExecutor(
                self.workers,
                mp_context=multiprocessing.get_context("forkserver"),
                max_tasks_per_child=RECYCLE,
                initializer=_calm,
            )
            # Starting a worker waits for the fork server to be ready; a
            # thread does that waiting while this one plans.
            threading.Thread(target=self._warm_up, daemon=True).start()
        return self

    def _warm_up(self) -> None:
        try:
            for _ in range(self.workers):
                if self.pool is not None:
                    self.pool.submit(_warm)
        except RuntimeError:  # the build ended (bad input) before the workers started
            pass

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def render(
        self, jobs: Iterable[tuple[Key, Job]], assets_key: str
    ) -> Iterator[tuple[Key, Rendered | BaseException]]:
        """Render every job, yielding results as they finish (not in order).

        Jobs are drawn lazily, at most two per worker in flight, so memory
        stays flat however many briefs there are. ``assets_key`` is the
        assets' digest: a renderer made from other assets is made again.
        """
        if self.pool is None:
            _ready(self.assets, assets_key, quiet=False)
            for key, job in jobs:
                try:
                    yield key, _render(job, self.assets, assets_key)
                except Exception as exc:  # reported per brief by the caller
                    yield key, exc
            return
        pending: dict[Future[Rendered], Key] = {}
        # The first submit waits for the fork server to be ready: make the
        # first jobs (their HTML) before it, while the workers are not there.
        queue = iter(jobs)
        queue = itertools.chain(list(itertools.islice(queue, 2 * self.workers)), queue)
        exhausted = False
        while pending or not exhausted:
            while not exhausted and len(pending) < 2 * self.workers:
                item = next(queue, None)
                if item is None:
                    exhausted = True
                    break
                pending[self.pool.submit(_render, item[1], self.assets, assets_key)] = item[0]
            if not pending:
                break
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                key = pending.pop(future)
                error = future.exception()
                yield key, error if error is not None else future.result()
