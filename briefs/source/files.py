"""Where a project keeps its files, which files make a dossier, and their digests.

Standard library and PyYAML only: a build with nothing to do, and the render
workers, use this without loading the data model.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

CONFIG_NAME = "briefs.yaml"
DEFAULTS = {"data": "data", "templates": "templates", "output": "output", "state": "output/.state"}
"""Folders, relative to the project root, when briefs.yaml does not name them."""


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
                (root / CONFIG_NAME).read_bytes(),
                Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader),
            )
        except (OSError, yaml.YAMLError, ValueError, TypeError):
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

    def dossiers(self) -> list[str]:
        """Every dossier's name; none when the data folder is missing."""
        return dossier_names(self.data) if self.data.is_dir() else []


def dossier_names(data: Path) -> list[str]:
    """The dossier folders: every visible sub-folder of the data folder."""
    return sorted(p.name for p in data.iterdir() if p.is_dir() and not p.name.startswith("."))


def dossier_files(folder: Path) -> list[Path]:
    """The YAML files of a dossier, in a stable order; hidden files (editor
    back-ups, ``._`` resource forks) are neither loaded nor hashed."""
    return sorted(
        p
        for p in folder.iterdir()
        if p.suffix in {".yaml", ".yml"} and p.is_file() and not p.name.startswith(".")
    )


def sha256_file(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


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
