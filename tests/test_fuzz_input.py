"""Property: whatever an editor leaves in a data file or in briefs.yaml,
``briefs check`` accepts it (exit 0) or refuses it with a message (exit 1),
and never shows a traceback.

The examples are derived from a fixed seed (``derandomize``), so a run is
quick and repeats itself; the sample's own files are mutated the way careless
edits and cut-short saves do: bytes and lines deleted, duplicated, replaced,
YAML punctuation inserted, the end cut off.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefs.cli import main
from conftest import REPO, SAMPLE, write_project

PIECES = [
    b"[", b"]", b"{", b"}", b"- ", b": ", b":", b"&a ", b"*a", b"!!str ", b"!x ", b"\t",
    b"'", b'"', b"#", b"\n", b"    ", b"|", b">-", b"---\n", b"...\n", b"%YAML 1.1\n",
    b"? ", b",", b"<<: ", b"~", b"\xff", b"\x00", b"\xef\xbb\xbf", b"1e400", b"2016-02-30",
    b"[" * 700, b"- " * 700, b"{a: " * 30,
]  # fmt: skip
OPS = ["delete", "duplicate", "replace", "insert", "truncate", "drop line", "repeat line", "nest"]
FILES = sorted(p.name for p in (REPO / "data" / SAMPLE).glob("*.yaml"))

mutation = st.tuples(
    st.sampled_from(OPS),
    st.integers(0, 1 << 20),
    st.integers(0, 400),
    st.one_of(st.sampled_from(PIECES), st.binary(max_size=6)),
)
quick = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def mutate(data: bytes, ops: list[tuple[str, int, int, bytes]]) -> bytes:
    """Apply each edit at a position taken modulo the current length."""
    for op, at, span, piece in ops:
        lines = data.splitlines(keepends=True)
        if op == "nest" and lines:  # a value nested deep, in block style (300 to 999) or flow
            block = at % 4 != 0
            depth = 300 + span * 7 % 700 if block else 40 + span
            data = b"".join(_nest(lines, at % len(lines), depth, block))
            continue
        if op in ("drop line", "repeat line") and lines:
            n = at % len(lines)
            lines[n : n + 1] = [] if op == "drop line" else [lines[n]] * (2 + span % 3)
            data = b"".join(lines)
            continue
        i = at % (len(data) + 1)
        j = min(len(data), i + span)
        data = {
            "delete": data[:i] + data[j:],
            "duplicate": data[:j] + data[i:j] + data[j:],
            "replace": data[:i] + piece + data[j:],
            "insert": data[:i] + piece + data[i:],
            "truncate": data[:i],
        }.get(op, data)
    return data


def _nest(lines: list[bytes], n: int, depth: int, block: bool) -> list[bytes]:
    """Line ``n``'s value (or a new last line's) replaced by a well-formed nest."""
    line = lines[n] if b": " in lines[n] else b"nested: 1\n"
    key = line[: line.index(b": ") + 1]
    indent = len(key) - len(key.lstrip(b" -")) + 2
    if block:
        value = b"\n" + b" " * indent + b"- " * depth + b"1\n"
    else:
        value = b" " + b"[" * depth + b"]" * depth + b"\n"
    if b": " in lines[n]:
        return [*lines[:n], key + value, *lines[n + 1 :]]
    return [*lines, key + value]


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One copy of the sample project; each example edits a file and puts it back."""
    return write_project(tmp_path_factory.mktemp("fuzz") / "project")


def _stack_depth() -> int:
    frame, depth = sys._getframe(), 0
    while frame.f_back is not None:
        frame, depth = frame.f_back, depth + 1
    return depth


def check_with(root: Path, path: Path, content: bytes) -> None:
    original = path.read_bytes() if path.exists() else None
    path.write_bytes(content)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(_stack_depth() + 1000)  # as a real run has; Hypothesis raises it
    try:
        result = CliRunner().invoke(main, ["-C", str(root), "check"])
    finally:
        sys.setrecursionlimit(limit)
        if original is None:
            path.unlink()
        else:
            path.write_bytes(original)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        content[:300],
        result.exc_info,
    )
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 1), result.output
    if result.exit_code == 1:
        assert "error: " in result.output and "found; nothing was written" in result.output
    else:
        assert result.output.startswith("ok: ")


@quick
@given(name=st.sampled_from(FILES), ops=st.lists(mutation, min_size=1, max_size=4))
def test_mutated_data_file(root: Path, name: str, ops: list[tuple[str, int, int, bytes]]) -> None:
    path = root / "data" / SAMPLE / name
    check_with(root, path, mutate((REPO / "data" / SAMPLE / name).read_bytes(), ops))


@quick
@given(content=st.one_of(st.text(max_size=400).map(str.encode), st.binary(max_size=400)))
def test_random_new_data_file(root: Path, content: bytes) -> None:
    check_with(root, root / "data" / SAMPLE / "zz-fuzz.yaml", content)


@settings(quick, max_examples=20)
@given(ops=st.lists(mutation, min_size=1, max_size=3))
def test_mutated_configuration(root: Path, ops: list[tuple[str, int, int, bytes]]) -> None:
    path = root / "briefs.yaml"
    check_with(root, path, mutate(path.read_bytes(), ops))
