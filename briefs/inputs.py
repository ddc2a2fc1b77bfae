"""Has anything changed? Answered from file stats, before any heavy import.

Every file a brief can depend on is stat-ed; only files whose stat moved are
read and hashed ("racy git" rule: a file modified within two seconds of its
last hash is hashed again, since a same-second edit leaves stat unchanged).
A brief's *inputs key* digests its dossier's files, the configuration, the
templates folder and the software versions. When every requested brief's key
and output match the ledger, the build is a no-op, decided with the standard
library, PyYAML and SQLite only.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from briefs import __version__
from briefs.ledger import LEDGER_NAME, Ledger, open_ledger, sha256_file

RACY_NS = 2_000_000_000
CONFIG_NAME = "briefs.yaml"
DEFAULTS = {"data": "data", "templates": "templates", "output": "output", "state": "output/.state"}


@dataclass(frozen=True)
class Paths:
    """Where a project keeps things, read from briefs.yaml without validating it."""

    root: Path
    config: Path
    data: Path
    templates: Path
    output: Path
    state: Path

    @classmethod
    def of(cls, root: Path) -> Paths | None:
        """None when briefs.yaml is missing or odd: the full path will explain why."""
        config = root / CONFIG_NAME
        try:
            raw = yaml.load(
                config.read_bytes(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)
            )
        except (OSError, yaml.YAMLError, ValueError, TypeError):
            return None
        if not isinstance(raw, dict):
            return None
        places = {key: raw.get(key, default) for key, default in DEFAULTS.items()}
        if not all(isinstance(value, str) for value in places.values()):
            return None
        return cls(root, config, **{key: root / value for key, value in places.items()})


class Digests:
    """File digests through the ledger's stat cache."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.cache = {row[0]: row[1:] for row in ledger.db.execute("SELECT * FROM files")}
        self.changed: list[tuple[str, int, int, int, str, int]] = []

    def of(self, path: Path) -> str | None:
        """The file's sha256, or None when it does not exist."""
        try:
            st = path.stat()
        except FileNotFoundError:
            return None
        key = str(path)
        cached = self.cache.get(key)
        if cached is not None:
            mtime, size, inode, digest, checked = cached
            same = (mtime, size, inode) == (st.st_mtime_ns, st.st_size, st.st_ino)
            if same and st.st_mtime_ns < checked - RACY_NS:
                return str(digest)
        checked = time.time_ns()
        digest = sha256_file(path)
        row = (st.st_mtime_ns, st.st_size, st.st_ino, digest, checked)
        self.cache[key] = row
        self.changed.append((key, *row))
        return digest

    def tree(self, folder: Path, suffixes: tuple[str, ...] | None = None) -> str:
        return tree_digest(folder, self.of, suffixes)

    def save(self) -> None:
        if self.changed:
            with self.ledger.db:
                self.ledger.db.executemany(
                    "INSERT OR REPLACE INTO files VALUES (?,?,?,?,?,?)", self.changed
                )
            self.changed.clear()


def tree_digest(
    folder: Path,
    of: Callable[[Path], str | None] = sha256_file,
    suffixes: tuple[str, ...] | None = None,
) -> str:
    """One digest for every file under ``folder`` (names and contents), dot-files
    left out; ``of`` hashes a file (through the stat cache in :class:`Digests`)."""
    entries = []
    for directory, subdirs, files in os.walk(folder):
        subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith(".") or (suffixes and not name.endswith(suffixes)):
                continue
            path = Path(directory) / name
            entries.append(f"{path.relative_to(folder)}\0{of(path)}")
    return hashlib.sha256("\n".join(entries).encode()).hexdigest()


RENDERING_PACKAGES = (
    "weasyprint",
    "pydyf",
    "fonttools",
    "tinycss2",
    "jinja2",
    "babel",
    "pypdfium2",
)
"""Packages whose version can change a brief's bytes or its leak check."""


@cache
def _installed_versions() -> dict[str, str]:
    """Versions read from ``*.dist-info`` folder names: one directory listing
    per path entry, where importlib.metadata takes tens of milliseconds."""
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            if name.endswith(".dist-info"):
                package, _, version = name[: -len(".dist-info")].partition("-")
                found.setdefault(package.lower().replace("_", "-"), version)
    return found


