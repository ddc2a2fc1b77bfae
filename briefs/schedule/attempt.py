"""One job's build, and what it leaves in the run log and the log.

Shared by the build loop of ``briefs run`` and by ``briefs jobs run``. A build
publishes only what changed (the fingerprints decide) and takes the ledger's
lock, so running a job twice, or beside a ``briefs build`` typed by hand,
never publishes an edition twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from briefs.editions.ledger import Trigger
from briefs.errors import BriefsError, InvalidInput, Problem
from briefs.pipeline import run
from briefs.render.workers import RenderPool
from briefs.request import Progress, Request, nothing_to_do
from briefs.schedule.jobs import Job
from briefs.schedule.runlog import RunLog, open_runlog
from briefs.source.config import Project, load_project

log = logging.getLogger("briefs.run")
INPUT = "input"
"""The failure of the data, configuration or templates as a whole."""


@dataclass
class Outcome:
    built: list[str] = field(default_factory=list)
    current: int = 0
    problems: list[Problem] = field(default_factory=list)
    """Briefs refused; the others were published."""
    error: str = ""
    """Why nothing could be built (invalid input, a full disk...)."""
    invalid: bool = False

    @property
    def state(self) -> str:
        return "failed" if self.error or self.problems else "done"

    @property
    def unchanged(self) -> bool:
        return self.state == "done" and not self.built


def attempt(
    root: Path,
    job: Job,
    trigger: Trigger,
    pool: RenderPool | None = None,
    progress: Progress | None = None,
) -> Outcome:
    """Build what the job covers and what changed; never raise for bad input."""
    scope = job.spec.build
    langs: list[str] = list(scope.languages)
    request = Request(
        scope.dossiers or None,
        scope.audiences or None,
        langs or None,
        trigger=trigger,
        pool=pool,
        progress=progress,
    )
    current = nothing_to_do(root, request)
    if current is not None:
        return Outcome(current=current)
    try:
        project = load_project(root)
        report = run(project, request)
    except InvalidInput as exc:
        return Outcome(error=str(exc), invalid=True)
    except BriefsError as exc:
        return Outcome(error=str(exc))
    folders = project.folders
    built = [folders.show(p) for p in report.built + report.restored]
    return Outcome(built, report.current, report.problems)


def by_hand(project: Project, job: Job, slot: str) -> Outcome:
    """Run a job now, from the command line, recorded in the run log under
    ``slot`` and the time, like a scheduled run."""
    with open_runlog(project.folders.state) as runlog:
        now = datetime.now(UTC)
        number = runlog.claim(job.id, f"{slot} {now.isoformat()}", "cli", now)
        outcome = attempt(project.root, job, "cli")
        record(runlog, job, "cli", outcome)
        if number is not None:
            close_run(runlog, number, outcome)
    return outcome


def record(runlog: RunLog, job: Job, trigger: str, outcome: Outcome) -> None:
    """Log the outcome, one line per event; a failure that lasts is said once."""
    now = datetime.now(UTC)
    if outcome.invalid:
        if runlog.fail(INPUT, outcome.error, now):
            log.error("job %s: %s", job.id, outcome.error)
        return
    if runlog.cleared([INPUT]):
        log.info("the data, configuration and templates are valid again")
    if outcome.error:
        log.error("job %s: %s", job.id, outcome.error)
        return
    for shown in outcome.built:
        log.info("rebuilt %s (%s, job %s)", shown, trigger, job.id)
    refused = {f"brief {p.field}": str(p) for p in outcome.problems}
    for what, reason in refused.items():
        if runlog.fail(what, reason, now):
            log.error("job %s: refused %s", job.id, reason)
    fixed = [what for what, _, _ in runlog.failing() if _covers(job, what) and what not in refused]
    for what in runlog.cleared(fixed):
        log.info("%s builds again", what)
    if outcome.unchanged:  # a scan finding nothing is not news; a scheduled run is
        log.log(
            logging.DEBUG if trigger == "change" else logging.INFO,
            "job %s (%s): skipped as unchanged, %d brief(s) up to date",
            job.id,
            trigger,
            outcome.current,
        )


def _covers(job: Job, what: str) -> bool:
    """Whether a failing brief ("brief dossier/audience.lang") is in the job's scope."""
    if not what.startswith("brief "):
        return False
    dossier, _, rest = what.removeprefix("brief ").partition("/")
    audience, _, lang = rest.partition(".")
    scope = job.spec.build
    return (
        (not scope.dossiers or dossier in scope.dossiers)
        and (not scope.audiences or audience in scope.audiences)
        and (not scope.languages or lang in scope.languages)
    )


def close_run(runlog: RunLog, run: int, outcome: Outcome) -> None:
    """Write a claimed run's result."""
    message = outcome.error or "\n".join(str(p) for p in outcome.problems)
    now = datetime.now(UTC)
    runlog.finish(run, outcome.state, now, len(outcome.built), outcome.current, message)
