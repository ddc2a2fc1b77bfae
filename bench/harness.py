"""What the benchmark scripts share: where things are, the results table, and
measures of a whole process tree (a briefs process, its fork server and its
render workers).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import TypeVar

import psutil

REPO = Path(__file__).resolve().parent.parent
PY = sys.executable
CORES = len(os.sched_getaffinity(0))
MB = 2**20


T = TypeVar("T")


class Table:
    """Rows of Measure | Result | Target | Met, said on standard error as they
    come and printed as Markdown at the end."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str]] = []

    def row(self, measure: str, value: str, target: str = "-", ok: bool = True) -> None:
        self.rows.append((measure, value, target, "yes" if ok else "NO"))
        print(f"  {measure}: {value} (target {target})", file=sys.stderr)

    def print(self, title: str) -> None:
        print(f"\n{title} — {CORES} cores, Python {sys.version.split()[0]}\n")
        print("| Measure | Result | Target | Met |")
        print("|---|---|---|---|")
        for measure, value, target, ok in self.rows:
            print(f"| {measure} | {value} | {target} | {ok} |")


def tree(process: psutil.Process) -> list[psutil.Process]:
    """The process and all its descendants, the process first."""
    return [process, *process.children(recursive=True)]


def tree_rss(process: psutil.Process) -> list[int]:
    """The RSS of each process of the tree now, in bytes, the process first."""
    sizes = []
    for member in tree(process):
        with contextlib.suppress(psutil.NoSuchProcess):  # a worker that just ended
            sizes.append(member.memory_info().rss)
    return sizes


def tree_cpu(process: psutil.Process) -> dict[int, float]:
    """CPU seconds (user + system) used so far by each process of the tree, by pid."""
    used = {}
    for member in tree(process):
        try:
            times = member.cpu_times()
        except psutil.NoSuchProcess:
            continue
        used[member.pid] = times.user + times.system
    return used


def parts(sizes: list[int]) -> str:
    return " + ".join(f"{size / MB:.0f}" for size in sizes)


class PeakRss:
    """``with PeakRss(process) as rss:`` samples the summed RSS of the tree every
    ``every`` seconds in a thread; ``rss.peak`` (bytes) and ``rss.parts`` (MB of
    each process at that peak) can be read at any time, and :meth:`reset` starts
    a new window."""

    def __init__(self, process: psutil.Process, every: float = 0.05) -> None:
        self.process = process
        self.every = every
        self.peak = 0
        self.parts = ""
        self.done = threading.Event()
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> PeakRss:
        self.thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.done.set()
        self.thread.join()

    def reset(self) -> None:
        with self.lock:
            self.peak, self.parts = 0, ""

    def _sample(self) -> None:
        while not self.done.is_set():
            try:
                sizes = tree_rss(self.process)
            except psutil.Error:  # the process itself has ended
                sizes = []
            with self.lock:
                if sum(sizes) > self.peak:
                    self.peak, self.parts = sum(sizes), parts(sizes)
            time.sleep(self.every)


def quick_or_full(doc: str, quick: T, full: T, quick_help: str) -> T:
    """The plan ``--quick`` asks for, else the full one. A SIGTERM unwinds as
    Ctrl-C does, so the bench stops what it started and removes its copy."""
    signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(128 + number))
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=quick_help)
    return quick if parser.parse_args().quick else full


def end(process: psutil.Popen) -> None:
    """Ask a process to stop (SIGTERM); kill it if it has not within 10 s."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(10)
    except psutil.TimeoutExpired:
        process.kill()
        process.wait(10)
