"""Faults an operator meets: a clear message, exit code 1, and nothing lost.

Read-only folders are made with real permissions. Root ignores them, so as
root the command runs in a child without the capabilities that let root
write anyway (``setpriv --bounding-set``). The file size limit is a real
``RLIMIT_FSIZE`` on the child, and a full disk a real small tmpfs.
"""

from __future__ import annotations

import hashlib
import os
import resource
import shlex
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from briefs import build, list_editions, load_project
from briefs.audience.plan import Target
from briefs.cli import main
from briefs.editions.ledger import open_ledger
from briefs.editions.publish import publish
from briefs.errors import ArchiveConflict
from conftest import FIXTURES, REPO, SAMPLE, write_project

FIRST = datetime(2017, 3, 1, 15, 0, tzinfo=UTC)
STATE = Path("output") / ".state"
LEDGER = STATE / "ledger.sqlite3"
OTHER = "impaired-driving"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample project, built once as edition 1 of every brief."""
    root = write_project(tmp_path_factory.mktemp("faults") / "project")
    build(load_project(root), now=FIRST)
    return root


@pytest.fixture
def project(built: Path, tmp_path: Path) -> Iterator[Path]:
    """A private copy of ``built``; its permissions are given back afterwards."""
    root = Path(shutil.copytree(built, tmp_path / "project"))
    yield root
    for path in [root, *root.rglob("*")]:
        if not path.is_symlink():
            path.chmod(path.stat().st_mode | 0o700 if path.is_dir() else 0o644)


def files(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` with its bytes, the ledger's included."""
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def pdfs(root: Path) -> dict[str, bytes]:
    """The published and archived PDFs, with their bytes."""
    return {k: v for k, v in files(root).items() if k.endswith(".pdf")}


def read_only(*folders: Path) -> None:
    """Take write permission away from ``folders`` and everything in them."""
    for folder in folders:
        for path in [*folder.rglob("*"), folder]:
            path.chmod(path.stat().st_mode & ~0o222)


def briefs(root: Path, *args: str, limit: int | None = None) -> subprocess.CompletedProcess[str]:
    """``briefs -C root ARGS`` in a child that honours file permissions (root
    included) and, given ``limit``, a file size limit of that many bytes."""
    command = [sys.executable, "-m", "briefs", "-C", str(root), *args]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: no way to make root honour permissions")
        command = [setpriv, "--bounding-set", "-dac_override,-dac_read_search", *command]

    def limited() -> None:
        if limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), *sys.path])}
    return subprocess.run(
        command, preexec_fn=limited, env=env, capture_output=True, text=True, timeout=300
    )


def invoke(root: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["-C", str(root), *args])
    return result.exit_code, result.output


def change_a_figure(root: Path, value: int = 45) -> None:
    figures = root / "data" / SAMPLE / "figures.yaml"
    text = figures.read_text()
    assert "value: 44\n" in text
    figures.write_text(text.replace("value: 44\n", f"value: {value}\n"))


def consistent(root: Path) -> list[int]:
    """Every published edition matches its archived PDF, and the latest of each
    brief matches the PDF in place; no edition is left pending. Returns the
    latest edition numbers, in brief order."""
    latest = {}
    for edition in list_editions(load_project(root)):
        archived = (root / edition.archive).read_bytes()
        assert hashlib.sha256(archived).hexdigest() == edition.sha256, edition.archive
        latest[edition.output] = edition
    for output, edition in latest.items():
        assert hashlib.sha256((root / output).read_bytes()).hexdigest() == edition.sha256
    assert pending(root / LEDGER) == 0
    assert not list(root.rglob(".*.tmp"))
    return [latest[output].number for output in sorted(latest)]


def pending(ledger: Path) -> int:
    """How many editions the ledger holds as pending, read as is (no recovery)."""
    with closing(sqlite3.connect(ledger)) as db:
        (count,) = db.execute("SELECT count(*) FROM editions WHERE state = 'pending'").fetchone()
        return int(count)


# -- 13: read-only folders ---------------------------------------------------------


def test_read_only_state_folder_build_says_so_and_reading_still_works(project: Path) -> None:
    change_a_figure(project)  # the build has work to do
    before = files(project)
    read_only(project / "output")  # the state folder is inside it
    done = briefs(project, "build")
    assert done.returncode == 1, done.stderr
    assert f"error: {project / STATE}: write permission needed" in done.stderr
    assert "Traceback" not in done.stderr
    listed = briefs(project, "editions")
    assert listed.returncode == 0, listed.stderr
    assert f"{SAMPLE}/public.fr" in listed.stdout and "0001.pdf" in listed.stdout
    checked = briefs(project, "check")
    assert checked.returncode == 0, checked.stderr
    assert "ok: 1 dossier(s), 6 brief(s) would be built" in checked.stdout
    assert files(project) == before  # nothing written, not even a lock or a WAL file


