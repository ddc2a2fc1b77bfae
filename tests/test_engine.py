"""Loading WeasyPrint: no compiler runs, and the ordinary way still works."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROBE = """
import sys
{load}
from weasyprint.text import ffi
print(ffi.harfbuzz_subset is not None, ffi.pango is not None)
"""


def _fake_tools(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """gcc, cc and ld that only leave a mark: ctypes.util's library search runs them."""
    marks = tmp_path / "ran"
    tools = tmp_path / "bin"
    tools.mkdir()
    for name in ("gcc", "cc", "ld", "objdump"):
        tool = tools / name
        tool.write_text(f"#!/bin/sh\necho {name} >> {marks}\nexit 1\n")
        tool.chmod(0o755)
    return {**os.environ, "PATH": f"{tools}:{os.environ['PATH']}"}, marks


@pytest.mark.parametrize(
    ("load", "compiles"),
    [
        ("from briefs.render.engine import load_weasyprint; load_weasyprint()", False),
        ("import weasyprint", True),  # the control: the ordinary import does run them
    ],
)
def test_weasyprint_loads_the_same_libraries_without_a_compiler(
    tmp_path: Path, load: str, compiles: bool
) -> None:
    env, marks = _fake_tools(tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(load=load)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert done.stdout.split() == ["True", "True"]
    assert marks.exists() == compiles


def test_falls_back_to_the_ordinary_import(tmp_path: Path) -> None:
    """Where only the library search finds a library, the first attempt fails
    with OSError; the import is then made again, the ordinary way."""
    code = """
import importlib.abc, sys
class FailOnce(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name == "weasyprint.text.ffi":
            sys.meta_path.remove(self)
            raise OSError("cannot load library 'libpango-1.0-0'")
sys.meta_path.insert(0, FailOnce())
from briefs.render.engine import load_weasyprint
weasyprint = load_weasyprint()
print(len(weasyprint.HTML(string="<p>ok</p>").write_pdf()) > 0)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True"]
