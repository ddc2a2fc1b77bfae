"""Where a project keeps its files, which files make a dossier, and their digests.

Standard library and PyYAML only: a build with nothing to do, and the render
workers, use this without loading the data model.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from briefs.errors import Problem

CONFIG_NAME = "briefs.yaml"
DEFAULTS = {"data": "data", "templates": "templates", "output": "output", "state": "output/.state"}
"""Folders, relative to the project root, when briefs.yaml does not name them."""
MAX_BYTES = 2 * 1024 * 1024
"""Largest data or configuration file read; no dossier file comes near it."""
DOSSIER_NAME = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
"""A dossier folder's name names its output folder and its briefs: a plain slug."""


@dataclass(frozen=True)
class Folders:
    """A project's folders: what a stage receives instead of the whole project.

    :meth:`show` is the one place that turns a path into the short name users see.
    """

    root: Path
    data: Path
    templates: Path
    output: Path
    state: Path

    @classmethod
    def under(cls, root: Path, places: dict[str, str]) -> Folders:
        """The folders named in ``places`` (briefs.yaml's values), below ``root``."""
        named = {**DEFAULTS, **places}
        return cls(
            root,
            root / named["data"],
            (root / named["templates"]).resolve(),
            root / named["output"],
            root / named["state"],
        )

    @classmethod
    def read(cls, root: Path) -> Folders | None:
        """Read from briefs.yaml without validating it; None when it is missing or
        odd, and the full load will explain why."""
        try:
            raw = yaml.load(
                read_regular(root / CONFIG_NAME, MAX_BYTES),
                Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader),
            )
        except (OSError, yaml.YAMLError, ValueError, TypeError, RecursionError):
            return None
        if not isinstance(raw, dict):
            return None
        places = {key: raw.get(key, default) for key, default in DEFAULTS.items()}
        if not all(isinstance(value, str) for value in places.values()):
            return None
        return cls.under(root, places)

    @property
    def config(self) -> Path:
        return self.root / CONFIG_NAME

    @property
    def assets(self) -> Path:
        """Stylesheet and fonts: the only files the renderer may read."""
        return self.templates / "assets"

    @property
    def cache(self) -> Path:
        """What may be deleted at any time and made again: fontconfig's font cache."""
        return self.state / "cache"

    def show(self, path: Path) -> str:
        """A path as the user knows it: relative to the project when inside it."""
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)

    def unsafe(self, top: Path, area: Path, deep: bool = True) -> list[Problem]:
        """One problem for each link at or under ``top`` (only in it, when not
        ``deep``) that leads outside both the project and ``area`` (the data or
        templates folder, wherever it is), and for each FIFO, device or socket:
        reading one could leak or hang."""
        inside = (self.root.resolve(), area.resolve())
        problems: list[Problem] = []
        todo, seen = [top], set[Path]()
        while todo:
            path = todo.pop()
            if path.is_symlink():
                try:
                    target = path.resolve(strict=True)
                except (OSError, RuntimeError):  # dangling or a loop: reading it says so
                    continue
                if not any(target.is_relative_to(place) for place in inside):
                    where = f"a link to {target}, outside it"
                    problems.append(Problem(self.show(path), None, "", OUTSIDE.format(where)))
                    continue
            try:
                mode = os.stat(path).st_mode
            except OSError:
                continue
            kind = special_kind(mode)
            if kind == "a folder" and (deep or path == top) and path.resolve() not in seen:
                seen.add(path.resolve())
                todo += sorted(path.iterdir())
            elif kind and kind != "a folder":
                problems.append(Problem(self.show(path), None, "", not_regular(kind)))
        return problems

    def dossiers(self) -> list[str]:
        """Every dossier's name; none when the data folder is missing."""
        return dossier_names(self.data) if self.data.is_dir() else []


def dossier_names(data: Path) -> list[str]:
    """The dossier folders: every visible sub-folder of the data folder."""
    return sorted(p.name for p in data.iterdir() if p.is_dir() and not p.name.startswith("."))


def dossier_files(folder: Path) -> list[Path]:
    """The YAML files of a dossier, in a stable order; hidden files (editor
    back-ups, ``._`` resource forks) are neither loaded nor hashed. Every other
    ``*.yaml`` name is listed, folder or FIFO too, so that loading refuses it
    rather than skipping it."""
    return sorted(
        p for p in folder.iterdir() if p.suffix in {".yaml", ".yml"} and not p.name.startswith(".")
    )


OUTSIDE = "expected a file or folder inside the project, found {}; put a copy here instead"


def not_regular(kind: str) -> str:
    """What a problem says of a folder, FIFO or device where a file was expected."""
    return f"expected a regular file, found {kind}; rename it or move it out of the folder"


class SpecialFile(OSError):
    """A path that is not a regular file where one was expected."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


def special_kind(mode: int) -> str | None:
    """What a non-regular file is, in words; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    kinds = [
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a named pipe (FIFO)"),
        (stat.S_ISCHR, "a device"),
        (stat.S_ISBLK, "a device"),
        (stat.S_ISSOCK, "a socket"),
    ]
    return next((name for test, name in kinds if test(mode)), "a special file")


def read_regular(path: Path, limit: int) -> bytes:
    """At most ``limit`` + 1 bytes of a regular file; raise :class:`SpecialFile`
    for anything else. A FIFO is never opened for reading without O_NONBLOCK, so
    a build cannot hang on one, and the check is repeated on the open file."""
    kind = special_kind(os.stat(path).st_mode)
    if kind:
        raise SpecialFile(kind)
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        kind = special_kind(os.fstat(fd).st_mode)
        if kind:
            raise SpecialFile(kind)
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read(limit + 1)
    finally:
        os.close(fd)


def sha256_file(path: Path) -> str:
    """The file's digest; a FIFO or device is named, never read, and so is a
    file that cannot be read (loading refuses both, saying why)."""
    try:
        kind = special_kind(os.stat(path).st_mode)
        if kind:
            return f"not a regular file: {kind}"
        with path.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError as exc:
        return f"unreadable: {exc.strerror}"


def tree_digest(
    folder: Path,
    of: Callable[[Path], str | None] = sha256_file,
    suffixes: tuple[str, ...] | None = None,
) -> str:
    """One digest for every file under ``folder`` (names and contents), dot-files
    left out; ``of`` hashes a file (the editions' stat cache passes its own)."""
    entries = []
    for directory, subdirs, files in os.walk(folder):
        subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith(".") or (suffixes and not name.endswith(suffixes)):
                continue
            path = Path(directory) / name
            entries.append(f"{path.relative_to(folder)}\0{of(path)}")
    return hashlib.sha256("\n".join(entries).encode()).hexdigest()
