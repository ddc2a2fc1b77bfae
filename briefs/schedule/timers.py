"""The clock: APScheduler 3.11 with its SQLAlchemy job store on SQLite.

The scheduler only says *when*. Its job target does nothing; a listener puts
each fire, with its scheduled time, on the build loop's queue, so scheduled
runs never collide with each other or with rebuilds on change. The store,
``schedule.sqlite3`` in the state folder, keeps each job's next run time
across restarts: a run missed while stopped fires once at start-up when it is
within the grace period (coalesced), never several times.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.events import EVENT_JOB_EXECUTED, EVENT_JOB_MISSED, JobEvent, JobExecutionEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from briefs.schedule.jobs import Job

STORE_NAME = "schedule.sqlite3"
INTERVAL = "@interval"
"""Suffix of the scheduler id of a job's interval; its cron times have the bare id."""
log = logging.getLogger("briefs.run")

Fire = Callable[[str, str, datetime], None]
"""Called with (job id, slot, scheduled time) when a job is due."""


def due(**spec: Any) -> None:
    """The scheduler's job target: the listener has already queued the work."""


def timed(job: Job) -> dict[str, BaseTrigger]:
    """The scheduler ids and triggers of a job's cron times and interval."""
    zone = ZoneInfo(job.timezone)
    triggers: dict[str, BaseTrigger] = {}
    crons = [CronTrigger.from_crontab(line, timezone=zone) for line in job.spec.triggers.cron]
    if crons:
        triggers[job.id] = crons[0] if len(crons) == 1 else OrTrigger(crons)
    every = job.spec.triggers.interval
    if every is not None:
        triggers[job.id + INTERVAL] = IntervalTrigger(
            seconds=int(every.span.total_seconds()), timezone=zone
        )
    return triggers


def slot(scheduler_id: str, when: datetime, zone: str) -> str:
    """The key that makes a fire run once. Cron times are keyed by the wall
    clock in the job's zone, so 01:30 on the day clocks fall back is one slot;
    intervals by the instant."""
    if scheduler_id.endswith(INTERVAL):
        return "every " + when.astimezone(UTC).isoformat(timespec="seconds")
    return "at " + when.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


def next_time(job: Job, now: datetime) -> datetime | None:
    """When the job next fires on its own, None for on-change-only jobs."""
    times = [t.get_next_fire_time(None, now) for t in timed(job).values()]
    found = [t for t in times if t is not None]
    return min(found) if found else None


def open_scheduler(state: Path, timezone: str, grace: float, fire: Fire) -> BackgroundScheduler:
    """A started but paused scheduler: sync the jobs, then ``resume()`` it, so
    that runs missed while stopped are judged against the jobs' own grace."""
    store = SQLAlchemyJobStore(url=f"sqlite:///{state / STORE_NAME}")
    scheduler = BackgroundScheduler(
        jobstores={"default": store},
        executors={"default": ThreadPoolExecutor(1)},
        job_defaults={"coalesce": True, "misfire_grace_time": int(grace), "max_instances": 1},
        timezone=ZoneInfo(timezone),
    )

    def executed(event: JobExecutionEvent) -> None:
        # Not EVENT_JOB_SUBMITTED: a run missed by more than the grace period
        # is submitted too, and only then found missed by the executor.
        job = scheduler.get_job(event.job_id)
        spec = Job.model_validate(job.kwargs) if job else None
        if spec is not None:
            when = event.scheduled_run_time
            fire(spec.id, slot(event.job_id, when, spec.timezone), when)

    def missed(event: JobEvent) -> None:
        job = event.job_id.removesuffix(INTERVAL)
        log.warning("job %s: a run was missed by more than the grace period; skipped", job)

    scheduler.add_listener(executed, EVENT_JOB_EXECUTED)
    scheduler.add_listener(missed, EVENT_JOB_MISSED)
    scheduler.start(paused=True)
    return scheduler


def sync(
    scheduler: BackgroundScheduler, jobs: dict[str, Job], keep: set[str], grace: float
) -> None:
    """Make the store hold exactly ``jobs``' timed triggers. A job whose
    definition is unchanged keeps its stored next run time (a missed run is
    not forgotten); those in ``keep`` (their file is invalid just now) keep
    their last good definition."""
    wanted = {sid: (job, t) for job in jobs.values() for sid, t in timed(job).items()}
    stored = {job.id: job for job in scheduler.get_jobs()}
    for sid, (job, trigger) in wanted.items():
        old = stored.get(sid)
        if old is not None and old.name == job.digest:
            if old.misfire_grace_time != int(grace):
                scheduler.modify_job(sid, misfire_grace_time=int(grace))
            continue
        scheduler.add_job(
            due,
            trigger,
            id=sid,
            name=job.digest,
            kwargs=job.model_dump(mode="json"),
            replace_existing=True,
        )
        log.info("job %s: %s", job.id, "schedule changed" if old else "scheduled")
    for sid in stored.keys() - wanted.keys():
        if sid.removesuffix(INTERVAL) not in keep:
            scheduler.remove_job(sid)
            log.info("job %s: no longer scheduled", sid.removesuffix(INTERVAL))


def stored_jobs(scheduler: BackgroundScheduler) -> dict[str, Job]:
    """The jobs' definitions as last stored: what a job with an invalid file keeps."""
    return {
        job.id.removesuffix(INTERVAL): Job.model_validate(job.kwargs)
        for job in scheduler.get_jobs()
    }
