"""Render PDFs in a pool of worker processes, one per core by default.

Each worker imports WeasyPrint once and keeps its Renderer (fonts, parsed
stylesheet, fetcher) for every brief it renders; workers are replaced after
``RECYCLE`` renders because WeasyPrint's memory grows a little per document.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from briefs.pdf import Rendered, Renderer

RECYCLE = 40
Key = TypeVar("Key")


@dataclass(frozen=True)
class Job:
    html: str
    base: Path
    created: str


_renderer: Renderer | None = None


def _start(assets: Path) -> None:
    """Worker initializer: the costly part, done once per worker."""
    global _renderer
    from briefs.pdf import Renderer

    _renderer = Renderer(assets)


def _render(job: Job) -> Rendered:
    assert _renderer is not None, "worker not initialised"
    return _renderer.render(job.html, job.base, job.created)


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def render_all(
    assets: Path, jobs: Iterable[tuple[Key, Job]], workers: int
) -> Iterator[tuple[Key, Rendered | BaseException]]:
    """Render every job, yielding results as they finish (not in order).

    At most two jobs per worker are in flight, so memory stays flat however
    many briefs there are. With one worker everything runs in this process.
    """
    if workers <= 1:
        _start(assets)
        for key, job in jobs:
            try:
                yield key, _render(job)
            except Exception as exc:  # reported per brief by the caller
                yield key, exc
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        workers,
        mp_context=context,
        initializer=_start,
        initargs=(assets,),
        max_tasks_per_child=RECYCLE,
    ) as pool:
        pending: dict[Future[Rendered], Key] = {}
        queue = iter(jobs)
        exhausted = False
        while pending or not exhausted:
            while not exhausted and len(pending) < 2 * workers:
                item = next(queue, None)
                if item is None:
                    exhausted = True
                    break
                pending[pool.submit(_render, item[1])] = item[0]
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                key = pending.pop(future)
                error = future.exception()
                yield key, error if error is not None else future.result()