@cache
def software() -> str:
    """What renders the bytes; a new version means every brief is stale.

    Includes whether HarfBuzz's subsetter is present, since fonts are subset
    differently without it.
    """
    from importlib import metadata  # tens of milliseconds; only for the odd missing one

    installed = _installed_versions()
    versions = [f"briefs {__version__}"]
    versions += [
        f"{name} {installed.get(name) or metadata.version(name)}" for name in RENDERING_PACKAGES
    ]
    versions.append("hb-subset" if hb_subset_installed() else "no hb-subset")
    return "; ".join(versions)


@cache
def hb_subset_installed() -> bool:
    """Is HarfBuzz's subsetter loadable? Asked of the dynamic linker directly,
    which takes a millisecond where ``ctypes.util.find_library`` runs ldconfig."""
    try:
        ctypes.CDLL("libharfbuzz-subset.so.0")
    except OSError:
        return False
    return True


def inputs_keys(paths: Paths, digests: Digests, dossiers: list[str]) -> dict[str, str]:
    """The inputs key of each dossier's briefs."""
    shared = "\n".join([software(), str(digests.of(paths.config)), digests.tree(paths.templates)])
    keys = {}
    for name in dossiers:
        files = dossier_files(paths.data / name) if (paths.data / name).is_dir() else []
        listing = "\n".join(f"{f.name}\0{digests.of(f)}" for f in files)
        keys[name] = hashlib.sha256(f"{shared}\n{listing}".encode()).hexdigest()
    return keys


@dataclass(frozen=True)
class Freshness:
    """Which of the requested dossiers have a stale brief, and how many are current."""

    stale: list[str]
    current: int


def freshness(
    root: Path, dossiers: list[str], audiences: list[str], langs: list[str]
) -> Freshness | None:
    """:func:`assess` with its own look at the ledger, when there is one."""
    paths = Paths.of(root)
    if paths is None or not (paths.state / LEDGER_NAME).is_file():
        return None
    with open_ledger(paths.state, root, paths.output) as ledger:
        digests = Digests(ledger)
        fresh = assess(paths, ledger, digests, dossiers, audiences, langs)
        digests.save()
        return fresh


def assess(
    paths: Paths,
    ledger: Ledger,
    digests: Digests,
    dossiers: list[str],
    audiences: list[str],
    langs: list[str],
) -> Freshness | None:
    """Compare every requested brief's inputs key and PDF with the ledger.

    Any doubt (a dossier added or removed, changed configuration, an unknown
    name) answers None: then every dossier is treated as stale and the full
    pipeline decides.
    """
    planned = ledger.meta("plan")
    if not paths.data.is_dir() or not planned or planned["config"] != digests.of(paths.config):
        return None
    available = dossier_names(paths.data)
    if available != planned["dossiers"] or any(d not in available for d in dossiers):
        return None
    if any(a not in planned["audiences"] for a in audiences):
        return None
    keys = inputs_keys(paths, digests, dossiers or available)
    known, latest = ledger.all_inputs(), ledger.latest()
    wanted = [
        (audience, lang)
        for audience, audience_langs in planned["audiences"].items()
        if not audiences or audience in audiences
        for lang in audience_langs
        if not langs or lang in langs
    ]
    stale, current = [], 0
    for dossier, key in keys.items():
        for audience, lang in wanted:
            brief = (dossier, audience, lang)
            edition = latest.get(brief)
            if (
                known.get(brief) != key
                or edition is None
                or digests.of(paths.root / edition.output) != edition.sha256
            ):
                stale.append(dossier)
                break
        else:
            current += len(wanted)
    return Freshness(stale, current)


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


def up_to_date(
    root: Path, dossiers: list[str], audiences: list[str], langs: list[str]
) -> int | None:
    """How many briefs are current when all requested are; None otherwise."""
    fresh = freshness(root, dossiers, audiences, langs)
    return fresh.current if fresh is not None and not fresh.stale else None
