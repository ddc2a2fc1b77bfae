"""The scheduler's commands: ``briefs run``, ``briefs jobs``, ``briefs status``.

Thin, like the rest of the command line: the work is in :mod:`briefs.schedule`.
"""

from __future__ import annotations

import logging
import signal
import sys
from datetime import UTC, datetime
from types import FrameType
from typing import TYPE_CHECKING

import click

from briefs.errors import BriefsError, InvalidInput

if TYPE_CHECKING:
    from briefs.schedule.jobs import Job
    from briefs.source.config import Project


def _logging(json_logs: bool, verbose: bool) -> None:
    """One line per event on standard error; one JSON object per line with
    ``--json-logs``, for a log collector."""
    handler = logging.StreamHandler(sys.stderr)
    if json_logs:
        from pythonjsonlogger.json import JsonFormatter

        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            )
        )
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.WARNING)
    for name in ("briefs.run", "briefs.mail"):
        logging.getLogger(name).setLevel(logging.DEBUG if verbose else logging.INFO)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


@click.command()
@click.option("--json-logs", is_flag=True, help="Log one JSON object per line.")
@click.pass_context
def run(ctx: click.Context, json_logs: bool) -> None:
    """Keep every brief current: run the jobs in jobs/ on their schedules and
    when the data changes, until stopped (Ctrl-C or SIGTERM)."""
    from briefs.schedule.loop import Runner

    _logging(json_logs, ctx.obj["verbose"])
    runner = Runner(ctx.obj["root"])

    def stop(number: int, frame: FrameType | None) -> None:
        logging.getLogger("briefs.run").info(
            "stopping (%s): finishing the brief in progress", signal.Signals(number).name
        )
        runner.stop()
        signal.signal(signal.SIGINT, signal.default_int_handler)  # a second Ctrl-C: at once

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    runner.serve()


@click.group(invoke_without_command=True)
@click.pass_context
def jobs(ctx: click.Context) -> None:
    """List the jobs in jobs/ with their next run times."""
    if ctx.invoked_subcommand is not None:
        return
    from rich.console import Console
    from rich.table import Table

    from briefs.schedule.jobs import load_jobs
    from briefs.schedule.timers import next_time
    from briefs.source.config import load_project

    project = load_project(ctx.obj["root"])
    found, problems = load_jobs(project)
    now = datetime.now(UTC)
    table = Table("Job", "Builds", "Triggers", "Next run")
    for job in found.values():
        at = next_time(job, now)
        when = at.isoformat(timespec="minutes") if at else "-"
        table.add_row(job.id, _scope(job), _triggers(job), when)
    if found:
        Console(width=200).print(table)
    else:
        click.echo(f"no jobs in {project.settings.jobs}/")
    if problems:
        raise InvalidInput(problems)


@jobs.command("run")
@click.argument("job_id", metavar="ID")
@click.pass_context
def run_job(ctx: click.Context, job_id: str) -> None:
    """Run one job now: build what it covers and what changed (no mail:
    briefs send JOB builds, then emails)."""
    from briefs.schedule.attempt import by_hand
    from briefs.schedule.jobs import find_job
    from briefs.source.config import load_project

    _logging(False, ctx.obj["verbose"])
    project = load_project(ctx.obj["root"])
    outcome = by_hand(project, find_job(project, job_id), "by hand")
    for shown in outcome.built:
        click.echo(shown)
    click.echo(f"{len(outcome.built)} built, {outcome.current} up to date", err=True)
    if outcome.state != "done":
        raise BriefsError(outcome.error or "some briefs were refused; see above")


@click.command()
@click.pass_context
def status(ctx: click.Context) -> None:
    """Show whether briefs run is running, each job's last run, the editions
    waiting for approval, and what is failing and why. Exit code 1 when
    something is failing (waiting for approval is not a failure)."""
    from rich.console import Console
    from rich.table import Table

    from briefs.mail.outbox import open_outbox
    from briefs.schedule.lock import holder
    from briefs.schedule.runlog import open_runlog
    from briefs.source.config import load_project

    project = load_project(ctx.obj["root"])
    state = project.folders.state
    pid = holder(state)
    click.echo(f"briefs run: running (pid {pid})" if pid else "briefs run: not running")
    with open_runlog(state) as runlog:
        last, failing = runlog.last_runs(), runlog.failing()
    with open_outbox(project.folders) as box:
        counts, bounced = box.counts(), box.messages(["failed"])
    failing += [
        (f"mail #{m.id} to {m.recipient} (job {m.job})", m.created_at, m.error) for m in bounced
    ]
    table = Table("Job", "Last run", "Trigger", "Result", "Built", "Up to date", "Message")
    for run in last.values():
        message = run.message.splitlines()[0] if run.message else ""
        table.add_row(
            run.job,
            run.started_at,
            run.trigger,
            run.state,
            str(run.built),
            str(run.current),
            message,
        )
    console = Console(width=200)
    if last:
        console.print(table)
    else:
        click.echo("no job has run yet")
    if counts:
        mail = ", ".join(f"{n} {state}" for state, n in sorted(counts.items()))
        click.echo(f"outbox: {mail} (briefs outbox lists them)")
    _waiting(project)
    if not failing:
        click.echo("nothing is failing")
        return
    click.echo(f"failing ({len(failing)}):")
    for what, since, reason in failing:
        click.echo(f"- {what}, since {since}:")
        for line in reason.splitlines():
            click.echo(f"    {line}")
    sys.exit(1)


def _waiting(project: Project) -> None:
    """The editions awaiting approval, and for how long; never a failure."""
    from briefs.editions.approvals import waiting
    from briefs.editions.ledger import read_ledger

    with read_ledger(project.folders, settle=False) as ledger:
        editions = [] if ledger is None else waiting(ledger, project)
    if not editions:
        click.echo("no edition is waiting for approval")
        return
    click.echo(f"waiting for approval ({len(editions)}; `briefs approve` approves one):")
    from babel.dates import format_timedelta

    now = datetime.now(UTC)
    for e in editions:
        span = format_timedelta(now - datetime.fromisoformat(e.built_at), locale="en_CA")
        click.echo(f"- {e.brief} edition {e.number}, built {e.built_at} ({span} ago)")


def _scope(job: Job) -> str:
    b = job.spec.build
    parts = [
        ", ".join(b.dossiers) or "all dossiers",
        ", ".join(b.audiences) or "all audiences",
        ", ".join(b.languages) or "all languages",
    ]
    return "; ".join(parts)


def _triggers(job: Job) -> str:
    t = job.spec.triggers
    parts = [f"cron {line} ({job.timezone})" for line in t.cron]
    if t.interval is not None:
        parts.append(f"every {t.interval.span}")
    if t.on_change:
        parts.append("on change")
    return "; ".join(parts)
