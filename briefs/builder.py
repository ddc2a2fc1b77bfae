"""``build()``: the one entry point the CLI, the scheduler and the web server call.

It answers "nothing changed" from file stats alone, before importing the
pipeline (Jinja2, pydantic models, WeasyPrint); otherwise it runs the pipeline
in :mod:`briefs.pipeline`, which decides brief by brief from fingerprints.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from briefs.errors import Problem
from briefs.inputs import up_to_date

if TYPE_CHECKING:
    from briefs.config import Project

Progress = Callable[[str, int, int], None]


@dataclass
class Report:
    """What a build did; ``problems`` non-empty means exit code 1."""

    built: list[Path] = field(default_factory=list)
    """PDFs written as new editions (or rebuilt on request)."""
    restored: list[Path] = field(default_factory=list)
    """PDFs that had gone missing, put back from the archive."""
    current: int = 0
    """Briefs already up to date."""
    problems: list[Problem] = field(default_factory=list)
    """Briefs refused (leak, page budget, template error); their last PDF is untouched."""


def build(
    project: Project,
    dossiers: list[str] | None = None,
    audiences: list[str] | None = None,
    langs: list[str] | None = None,
    *,
    force: bool = False,
    jobs: int | None = None,
    trigger: str = "cli",
    html: bool = False,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> Report:
    """Bring the briefs asked for (all by default) up to date; raise InvalidInput on bad input."""
    if not force and not html:
        current = up_to_date(project.root, dossiers or [], audiences or [], langs or [])
        if current is not None:
            return Report(current=current)
    from briefs.pipeline import run  # the heavy part, only when something changed

    return run(
        project,
        dossiers,
        audiences,
        langs,
        force=force,
        jobs=jobs,
        trigger=trigger,
        html=html,
        progress=progress,
        now=now,
    )
