"""Crash safety: kill builds at random moments; nothing is ever half-written."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from pypdf import PdfReader

from briefs import list_editions, load_project
from conftest import SAMPLE


def _assert_consistent(root: Path) -> int:
    """Every PDF opens and is complete; the ledger's latest editions are the files."""
    outputs = sorted((root / "output" / SAMPLE).glob("*.pdf")) if (root / "output").exists() else []
    for pdf in outputs:
        data = pdf.read_bytes()
        assert data.rstrip().endswith(b"%%EOF"), pdf
        assert len(PdfReader(pdf).pages) >= 1
    latest: dict[str, object] = {}
    for edition in list_editions(load_project(root)):  # opening the ledger recovers it
        latest[edition.output] = edition
        assert hashlib.sha256((root / edition.archive).read_bytes()).hexdigest() == edition.sha256
    assert sorted(latest) == [str(p.relative_to(root)) for p in outputs]
    for output, edition in latest.items():
        digest = hashlib.sha256((root / output).read_bytes()).hexdigest()
        assert digest == edition.sha256, output  # type: ignore[attr-defined]
    assert not list(root.rglob(".*.tmp"))
    return len(outputs)


def test_killed_builds_leave_whole_pdfs_and_a_true_ledger(project_dir: Path) -> None:
    chance = random.Random(20170209)
    figures = project_dir / "data" / SAMPLE / "figures.yaml"
    original = figures.read_text()
    command = [sys.executable, "-m", "briefs", "-C", str(project_dir), "build", "--jobs", "2"]
    started = time.perf_counter()
    subprocess.run([*command, "--force"], check=True, capture_output=True)
    whole = time.perf_counter() - started  # kill moments scale with this machine's speed
    killed = 0
    for round_ in range(8):
        figures.write_text(original.replace("value: 44\n", f"value: {45 + round_}\n"))
        build = subprocess.Popen(
            [*command, "--force"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        time.sleep(chance.uniform(0.05, 0.95) * whole)
        if build.poll() is None:
            os.killpg(build.pid, signal.SIGKILL)
            killed += 1
        build.wait()
        _assert_consistent(project_dir)
    assert killed >= 3, "the builds finished before they could be killed"
    done = subprocess.run(
        [sys.executable, "-m", "briefs", "-C", str(project_dir), "build"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert _assert_consistent(project_dir) == 6
    editions = list_editions(load_project(project_dir))
    assert max(e.number for e in editions) >= 2
