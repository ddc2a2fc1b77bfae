"""What a build is asked for and what it did, and the quick "nothing changed".

Light on purpose: :func:`nothing_to_do` answers from file stats alone, before
anything imports the pipeline (Jinja2, pydantic models, WeasyPrint), so a
door (the CLI, the scheduler) can skip a build that has nothing to do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from briefs.editions.fresh import up_to_date
from briefs.editions.ledger import Trigger
from briefs.errors import Problem
from briefs.render.workers import RenderPool, default_jobs, start_early
from briefs.source.files import Folders

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
    pool: RenderPool | None = None
    """Render workers kept warm between builds by a long-running door (``briefs
    run``), which opens and closes it; None: a pool for this build only."""


def nothing_to_do(root: Path, request: Request) -> int | None:
    """The number of briefs already current when none needs building, else None.

    Decided from file stats and the ledger alone. When there is work, the
    render workers' fork server is started at once, so that it gets ready
    while the data is read.
    """
    folders = Folders.read(root)
    if folders is None:
        return None  # loading the project will say what is wrong
    if not (request.force or request.html):
        asked = (request.dossiers or [], request.audiences or [], request.langs or [])
        current = up_to_date(folders, *asked)
        if current is not None:
            return current
    if (request.jobs or default_jobs()) > 1:
        start_early(folders.assets, folders.cache)
    return None
