"""The command line: thin, honest exit codes, writes only what was asked."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner

from briefs.cli import main
from conftest import SAMPLE, tree_state


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_python_m_briefs_and_help_do_not_load_weasyprint(project_dir: Path) -> None:
    code = (
        "import sys, runpy; sys.argv = ['briefs', '-C', sys.argv[1], 'check'];\n"
        "try: runpy.run_module('briefs', run_name='__main__')\n"
        "except SystemExit as e: assert not e.code, e.code\n"
        "assert 'weasyprint' not in sys.modules, 'check imported weasyprint'\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(project_dir)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "ok: 1 dossier(s), 6 brief(s) would be built" in done.stdout
    helped = subprocess.run(
        [sys.executable, "-m", "briefs", "build", "--help"], capture_output=True, text=True
    )
    assert helped.returncode == 0 and "--audience" in helped.stdout


def test_check_writes_nothing(project_dir: Path) -> None:
    before = tree_state(project_dir)
    code, output = invoke("-C", str(project_dir), "check")
    assert code == 0 and "ok:" in output
    assert tree_state(project_dir) == before


def test_build_only_what_was_asked(project_dir: Path) -> None:
    code, output = invoke(
        "-C", str(project_dir), "build", SAMPLE, "--audience", "public", "--lang", "fr", "--html"
    )
    assert code == 0, output
    assert f"output/{SAMPLE}/public.fr.pdf" in output
    files = sorted(p.name for p in (project_dir / "output" / SAMPLE).iterdir())
    assert files == ["public.fr.html", "public.fr.pdf"]


def test_usage_errors_exit_2(project_dir: Path) -> None:
    assert invoke("-C", str(project_dir), "build", "--lang", "de")[0] == 2
    code, output = invoke("-C", str(project_dir), "build", "--audience", "media")
    assert code == 2 and "media (audiences: minister, partners, public)" in output
    assert invoke("-C", str(project_dir), "frobnicate")[0] == 2


def test_bad_project_or_dossier_exit_1(tmp_path: Path, project_dir: Path) -> None:
    code, output = invoke("-C", str(tmp_path), "check")
    assert code == 1 and "no briefs.yaml here" in output
    code, output = invoke("-C", str(project_dir), "build", "no-such-dossier")
    assert code == 1 and "expected a dossier folder, found no 'no-such-dossier'" in output


SUBSET_MISSING = """
import sys
import weasyprint.pdf.fonts as fonts
fonts.harfbuzz_subset = None  # as on a machine without libharfbuzz-subset0
from briefs.cli import main
main(['-C', sys.argv[1], 'build', '--force', '--jobs', '1', '--audience', 'public',
      '--lang', 'en'])
"""


def test_without_hb_subset_one_warning_and_same_bytes(project_dir: Path) -> None:
    """The library cannot be uninstalled under a test, so WeasyPrint is told it is absent."""
    pdf = project_dir / "output" / SAMPLE / "public.en.pdf"
    runs = []
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-c", SUBSET_MISSING, str(project_dir)], capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        runs.append((pdf.read_bytes(), done.stderr))
        time.sleep(1.1)  # fontTools would stamp a different second into the fonts
    (first, stderr), (second, _) = runs
    assert first == second
    assert stderr.count("libharfbuzz-subset0 is not installed") == 1
    assert "Using fontTools" not in stderr
