"""Benchmark ``briefs run`` and print a table of the targets of issue #9.

Run with ``make bench-run`` (or ``.venv/bin/python bench/bench_run.py``, about
15 minutes; ``--quick`` takes about two). One ``briefs run`` subprocess keeps a
copy of the sample project current while this script edits a data file the
way editors save (write a temporary file, then rename it over the old one),
waits for the PDF to be replaced, and measures the whole process tree:
``briefs run``, its fork server and its render workers. The copy's only job
rebuilds the public brief in English on change, and each edit switches one
English text that only that brief prints between two values.

Targets:
- save → updated PDF in place ≤ 1.0 s for one brief, median of 20 edits (after a
  first one, which may find the render workers still starting);
- idle CPU of the process tree ≤ 1 % of one core, once start-up and the first
  rebuilds are over;
- memory does not grow: the tree's peak RSS over 500 rebuilds is within 10 % of
  its peak over the first 50.

Times depend on what else the machine is doing; run it again if a number looks odd.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import psutil
from pypdf import PdfReader

from harness import MB, PY, REPO, PeakRss, Table, end, parts, quick_or_full, tree_cpu, tree_rss

BRIEFS = str(Path(PY).parent / "briefs")
BRIEF = Path("output/human-trafficking/public.en.pdf")
EDITED = Path("data/human-trafficking/facts.yaml")
TEXTS = (
    "Human trafficking has no place in Canada.",
    "Human trafficking has no place anywhere in Canada.",
)
"""The first sentence of a fact's plain English text: only the public brief
prints plain texts, and the job builds its English version only."""
JOB = """\
description: The public brief in English, whenever the data changes (bench/bench_run.py)
build:
  audiences: [public]
  languages: [en]
triggers:
  on_change: true
"""
GAP = 1.0
"""Seconds between the PDF being in place and the next save."""
SETTLE = 2.0
"""Seconds left after the last timed rebuild before idle CPU is sampled."""
POLL = 0.002
TIMEOUT = 30.0
"""Longest wait for one rebuild, or for start-up, before calling it a failure."""
LINGER = 2.0
"""Seconds the fork server and resource tracker get to end after briefs run."""


@dataclass(frozen=True)
class Plan:
    latency: int
    """The first edits, timed against the target; then idle CPU is sampled."""
    idle: float
    """Seconds of idle CPU sampled."""
    baseline: int
    """The edits of the first memory window."""
    edits: int


FULL = Plan(latency=20, idle=20.0, baseline=50, edits=500)
QUICK = Plan(latency=20, idle=10.0, baseline=20, edits=60)


class Failed(Exception):
    """briefs run did not do what it should (ended, did not rebuild in time)."""


def project(base: Path) -> Path:
    """A copy of the sample project whose only job is the one of :data:`JOB`."""
    root = base / "project"
    root.mkdir()
    shutil.copy2(REPO / "briefs.yaml", root)
    for folder in ("data", "templates"):
        shutil.copytree(REPO / folder, root / folder)
    (root / "jobs").mkdir()
    (root / "jobs" / "bench.yaml").write_text(JOB)
    return root


def stop(process: psutil.Popen) -> tuple[float, int]:
    """SIGTERM, then SIGKILL after 10 s; then the same for whatever is still in
    its process group ``LINGER`` seconds later (the fork server and workers
    outlive a killed ``briefs run``). How long it took to exit, and how many
    processes it left."""
    started = time.perf_counter()
    end(process)
    took = time.perf_counter() - started
    gone = time.perf_counter() + LINGER
    while (left := group(process.pid)) and time.perf_counter() < gone:
        time.sleep(0.05)
    for member in left:
        member.terminate()
    _, alive = psutil.wait_procs(left, timeout=5)
    for member in alive:
        member.kill()
    return took, len(left)


def group(pgid: int) -> list[psutil.Process]:
    """The processes of a process group."""
    found = []
    for member in psutil.process_iter():
        with contextlib.suppress(psutil.Error, ProcessLookupError):
            if os.getpgid(member.pid) == pgid:
                found.append(member)
    return found


@contextmanager
def serving(root: Path, log: Path) -> Iterator[psutil.Popen]:
    """``briefs run`` on ``root``, logging to ``log``; stopped however this ends,
    and on a failure the end of its log is shown."""
    with log.open("wb") as out:
        process = psutil.Popen(  # its own group: see stop()
            [BRIEFS, "-C", str(root), "run"],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield process
    except BaseException:
        stop(process)
        lines = log.read_text(errors="replace").splitlines()
        print(f"\nThe end of the briefs run log ({log}):", file=sys.stderr)
        print("\n".join(lines[-40:]), file=sys.stderr)
        raise
    finally:
        stop(process)


def wait_for_line(process: psutil.Popen, log: Path, text: str) -> float:
    """Seconds until a line of the log contains ``text``."""
    started = time.perf_counter()
    while text not in log.read_text(errors="replace"):
        if process.poll() is not None:
            raise Failed(f"briefs run ended (exit code {process.returncode}) before {text!r}")
        if time.perf_counter() - started > TIMEOUT:
            raise Failed(f"briefs run did not log {text!r} within {TIMEOUT:.0f} s")
        time.sleep(0.05)
    return time.perf_counter() - started


def stat_key(path: Path) -> tuple[int, int, int] | None:
    """Changes when the file is replaced (a new inode) or rewritten."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