def test_read_only_mount_build_says_so_and_editions_still_lists(project: Path) -> None:
    """A read-only file system, as a backup or a snapshot is mounted: even root
    may not write, and SQLite cannot make its WAL index beside the ledger."""
    change_a_figure(project)
    before = files(project)
    output = project / "output"
    unshare = ["unshare", "--mount"] + (["--map-root-user"] if os.geteuid() else [])
    mount = f"mount --bind -o ro {shlex.quote(str(output))} {shlex.quote(str(output))}"
    probe = subprocess.run([*unshare, "sh", "-c", mount], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(f"cannot mount read-only in a private namespace here: {probe.stderr.strip()}")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), *sys.path])}
    done = {}
    for args in (["build"], ["editions"]):
        command = shlex.join([sys.executable, "-m", "briefs", "-C", str(project), *args])
        done[args[0]] = subprocess.run(
            [*unshare, "sh", "-c", f"{mount} && exec {command}"],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert done["build"].returncode == 1, done["build"].stderr
    message = f"error: {project / STATE}: write permission needed (Read-only file system)"
    assert message in done["build"].stderr
    assert "Traceback" not in done["build"].stderr
    assert done["editions"].returncode == 0, done["editions"].stderr
    assert f"{SAMPLE}/public.fr" in done["editions"].stdout
    assert files(project) == before


def test_read_only_output_folder_build_says_so_before_rendering(project: Path) -> None:
    change_a_figure(project)
    before = files(project)
    read_only(project / "output" / SAMPLE)  # the state folder stays writable
    done = briefs(project, "build")
    assert done.returncode == 1, done.stderr
    folder = project / "output" / SAMPLE
    assert f"error: {folder}: write permission needed (Permission denied)" in done.stderr
    assert "Traceback" not in done.stderr
    assert pdfs(project) == {k: v for k, v in before.items() if k.endswith(".pdf")}
    assert consistent(project) == [1] * 6


# -- 14: a damaged ledger ----------------------------------------------------------


def test_damaged_ledger_is_named_with_the_way_out_and_the_archive_stays(project: Path) -> None:
    (project / LEDGER).write_bytes(b"this is not a database, it was overwritten" * 100)
    before = pdfs(project)
    for command in (["build"], ["build", "--force"], ["editions"]):
        code, output = invoke(project, *command)
        assert code == 1, output
        assert f"error: {project / LEDGER}: the edition ledger is damaged" in output
        assert "(file is not a database)" in output
        assert "Move the ledger aside" in output
        assert pdfs(project) == before
    # Following the advice: the next build numbers after the archive, losing nothing.
    (project / LEDGER).rename(project / LEDGER.with_suffix(".damaged"))
    code, output = invoke(project, "build")
    assert code == 0, output
    assert consistent(project) == [2] * 6
    assert {k: v for k, v in pdfs(project).items() if k.endswith("0001.pdf")} == {
        k: v for k, v in before.items() if k.endswith("0001.pdf")
    }


# -- 15: a full disk, a file size limit -----------------------------------------------


def test_file_size_limit_says_so_and_the_next_build_settles(project: Path) -> None:
    change_a_figure(project)
    before = pdfs(project)
    largest = max(len(data) for data in before.values())
    done = briefs(project, "build", "--jobs", "1", limit=largest - 1)
    assert done.returncode == 1, done.stderr  # not killed by SIGXFSZ
    assert "file size limit (ulimit -f)" in done.stderr
    assert "Traceback" not in done.stderr
    for name, data in pdfs(project).items():  # whole PDFs: the old ones or new editions
        assert data.rstrip().endswith(b"%%EOF"), name
    again = briefs(project, "build")
    assert again.returncode == 0, again.stderr
    assert consistent(project) == [2] * 6


def test_full_disk_says_so_and_the_next_build_settles(project: Path) -> None:
    config = project / "briefs.yaml"
    settings = yaml.safe_load(config.read_text())
    config.write_text(yaml.safe_dump({**settings, "output": "out", "state": "state"}))
    (project / "out").mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=96k", "tmpfs", str(project / "out")],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.strip()}")
    try:
        code, output = invoke(project, "build", "--jobs", "1")
        assert code == 1, output
        assert "error: " in output and "the disk is full" in output
        for pdf in (project / "out").rglob("*.pdf"):
            assert pdf.read_bytes().rstrip().endswith(b"%%EOF"), pdf
        assert pending(project / "state" / "ledger.sqlite3") == 1  # for the next build to settle
        remount = ["mount", "-o", "remount,size=16m", str(project / "out")]
        subprocess.run(remount, check=True)  # space freed
        code, output = invoke(project, "build")
        assert code == 0, output
        numbers = {}
        for edition in list_editions(load_project(project)):
            digest = hashlib.sha256((project / edition.output).read_bytes()).hexdigest()
            assert digest == edition.sha256
            numbers[edition.brief] = edition.number
        assert sorted(numbers.values()) == [1] * 6
        assert not list(project.rglob(".*.tmp"))
    finally:
        subprocess.run(["umount", "-l", str(project / "out")], check=False)


