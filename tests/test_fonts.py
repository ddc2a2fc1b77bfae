"""Fonts: only the shipped ones, all of them there, and fontconfig quiet about it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SAMPLE


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_without_home_fontconfig_caches_under_the_state_folder(
    project_dir: Path, jobs: str
) -> None:
    """A service or a container may run without HOME: fontconfig, whose cache
    the shipped fonts.conf puts under $XDG_CACHE_HOME (else $HOME/.cache), had
    nowhere to write and said so in every render process."""
    env = {k: v for k, v in os.environ.items() if k not in ("HOME", "XDG_CACHE_HOME")}
    args = ["build", "--jobs", jobs, "--audience", "public", "--lang", "en"]
    done = subprocess.run(
        [sys.executable, "-m", "briefs", "-C", str(project_dir), *args],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "Fontconfig" not in done.stderr, done.stderr
    assert (project_dir / "output" / SAMPLE / "public.en.pdf").is_file()
    cache = project_dir / "output" / ".state" / "cache" / "briefs-fontconfig"
    assert list(cache.glob("*.cache-*")), "fontconfig wrote no cache under the state folder"
