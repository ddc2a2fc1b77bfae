"""``briefs run``: one build loop fed by the clock, file events and a scan.

Everything that wants a build puts it on one queue; only this loop builds.
So a save and a scheduled run never race, a burst of saves settles into one
rebuild, and the warm render workers are used by one build at a time.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from briefs.editions.ledger import Trigger
from briefs.errors import InvalidInput
from briefs.mail.outbox import open_outbox
from briefs.mail.transport import smtp_settings
from briefs.schedule.attempt import INPUT, Outcome, attempt, close_run, record
from briefs.schedule.jobs import Job, load_jobs
from briefs.schedule.lock import one_scheduler
from briefs.schedule.postman import Postman
from briefs.schedule.runlog import open_runlog
from briefs.schedule.timers import next_time, open_scheduler, stored_jobs, sync
from briefs.schedule.warm import WarmPool
from briefs.schedule.watch import Watcher
from briefs.source.config import Project, RunSettings, load_project

log = logging.getLogger("briefs.run")
LONGEST_SETTLE = 5.0
"""A stream of saves that never pauses is built after this many seconds anyway."""


@dataclass(frozen=True)
class Due:
    """A scheduled fire: the job, its once-only slot and the time it was for."""

    job: str
    slot: str
    when: datetime


@dataclass(frozen=True)
class Changed:
    paths: frozenset[Path]


class Stopping(Exception):
    """Raised between two briefs when a stop was asked for."""


class Runner:
    """Keeps a project's briefs current until :meth:`stop` is called."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.queue: queue.Queue[Due | Changed | None] = queue.Queue()
        self.stopping = threading.Event()
        self.jobs: dict[str, Job] = {}
        self.warm = WarmPool()

    # -- called from other threads and signal handlers ----------------------
    def due(self, job: str, slot: str, when: datetime) -> None:
        self.queue.put(Due(job, slot, when))

    def hint(self, paths: set[Path]) -> None:
        self.queue.put(Changed(frozenset(paths)))

    def stop(self) -> None:
        self.stopping.set()
        self.queue.put(None)

    # -- the loop -----------------------------------------------------------
    def serve(self, ready: threading.Event | None = None) -> None:
        """Run until stopped; raise only for what must stop a start (a second
        instance, invalid briefs.yaml, wrong BRIEFS_SMTP_* variables, an
        unwritable state folder)."""
        project = load_project(self.root)
        smtp_settings(os.environ)  # the environment cannot be fixed while running
        folders = project.folders
        with ExitStack() as stack:
            stack.enter_context(one_scheduler(folders.state, folders.show(folders.state)))
            self.runlog = stack.enter_context(open_runlog(folders.state))
            self.postman = Postman(stack.enter_context(open_outbox(folders)))
            stack.callback(self.warm.close)
            self.warm.open(project)
            run = project.settings.run
            self.scheduler = open_scheduler(
                folders.state, project.settings.timezone, run.grace, self.due
            )
            stack.callback(self.scheduler.shutdown, wait=False)
            self.watcher = Watcher(self.hint)
            stack.callback(self.watcher.close)
            if left := self.runlog.settle(datetime.now(UTC)):
                log.warning(
                    "%d run(s) were left unfinished by the last stop; marked interrupted", left
                )
            self._sync(project)
            self.scheduler.resume()
            self._watch(project)
            self._say_started(project)
            if ready is not None:
                ready.set()
            self._loop()
        log.info("stopped")

    def _loop(self) -> None:
        next_scan = time.monotonic() + self._settings().scan
        try:
            self.postman.wake()  # what the last one left in the outbox is due now
            self._changed(set())  # what changed while briefs run was stopped
            self._mail()  # and sent, with the mail of that look if any
        except Stopping:
            return
        log.info("watching for changes")
        while not self.stopping.is_set():
            wait = max(0.0, next_scan - time.monotonic())
            mail = self.postman.wait()
            try:
                item = self.queue.get(timeout=wait if mail is None else min(wait, mail))
            except queue.Empty:
                if mail is not None and mail < wait:
                    self._mail()
                    continue
                item = Changed(frozenset())  # the scan: no hint, look at everything
                next_scan = time.monotonic() + self._settings().scan
            try:
                if isinstance(item, Due):
                    self._fire(item)
                elif isinstance(item, Changed):
                    self._changed(set(item.paths))
                    if not item.paths:  # the scan: the outbox too, which others write
                        self._mail()
            except Stopping:
                return

    def _changed(self, paths: set[Path]) -> None:
        """Settle, then rebuild what the on-change jobs cover. An empty set (the
        scan, start-up) looks at everything; events only say where to look."""
        if paths:
            paths, dues = self._settle(paths)
        else:
            dues = []
        project = self._project()
        if project is not None:
            folders = project.folders
            jobs_folder = project.root / project.settings.jobs
            if not paths or folders.config in paths or any(_under(p, jobs_folder) for p in paths):
                self._sync(project)
                self._watch(project)
            self.warm.renew(project)
            relevant = (folders.data, folders.templates)
            if not paths or folders.config in paths or any(_under(p, *relevant) for p in paths):
                for job in self.jobs.values():
                    if job.spec.triggers.on_change:
                        self._change_run(job)
        for due in dues:
            self._fire(due)

    def _settle(self, paths: set[Path]) -> tuple[set[Path], list[Due]]:
        """Wait until the saves stop for ``settle`` seconds, gathering them."""
        quiet, dues = self._settings().settle, list[Due]()
        last = time.monotonic() + LONGEST_SETTLE
        deadline = min(time.monotonic() + quiet, last)
        while True:
            try:
                item = self.queue.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                return paths, dues
            if item is None:
                raise Stopping
            if isinstance(item, Changed):
                paths |= item.paths
                deadline = min(time.monotonic() + quiet, last)
            else:
                dues.append(item)

    def _fire(self, due: Due) -> None:
        job = self.jobs.get(due.job)
        if job is None:
            log.warning("job %s fired but is no longer defined; skipped", due.job)
            return
        when = due.when.astimezone(ZoneInfo(job.timezone)).isoformat(timespec="minutes")
        run = self.runlog.claim(job.id, due.slot, "schedule", datetime.now(UTC))
        if run is None:
            log.info("job %s: already ran %s; skipped", job.id, f"{due.slot} ({job.timezone})")
            return
        log.info("job %s fired (schedule, %s)", job.id, when)
        outcome = self._attempt(job, "schedule", run)
        record(self.runlog, job, "schedule", outcome)
        close_run(self.runlog, run, outcome)
        self._post(job, outcome, due.slot)

    def _change_run(self, job: Job) -> None:
        """A change is recorded as a run only when it did something or failed
        anew, so the scan does not fill the run log."""
        outcome = self._attempt(job, "change", None)
        known = {what: reason for what, _, reason in self.runlog.failing()}
        news = outcome.invalid and known.get(INPUT) != outcome.error
        record(self.runlog, job, "change", outcome)
        if outcome.built or outcome.problems or news or (outcome.error and not outcome.invalid):
            now = datetime.now(UTC)
            slot = "change " + now.isoformat()
            run = self.runlog.claim(job.id, slot, "change", now)
            if run is not None:
                close_run(self.runlog, run, outcome)
            if outcome.built or outcome.problems or outcome.error:
                self._post(job, outcome, slot)

    def _post(self, job: Job, outcome: Outcome, occasion: str) -> None:
        project = self._project()
        if project is not None:
            self.postman.after(project, job, outcome, occasion)

    def _mail(self) -> None:
        project = self._project()
        if project is not None:
            self.postman.send(project)

    def _attempt(self, job: Job, trigger: Trigger, run: int | None) -> Outcome:
        try:
            return attempt(self.root, job, trigger, self.warm.pool, self._check)
        except Stopping:
            if run is not None:
                self.runlog.finish(run, "interrupted", datetime.now(UTC), message="stopped")
            raise
        except Exception as exc:  # a bug must not stop the service: say it, go on
            log.exception("job %s: unexpected error", job.id)
            return Outcome(error=f"unexpected error: {type(exc).__name__}: {exc}")

    def _check(self, name: str, done: int, total: int) -> None:
        if self.stopping.is_set():
            raise Stopping

    # -- jobs, files, workers -----------------------------------------------
    def _sync(self, project: Project) -> None:
        """Load jobs/ and make the scheduler match; a job whose file is invalid
        keeps its last good definition, and its problems are logged once."""
        jobs, problems = load_jobs(project)
        bad: dict[str, list[str]] = {}
        for problem in problems:
            bad.setdefault(Path(problem.file).stem, []).append(str(problem))
        now = datetime.now(UTC)
        for stem, reasons in bad.items():
            if self.runlog.fail(f"job {stem}", "\n".join(reasons), now):
                log.error("job %s skipped, its file is invalid:\n  %s", stem, "\n  ".join(reasons))
        stale = [w for w, _, _ in self.runlog.failing() if w.startswith("job ")]
        for what in self.runlog.cleared(w for w in stale if w.removeprefix("job ") not in bad):
            log.info("%s: its file is valid again, or gone", what)
        kept = {k: v for k, v in stored_jobs(self.scheduler).items() if k in bad}
        kept.update({k: v for k, v in self.jobs.items() if k in bad})
        sync(self.scheduler, jobs, set(kept), project.settings.run.grace)
        self.jobs = {**kept, **jobs}

    def _watch(self, project: Project) -> None:
        f = project.folders
        self.watcher.watch([f.data, f.templates, project.root / project.settings.jobs], [f.root])

    def _say_started(self, project: Project) -> None:
        now = datetime.now(UTC)
        parts = []
        for job in self.jobs.values():
            at = next_time(job, now)
            when = at.isoformat(timespec="minutes") if at else "on change only"
            parts.append(f"{job.id} ({when})")
        log.info(
            "started (pid %d): %d job(s): %s", os.getpid(), len(parts), ", ".join(parts) or "none"
        )

    def _project(self) -> Project | None:
        try:
            return load_project(self.root)
        except InvalidInput as exc:
            if self.runlog.fail(INPUT, str(exc), datetime.now(UTC)):
                log.error("briefs.yaml: %s", exc)
            return None

    def _settings(self) -> RunSettings:
        project = self._project()
        return project.settings.run if project else RunSettings()


def _under(path: Path, *folders: Path) -> bool:
    return any(path == f or path.is_relative_to(f) for f in folders)
