"""Input that is neither data nor a mistake in data: stack-deep nesting, links
out of the project, FIFOs and devices, empty files, odd folder names, YAML
tags. Each is refused with a message naming the file; none is read, skipped
or turned into a traceback."""

from __future__ import annotations

import os
import re
import signal
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from briefs.cli import main
from briefs.source.files import sha256_file
from conftest import REPO, SAMPLE, copy_templates, write_project

SECRET = "root:$6$s3cr3tHashThatMustNeverBeEchoedIntoAnyMessage0123456789:19000:0:99999:7:::\n"


def run(root: Path, *args: str) -> tuple[int, str]:
    """The CLI in-process; a traceback would surface as a non-SystemExit exception."""
    result = CliRunner().invoke(main, ["-C", str(root), *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result.exit_code, result.output


class Expired(BaseException):
    """Not an OSError (as TimeoutError is), so no ``except OSError`` swallows it."""


@contextmanager
def deadline(seconds: int) -> Iterator[None]:
    """Fail, rather than hang the suite, if a FIFO is ever opened for reading."""

    def _expired(signum: int, frame: object) -> None:
        raise Expired(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, _expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _nested(depth: int, style: str) -> str:
    if style == "flow":
        return "facts: " + "[" * depth + "]" * depth + "\n"
    lines = ["facts:"] + ["  " * level + "- a:" for level in range(1, depth + 1)]
    return "\n".join(lines) + " 1\n"


@pytest.mark.parametrize("style", ["flow", "block"])
@pytest.mark.parametrize("depth", [51, 500, 999])
def test_deep_nesting_is_refused_not_a_traceback(project_dir: Path, depth: int, style: str) -> None:
    (project_dir / "data" / SAMPLE / "deep.yaml").write_text(_nested(depth, style))
    for command in ("check", "build"):
        code, output = run(project_dir, command)
        assert code == 1
        assert f"data/{SAMPLE}/deep.yaml:" in output
        assert "nested at most 50 deep" in output


def test_nesting_a_dossier_needs_is_accepted(project_dir: Path) -> None:
    (project_dir / "data" / SAMPLE / "deep.yaml").write_text(
        "facts: []\nfigures: []\n" + _nested(6, "flow").replace("facts", "series")
    )
    code, output = run(project_dir, "check")
    assert "nested at most" not in output  # refused for its content, not its depth
    assert code == 1 and "deep.yaml:3: series[0]" in output


def test_deep_configuration_is_refused(project_dir: Path) -> None:
    config = project_dir / "briefs.yaml"
    config.write_text(config.read_text() + "extra: " + "[" * 999 + "]" * 999 + "\n")
    for command in ("check", "build"):
        code, output = run(project_dir, command)
        assert code == 1
        assert "briefs.yaml:" in output and "nested at most 50 deep" in output


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A file outside the project, like /etc/shadow."""
    path = tmp_path / "elsewhere" / "shadow"
    path.parent.mkdir()
    path.write_text(SECRET * 3)
    return path


def test_data_link_out_of_the_project_is_refused_unread(project_dir: Path, secret: Path) -> None:
    link = project_dir / "data" / SAMPLE / "zz-linked.yaml"
    link.symlink_to(secret)
    for command in ("check", "build"):
        code, output = run(project_dir, command)
        assert code == 1
        assert (
            f"data/{SAMPLE}/zz-linked.yaml: expected a file or folder inside the project" in output
        )
        assert f"found a link to {secret}, outside it" in output
        assert "s3cr3t" not in output and "root:" not in output
    assert not (project_dir / "output" / SAMPLE).exists()


def test_dossier_folder_linked_out_of_the_project_is_refused(
    project_dir: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "elsewhere-dossier"
    (project_dir / "data" / SAMPLE).rename(outside)
    (project_dir / "data" / SAMPLE).symlink_to(outside)
    code, output = run(project_dir, "check")
    assert code == 1
    assert f"data/{SAMPLE}: expected a file or folder inside the project, found a link" in output


def test_links_inside_the_project_are_fine(project_dir: Path) -> None:
    shared = project_dir / "shared"
    shared.mkdir()
    facts = project_dir / "data" / SAMPLE / "facts.yaml"
    facts.rename(shared / "facts.yaml")
    facts.symlink_to(Path("../../shared/facts.yaml"))
    code, output = run(project_dir, "check")
    assert code == 0, output


@pytest.mark.parametrize(
    "linked",
    ["evil.html.j2", "locale/fr/LC_MESSAGES/briefs.po", "assets/brief.css", "assets"],
)
def test_template_link_out_of_the_project_is_refused(
    tmp_path: Path, secret: Path, linked: str
) -> None:
    root = tmp_path / "project"
    templates = copy_templates(root)
    write_project(root, templates=templates)
    target = templates / linked
    if target.is_dir():
        target.rename(tmp_path / "moved")
        secret = tmp_path / "moved"
    target.unlink(missing_ok=True)
    target.symlink_to(secret)
    for command in ("check", "build"):
        code, output = run(root, command)
        assert code == 1
        assert f"templates/{linked}: expected a file or folder inside the project" in output
        assert "s3cr3t" not in output
    assert not (root / "output" / SAMPLE).exists()


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _folder(path: Path) -> None:
    path.mkdir()
    (path / "facts.yaml").write_text("facts: []\n")


def _device(path: Path) -> None:
    try:
        os.mknod(path, stat.S_IFCHR | 0o600, os.makedev(1, 3))  # like /dev/null
    except PermissionError:
        pytest.skip("making a device node needs CAP_MKNOD")


@pytest.mark.parametrize(
    ("make", "kind"),
    [(_fifo, "a named pipe (FIFO)"), (_folder, "a folder"), (_device, "a device")],
)
def test_non_regular_yaml_entry_is_an_error(project_dir: Path, make: object, kind: str) -> None:
    entry = project_dir / "data" / SAMPLE / "zz-odd.yaml"
    make(entry)  # type: ignore[operator]
    with deadline(60):
        for command in ("check", "build"):
            code, output = run(project_dir, command)
            assert code == 1
            assert f"zz-odd.yaml: expected a regular file, found {kind}" in output


def test_a_link_loop_is_an_error_not_a_traceback(project_dir: Path) -> None:
    (project_dir / "data" / SAMPLE / "loop.yaml").symlink_to("loop.yaml")
    for command in ("check", "build"):
        code, output = run(project_dir, command)
        assert code == 1
        assert "loop.yaml: could not read the file: Too many levels of symbolic links" in output


def test_configuration_as_a_fifo_does_not_hang(project_dir: Path) -> None:
    (project_dir / "briefs.yaml").unlink()
    os.mkfifo(project_dir / "briefs.yaml")
    with deadline(20):
        for command in ("check", "build"):
            code, output = run(project_dir, command)
            assert code == 1 and "no briefs.yaml here" in output


def test_digest_of_a_fifo_does_not_block(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.yaml")
    with deadline(10):
        assert sha256_file(tmp_path / "pipe.yaml") == "not a regular file: a named pipe (FIFO)"


def test_messages_quote_only_a_short_part_of_a_value(project_dir: Path) -> None:
    long = "x" * 30 + "TAIL-NEVER-SHOWN" * 20
    (project_dir / "data" / SAMPLE / "zz-long.yaml").write_text(
        f"{long}: 1\nfacts:\n  - id: {long}\n    classification: {long}\n"
        f"milestones:\n  - date: '{long}'\n"
    )
    code, output = run(project_dir, "check")
    assert code == 1
    assert "TAIL-NEVER-SHOWN" not in output
    assert "zz-long.yaml:1: xxxxxxxx" in output and "unknown key 'xxxxxxxx" in output
    assert max(len(line) for line in output.splitlines()) < 300


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "the file is empty"),
        ("\n  \n\n", "the file is empty"),
        ("# facts were here\n# and here\n", "the file is empty"),
        ("{}\n", "the file holds no header and no items"),
        ("facts: []\nfigures: []\n", "the file holds no header and no items"),
    ],
)
def test_an_empty_file_is_an_error(project_dir: Path, content: str, message: str) -> None:
    (project_dir / "data" / SAMPLE / "facts.yaml").write_text(content)
    for command in ("check", "build"):
        code, output = run(project_dir, command)
        assert code == 1
        assert f"data/{SAMPLE}/facts.yaml: {message}" in output
    assert not (project_dir / "output" / SAMPLE).exists()


@pytest.mark.parametrize("name", ["Trafficking", "human_trafficking", "a--b", "-a", "a-", "été"])
def test_dossier_folder_name_must_be_a_slug(project_dir: Path, name: str) -> None:
    (project_dir / "data" / SAMPLE).rename(project_dir / "data" / name)
    code, output = run(project_dir, "check")
    assert code == 1
    assert f"data/{name}: expected a dossier folder named with lowercase letters" in output


def test_slug_folder_names_and_hidden_folders(project_dir: Path) -> None:
    (project_dir / "data" / SAMPLE).rename(project_dir / "data" / "ht-2")
    (project_dir / "data" / ".Backup_Old").mkdir()
    code, output = run(project_dir, "check")
    assert code == 0, output


@pytest.mark.parametrize(
    ("text", "line", "tag"),
    [
        ("    value: !!float 44\n", 6, "'!!float'"),
        ("    classification: !!str unclassified\n", 3, "'!!str'"),
        ("    note: ! {en: a, fr: b}\n", 7, "'!'"),
        ("    note: !local {en: a, fr: b}\n", 7, "'!local'"),
        ("    value: !!python/object:os.system 44\n", 6, "'!!python/object:os.system'"),
    ],
)
def test_every_explicit_tag_is_refused(project_dir: Path, text: str, line: int, tag: str) -> None:
    lines = [
        "figures:",
        "  - id: tagged",
        "    classification: unclassified",
        "    source: src-backgrounder",
        "    label: {en: A figure, fr: Une donnée}",
        "    value: 44",
    ]
    key = text.split(":")[0]
    lines = [text.rstrip("\n") if ln.startswith(key + ":") else ln for ln in lines]
    if line > len(lines):
        lines.append(text.rstrip("\n"))
    (project_dir / "data" / SAMPLE / "zz-tag.yaml").write_text("\n".join(lines) + "\n")
    code, output = run(project_dir, "check")
    assert code == 1
    assert f"zz-tag.yaml:{line}: expected a plain value, found the YAML tag {tag}" in output


def test_an_anchor_alone_is_refused(project_dir: Path) -> None:
    (project_dir / "data" / SAMPLE / "zz-anchor.yaml").write_text(
        "figures:\n  - &first\n    id: anchored\n"
    )
    code, output = run(project_dir, "check")
    assert code == 1
    assert "zz-anchor.yaml:2: YAML anchors (&name) are not allowed" in output


def test_sample_data_names_no_path_on_this_machine() -> None:
    """Sources are cited by title and URL: a local path means nothing to a
    reader, and points outside the project."""
    local_path = re.compile(r"(?<![\w:/.])/(?:[\w.-]+/)+[\w.-]+")
    for path in sorted((REPO / "data").rglob("*.yaml")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            assert not local_path.search(line), f"{path.name}:{number}: {line}"
