"""Which briefs a build makes: every dossier asked for, for every audience and
language asked for, each selected for its audience.

Everything here reads and validates; nothing renders or writes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from briefs.audience.selection import Selection, select
from briefs.errors import InvalidInput, Problem
from briefs.source.config import Audience
from briefs.source.files import Folders
from briefs.source.loading import Loaded, load_dossiers


@dataclass(frozen=True)
class Target:
    """Which brief an edition belongs to, and where its files go."""

    dossier: str
    audience: str
    lang: str

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
        return f"{self.loaded.dossier.name}/{self.selection.audience_name}.{self.lang}"


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
    problems = list(problems or [])
    problems += [
        Problem(
            "briefs.yaml",
            None,
            "audiences",
            f"expected one of {', '.join(known)}, found unknown audience {name!r}",
        )
        for name in audiences or []
        if name not in known
    ]
    try:
        loaded = load_dossiers(folders, list(known), dossiers)
    except InvalidInput as exc:
        raise InvalidInput(problems + exc.problems) from None
    briefs: list[Brief] = []
    for item in loaded:
        for name, audience in known.items():
            if audiences and name not in audiences:
                continue
            selection, found = select(item, name, audience)
            problems += found
            briefs += [
                Brief(item, selection, lang)
                for lang in audience.languages
                if not langs or lang in langs
            ]
    if problems:
        raise InvalidInput(problems)
    return briefs
