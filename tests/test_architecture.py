"""The package's shape: layers and cycles checked by import-linter, small modules,
and an architecture page that names every module."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
MODULES = sorted(p for p in (REPO / "briefs").rglob("*.py"))


def _lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` on the package under ``root``, with root's pyproject.toml."""
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_import_contracts_are_kept() -> None:
    result = _lint_imports(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        # A lazy import inside a function counts: the data model may not reach
        # the CLI (which also closes a cycle through the package).
        (
            "source/model.py",
            "def _late() -> None:\n    from briefs.cli import main\n",
            {"layers", "cycles"},
        ),
        # Two render modules importing each other: a cycle within one stage.
        ("render/charts.py", "from briefs.render import context\n", {"cycles"}),
    ],
)
def test_a_broken_contract_fails(tmp_path: Path, module: str, line: str, broken: set[str]) -> None:
    shutil.copytree(REPO / "briefs", tmp_path / "briefs")
    shutil.copy(REPO / "pyproject.toml", tmp_path)
    with (tmp_path / "briefs" / module).open("a") as handle:
        handle.write("\n\n" + line)
    result = _lint_imports(tmp_path)
    assert result.returncode != 0
    report = result.stdout.split("Broken contracts")[-1]
    names = {"layers": "Doors above the pipeline", "cycles": "No import cycles"}
    assert {kind for kind, name in names.items() if name in report} == broken


def test_modules_are_small_and_there_is_no_grab_bag() -> None:
    sizes = {p.relative_to(REPO).as_posix(): len(p.read_text().splitlines()) for p in MODULES}
    assert not {name: n for name, n in sizes.items() if n > 300}
    assert not [name for name in sizes if Path(name).stem in {"utils", "helpers", "misc"}]


def test_architecture_page_names_every_module() -> None:
    page = (REPO / "docs" / "architecture.md").read_text()
    for path in MODULES:
        if path.name in {"__init__.py", "__main__.py"}:
            continue
        assert path.name in page, f"docs/architecture.md does not mention {path.name}"
    for package in (p.parent for p in MODULES if p.name == "__init__.py"):
        assert f"{package.name}/" in page
