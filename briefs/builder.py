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
from briefs.inputs import Paths, up_to_date
from briefs.ledger import Trigger
from briefs.workers import default_jobs, start_early

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
    trigger: Trigger = "cli",
    html: bool = False,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> Report:
    """Bring the briefs asked for (all by default) up to date; raise InvalidInput on bad input."""
    current = nothing_to_do(
        project.root, dossiers, audiences, langs, force=force or html, jobs=jobs
    )
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


def nothing_to_do(
    root: Path,
    dossiers: list[str] | None,
    audiences: list[str] | None,
    langs: list[str] | None,
    *,
    force: bool = False,
    jobs: int | None = None,
) -> int | None:
    """The number of briefs already current when none needs building, else None.

    Decided from file stats and the ledger alone. When there is work, the
    render workers' fork server is started at once, so that WeasyPrint loads
    while the data is read.
    """
    if not force:
        current = up_to_date(root, dossiers or [], audiences or [], langs or [])
        if current is not None:
            return current
    paths = Paths.of(root)
    if paths is not None and (jobs or default_jobs()) > 1:
        start_early(paths.templates / "assets")
    return None