# -- 16: a deleted ledger never overwrites an archived PDF ------------------------------


def test_deleted_ledger_numbers_after_the_archive(project: Path) -> None:
    before = pdfs(project)
    for path in (project / STATE).glob("ledger.sqlite3*"):
        path.unlink()
    code, output = invoke(project, "build")
    assert code == 0, output
    assert consistent(project) == [2] * 6
    after = pdfs(project)
    assert {k: after[k] for k in before if "archive" in k} == {
        k: v for k, v in before.items() if "archive" in k
    }
    assert len([k for k in after if k.endswith("0002.pdf")]) == 6


def test_publishing_refuses_to_overwrite_an_archived_pdf(project: Path) -> None:
    """Defence in depth: even asked to publish a number the archive already
    holds (a ledger that lost its history), the archived PDF stays."""
    for path in (project / STATE).glob("ledger.sqlite3*"):
        path.unlink()
    folders = load_project(project).folders
    target = Target(SAMPLE, "public", "en")
    archive = target.archive(folders, 1)
    before = pdfs(project)
    with open_ledger(folders) as ledger, pytest.raises(ArchiveConflict) as refused:
        publish(
            ledger,
            folders,
            target,
            1,
            b"%PDF-1.7 other bytes %%EOF",
            fingerprint="x",
            snapshot="{}",
            trigger="cli",
            inputs="x",
            now=FIRST,
            timezone="UTC",
        )
    assert str(refused.value).startswith(f"{folders.show(archive)}: an archived edition is")
    assert pdfs(project) == before
    assert consistent(project) == []  # not even a pending edition was recorded


# -- 20: check some dossiers, an unknown dossier ---------------------------------------


def test_check_some_dossiers_only(tmp_path: Path) -> None:
    root = write_project(
        tmp_path / "two",
        dossiers={
            SAMPLE: REPO / "data" / SAMPLE,
            "impaired-driving": FIXTURES / "impaired-driving",
        },
    )
    with (root / "data" / OTHER / "dossier.yaml").open("a") as broken:
        broken.write("\nnot_a_section: 1\n")
    code, output = invoke(root, "check", SAMPLE)
    assert code == 0, output
    assert "ok: 1 dossier(s), 6 brief(s) would be built" in output
    code, output = invoke(root, "check")
    assert code == 1 and "impaired-driving" in output
    code, output = invoke(root, "check", SAMPLE, "nope")
    assert code == 1
    assert "found no 'nope' (dossiers: human-trafficking, impaired-driving)" in output


def test_editions_of_an_unknown_dossier_lists_the_known_ones(project: Path) -> None:
    code, output = invoke(project, "editions", "nope")
    assert code == 1
    assert "error: expected a dossier, found no 'nope' (dossiers: human-trafficking)" in output
    code, output = invoke(project, "editions", SAMPLE)
    assert code == 0 and f"{SAMPLE}/minister.en" in output


# -- 21: make demo ------------------------------------------------------------------------


def test_make_demo_lists_each_pdf_once(tmp_path: Path) -> None:
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    root = write_project(tmp_path / "demo")
    shutil.copy(REPO / "Makefile", root)
    shutil.copytree(REPO / "scripts", root / "scripts")
    shutil.copy(REPO / "pyproject.toml", root)
    shutil.copytree(REPO / "jobs", root / "jobs")
    stamp = root / "installed"
    stamp.touch()  # the venv this test runs in stands for make's .venv
    variables = [f"BIN={Path(sys.executable).parent}", f"STAMP={stamp}"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    for _ in ("built", "up to date"):
        done = subprocess.run(
            [make, "-s", "-C", str(root), "demo", *variables],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        for name in ("minister", "partners", "public"):
            for lang in ("en", "fr"):
                assert done.stdout.count(f"{name}.{lang}.pdf") == 1, done.stdout
        assert done.stdout.count(".eml") == 3, done.stdout  # once per sample recipient