def printed(pdf: Path) -> str:
    """The PDF's text, with every run of white space made one space."""
    return " ".join("".join(page.extract_text() for page in PdfReader(pdf).pages).split())


class Editor:
    """Saves the edited file as editors do, each time with the other text, and
    times how long the brief then takes to be replaced."""

    def __init__(self, root: Path, process: psutil.Popen) -> None:
        self.file = root / EDITED
        self.pdf = root / BRIEF
        self.process = process
        self.saved_at: list[datetime] = []
        self.others = {p: stat_key(p) for p in (root / "output").rglob("*.pdf") if p != self.pdf}

    @property
    def text(self) -> str:
        """What the last save wrote."""
        return TEXTS[len(self.saved_at) % 2]

    def save(self) -> float:
        """Save a change; seconds until the updated PDF is in place."""
        old, new = TEXTS[len(self.saved_at) % 2], TEXTS[(len(self.saved_at) + 1) % 2]
        content = self.file.read_text()
        if content.count(old) != 1:
            raise Failed(f"expected {old!r} once in {self.file}")
        before = stat_key(self.pdf)
        temporary = self.file.with_name(f".{self.file.name}.tmp")
        temporary.write_text(content.replace(old, new))
        started = time.perf_counter()
        self.saved_at.append(datetime.now())
        os.replace(temporary, self.file)
        while stat_key(self.pdf) == before:
            if self.process.poll() is not None:
                raise Failed(f"briefs run ended (exit code {self.process.returncode})")
            if time.perf_counter() - started > TIMEOUT:
                raise Failed(f"save {len(self.saved_at)}: no new PDF after {TIMEOUT:.0f} s")
            time.sleep(POLL)
        return time.perf_counter() - started

    def check(self) -> None:
        """The brief prints the text last saved (read with pypdf: slow, so not
        every time)."""
        if self.text not in printed(self.pdf):
            raise Failed(f"save {len(self.saved_at)}: {BRIEF} does not say {self.text!r}")

    def replaced_others(self) -> list[Path]:
        """The other briefs that were replaced: there should be none."""
        return [p for p, key in self.others.items() if stat_key(p) != key]


def cpu_since(process: psutil.Popen, before: dict[int, float]) -> tuple[float, str]:
    """CPU seconds the tree used since ``before`` (from :func:`tree_cpu`), and
    its processes; a process that ended since took its time with it."""
    after = tree_cpu(process)
    used = sum(total - before.get(pid, 0.0) for pid, total in after.items())
    note = f"{len(after)} processes"
    ended, new = before.keys() - after.keys(), after.keys() - before.keys()
    if ended or new:
        note += f", {len(ended)} ended, {len(new)} new"
    return used, note


def idle_cpu(process: psutil.Popen, seconds: float) -> tuple[float, str]:
    """Percent of one core the tree used over ``seconds``, and its processes."""
    before = tree_cpu(process)
    started = time.perf_counter()
    time.sleep(seconds)
    used, note = cpu_since(process, before)
    return 100 * used / (time.perf_counter() - started), note


def logged(log: Path) -> tuple[list[datetime], list[str], list[str]]:
    """From the log: the times of the "rebuilt" lines for the brief, the other
    "rebuilt" lines, and the lines of errors and warnings."""
    times, others, bad = [], [], []
    for line in log.read_text(errors="replace").splitlines():
        if " INFO rebuilt " in line:
            if f"rebuilt {BRIEF} " in line:
                times.append(datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f"))
            else:
                others.append(line)
        elif any(word in line for word in ("ERROR", "WARNING", "Traceback")):
            bad.append(line)
    return times, others, bad


def seconds(values: list[float]) -> str:
    middle = statistics.median(values)
    return f"median {middle:.2f} s, p90 {p90(values):.2f} s, max {max(values):.2f} s"


def p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10)[-1] if len(values) > 1 else values[0]


