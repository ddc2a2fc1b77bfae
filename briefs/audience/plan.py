"""Which briefs a build makes: every dossier asked for, for every audience and
language asked for, each selected for its audience.

Everything here reads and validates; nothing renders or writes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from briefs.audience.selection import Selection, select
from briefs.errors import InvalidInput, Problem
from briefs.source.config import Audience
from briefs.source.files import Folders
from briefs.source.loading import Loaded, each_dossier, load_named


@dataclass(frozen=True)
class Target:
    """Which brief an edition belongs to, and where its files go."""

    dossier: str
    audience: str
    lang: str

    @property
    def name(self) -> str:
        return f"{self.dossier}/{self.audience}.{self.lang}"

    def output(self, folders: Folders, suffix: str = ".pdf") -> Path:
        return folders.output / self.dossier / f"{self.audience}.{self.lang}{suffix}"

    def archive(self, folders: Folders, number: int) -> Path:
        brief = f"{self.audience}.{self.lang}"
        return folders.state / "archive" / self.dossier / brief / f"{number:04d}.pdf"


@dataclass(frozen=True)
class Brief:
    """One document to build: a dossier for an audience in a language."""

    loaded: Loaded
    selection: Selection
    lang: str

    @property
    def target(self) -> Target:
        return Target(self.loaded.dossier.name, self.selection.audience_name, self.lang)

    @property
    def name(self) -> str:
        return self.target.name


def select_all(
    folders: Folders,
    known: Mapping[str, Audience],
    dossiers: list[str] | None = None,
    audiences: list[str] | None = None,
    langs: list[str] | None = None,
    problems: list[Problem] | None = None,
) -> list[Brief]:
    """Every brief asked for, each selected for its audience; raise once with
    every problem, ``problems`` found earlier (in the templates, say) included."""
    return [
        brief
        for briefs in survey(folders, known, dossiers, audiences, langs, problems)
        for brief in briefs
    ]


def survey(
    folders: Folders,
    known: Mapping[str, Audience],
    dossiers: list[str] | None = None,
    audiences: list[str] | None = None,
    langs: list[str] | None = None,
    problems: list[Problem] | None = None,
) -> Iterator[list[Brief]]:
    """Each dossier's briefs in turn, as :func:`select_all` would give them, then
    raise once with every problem; nothing is kept between dossiers, so a build
    can validate them all without holding them all.

    A dossier is yielded only while every input read so far is sound, but a
    later one can still stop the build: act on what was yielded only once the
    loop has ended. A selection's problems are reported only when every file
    loads, as a loading problem may be their cause.
    """
    early = [*(problems or []), *_unknown(known, audiences)]
    loading: list[Problem] = []
    selecting: list[Problem] = []
    for loaded, found in each_dossier(folders, list(known), dossiers):
        loading += found
        if loaded is None or loading:
            continue
        briefs, found = _briefs(loaded, known, audiences, langs)
        selecting += found
        if not (early or selecting):
            yield briefs
    if early or loading or selecting:
        raise InvalidInput(early + (loading or selecting))


def briefs_of(
    folders: Folders,
    known: Mapping[str, Audience],
    name: str,
    audiences: list[str] | None = None,
    langs: list[str] | None = None,
) -> tuple[list[Brief], list[Problem]]:
    """One dossier's briefs, loaded and selected again when a build renders it,
    or the problems that stop it now (the files may have changed since)."""
    loaded, problems = load_named(folders, list(known), name)
    if loaded is None or problems:
        return [], problems
    return _briefs(loaded, known, audiences, langs)


def _briefs(
    loaded: Loaded,
    known: Mapping[str, Audience],
    audiences: list[str] | None,
    langs: list[str] | None,
) -> tuple[list[Brief], list[Problem]]:
    """A loaded dossier for every audience and language asked for."""
    briefs: list[Brief] = []
    problems: list[Problem] = []
    for name, audience in known.items():
        if audiences and name not in audiences:
            continue
        selection, found = select(loaded, name, audience)
        problems += found
        briefs += [
            Brief(loaded, selection, lang)
            for lang in audience.languages
            if not langs or lang in langs
        ]
    return briefs, problems


def _unknown(known: Mapping[str, Audience], audiences: list[str] | None) -> list[Problem]:
    return [
        Problem(
            "briefs.yaml",
            None,
            "audiences",
            f"expected one of {', '.join(known)}, found unknown audience {name!r}",
        )
        for name in audiences or []
        if name not in known
    ]
