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
from typing import TYPE_CHECKING, Any

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


@dataclass(frozen=True)
class Request:
    """What a build is asked for; the defaults are a plain ``briefs build``."""

    dossiers: list[str] | None = None
    """None: every dossier. Likewise for audiences and languages."""
    audiences: list[str] | None = None
    langs: list[str] | None = None
    force: bool = False
    """Rebuild even briefs whose fingerprint matches their last edition."""
    jobs: int | None = None
    """Render processes; None: one per core."""
    trigger: Trigger = "cli"
    html: bool = False
    """Also write each brief's HTML beside its PDF (implies ``force``)."""
    progress: Progress | None = None
    now: datetime | None = None
    """The edition time to record; None: the clock."""


def build(
    project: Project,
    dossiers: list[str] | None = None,
    audiences: list[str] | None = None,
    langs: list[str] | None = None,
    **options: Any,
) -> Report:
    """Bring the briefs asked for (all by default) up to date; raise InvalidInput
    on bad input. ``options`` are the other fields of :class:`Request`."""
    request = Request(dossiers, audiences, langs, **options)
    current = nothing_to_do(project.root, request)
    if current is not None:
        return Report(current=current)
    from briefs.pipeline import run  # the heavy part, only when something changed

    return run(project, request)


def nothing_to_do(root: Path, request: Request) -> int | None:
    """The number of briefs already current when none needs building, else None.

    Decided from file stats and the ledger alone. When there is work, the
    render workers' fork server is started at once, so that it gets ready
    while the data is read.
    """
    if not (request.force or request.html):
        asked = (request.dossiers or [], request.audiences or [], request.langs or [])
        current = up_to_date(root, *asked)
        if current is not None:
            return current
    paths = Paths.of(root)
    if paths is not None and (request.jobs or default_jobs()) > 1:
        start_early(paths.templates / "assets")
    return None