def edits(process: psutil.Popen, editor: Editor, plan: Plan, table: Table) -> None:
    """Save once to have the render workers running, then ``plan.edits`` times,
    measuring on the way; rows as they are known."""
    time.sleep(GAP)
    table.row(  # the render workers may still be starting: not timed against the target
        "save → PDF, the first edit after start-up (not counted below)",
        f"{editor.save():.2f} s",
    )
    latencies: list[float] = []
    with PeakRss(process) as rss:
        for number in range(1, plan.edits + 1):
            time.sleep(GAP)
            if number == 1:
                rss.reset()  # the edits' window, not start-up's
                cpu = tree_cpu(process)
            latencies.append(editor.save())
            if number in (1, 2, plan.edits):
                editor.check()
            if number == plan.latency:
                first = latencies[: plan.latency]
                table.row(
                    f"save → updated PDF in place, one brief (median of edits 1–{number})",
                    f"{statistics.median(first):.2f} s (p90 {p90(first):.2f} s)",
                    "≤ 1.0 s",
                    statistics.median(first) <= 1.0,
                )
                used, processes = cpu_since(process, cpu)
                table.row(
                    f"CPU time of the process tree per rebuild, edits 1–{number}",
                    f"{used / number:.2f} s ({processes}); load average {os.getloadavg()[0]:.1f}",
                )
                time.sleep(SETTLE)
                idle, processes = idle_cpu(process, plan.idle)
                table.row(
                    f"idle CPU of the process tree ({plan.idle:.0f} s after edit {number})",
                    f"{idle:.2f} % of a core ({processes})",
                    "≤ 1 %",
                    idle <= 1,
                )
            if number == plan.baseline:
                baseline, baseline_parts = rss.peak, rss.parts
                table.row(
                    f"peak RSS of the process tree, edits 1–{number}",
                    f"{baseline / MB:.0f} MB ({baseline_parts})",
                )
                time.sleep(GAP)
                at_rest = tree_rss(process)
            if number % 50 == 0:
                print(f"  {number}/{plan.edits} edits", file=sys.stderr)
        time.sleep(GAP)
        last_rss = tree_rss(process)
        peak, peak_parts = rss.peak, rss.parts
    table.row(
        f"peak RSS of the process tree, edits 1–{plan.edits}",
        f"{peak / MB:.0f} MB ({peak_parts})",
        f"≤ 1.1 × {baseline / MB:.0f} = {1.1 * baseline / MB:.0f} MB",
        peak <= 1.1 * baseline,
    )
    table.row(
        f"RSS at rest after edit {plan.baseline} → {plan.edits} (main + resource "
        "tracker + fork server + workers)",
        f"{sum(at_rest) / MB:.0f} MB ({parts(at_rest)}) → "
        f"{sum(last_rss) / MB:.0f} MB ({parts(last_rss)})",
    )
    table.row(f"save → PDF in place, all {plan.edits} edits", seconds(latencies))
    last = latencies[-plan.latency :]
    table.row(f"save → PDF in place, last {len(last)} edits", seconds(last))


def main() -> None:
    plan = quick_or_full(
        __doc__,
        QUICK,
        FULL,
        f"{QUICK.edits} edits instead of {FULL.edits}, memory compared with the "
        f"first {QUICK.baseline}, {QUICK.idle:.0f} s of idle CPU",
    )
    table = Table()
    load = os.getloadavg()[0]  # this machine may be busy with more than this
    with tempfile.TemporaryDirectory(prefix="bench-run-") as tmp:
        root = project(Path(tmp))
        subprocess.run([BRIEFS, "-C", str(root), "build"], check=True, capture_output=True)
        log = Path(tmp) / "run.log"
        with serving(root, log) as process:
            startup = wait_for_line(process, log, "job bench (change)")
            editor = Editor(root, process)
            edits(process, editor, plan, table)
            replaced = editor.replaced_others()
            took, left = stop(process)
        times, others, bad = logged(log)
    lags = [(t - s).total_seconds() for t, s in zip(times, editor.saved_at, strict=False)]
    table.row("briefs run log: save → its 'rebuilt' line", seconds(lags))
    table.row(
        "what the edits rebuilt (briefs run log)",
        f"{len(times)} × {BRIEF.name}, {len(others)} other, "
        f"{len(replaced)} other PDF replaced, {len(bad)} error/warning lines",
        f"{len(editor.saved_at)} × {BRIEF.name}, nothing else",
        len(times) == len(editor.saved_at) and not others and not replaced and not bad,
    )
    table.row(
        "start-up (spawn → start-up scan logged); stop (SIGTERM → exit)",
        f"{startup:.1f} s; {took:.2f} s, exit code {process.returncode}, "
        f"{left} process(es) left behind",
        "exit code 0, none left",
        process.returncode == 0 and not left,
    )
    quick = " (--quick)" if plan is QUICK else ""
    table.print(f"briefs run benchmark{quick}, load average {load:.1f} → {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
