"""The mail commands: ``briefs send JOB``, ``briefs outbox`` and ``briefs outbox retry``.

Thin: building is :mod:`briefs.schedule.attempt`, mail is :mod:`briefs.mail`.
"""

from __future__ import annotations

import os

import click

from briefs.errors import BriefsError


@click.command()
@click.argument("job_id", metavar="JOB")
@click.option("--dry-run", is_flag=True, help="Say who would get what; build and send nothing.")
@click.pass_context
def send(ctx: click.Context, job_id: str, dry_run: bool) -> None:
    """Build what JOB covers if needed, and email its briefs now."""
    from briefs.cli.scheduling import _logging
    from briefs.mail.outbox import open_outbox
    from briefs.mail.post import post
    from briefs.mail.send import deliver
    from briefs.mail.transport import smtp_settings
    from briefs.schedule.attempt import by_hand
    from briefs.schedule.jobs import find_job
    from briefs.source.config import load_project

    _logging(False, ctx.obj["verbose"])
    project = load_project(ctx.obj["root"])
    job = find_job(project, job_id)
    if job.spec.deliver is None:
        raise BriefsError(f"job {job_id} has no deliver section: it emails nobody")
    smtp = smtp_settings(os.environ)  # wrong settings: say so before building
    refused: set[str] = set()
    if not dry_run:
        outcome = by_hand(project, job, "send")
        if outcome.error:
            raise BriefsError(outcome.error)
        refused = {p.field for p in outcome.problems}
    scope = (list(job.spec.build.dossiers), [str(x) for x in job.spec.build.languages])
    with open_outbox(project.folders) as outbox:
        posting = post(
            project, outbox, job.id, job.spec.deliver, scope, refused=refused, dry_run=dry_run
        )
        verb = "would send" if dry_run else "queued"
        for line in posting.queued:
            click.echo(f"{verb}: {line}")
        for address in posting.unchanged:
            click.echo(f"unchanged, not sent again: {address}")
        for address in posting.waiting:
            click.echo(f"already queued, not yet sent: {address}")
        for address in posting.failed_before:
            click.echo(
                f"failed before, not sent again: {address} "
                "(see briefs outbox; briefs outbox retry sends it again)",
                err=True,
            )
        for line in posting.held:
            click.echo(f"not sent: {line}", err=True)
        for line in posting.awaiting:  # not a failure: approval is a person's step
            click.echo(f"waiting for approval: {line}")
        for line in posting.unapproved:
            click.echo(f"waiting for approval, nothing sent yet: {line}")
        if dry_run:
            where = smtp.host or project.folders.show(project.folders.output / "outbox")
            click.echo(f"(dry run: nothing was built, queued or sent; mail goes to {where})")
            return
        done = deliver(project, outbox, wait=True, job=job.id)
    for line in done.sent:
        click.echo(f"sent: {line}")
    for line in done.failed:
        click.echo(f"failed: {line}", err=True)
    if done.failed or posting.held or posting.failed_before:
        raise BriefsError("some mail was not sent; the job's owner was told (briefs outbox)")


@click.group(invoke_without_command=True)
@click.option("--all", "everything", is_flag=True, help="List every message, not the last 50.")
@click.pass_context
def outbox(ctx: click.Context, everything: bool) -> None:
    """List the messages briefs has queued and sent, and their states."""
    if ctx.invoked_subcommand is not None:
        return
    from rich.console import Console
    from rich.table import Table

    from briefs.mail.outbox import open_outbox
    from briefs.source.config import load_project

    project = load_project(ctx.obj["root"])
    with open_outbox(project.folders) as box:
        messages = box.messages(limit=10**9 if everything else 50)
    if not messages:
        click.echo("the outbox is empty")
        return
    table = Table("#", "Job", "To", "State", "Tries", "Queued", "Sent", "Subject / error")
    for m in messages:
        what = m.error if m.state == "failed" else m.subject
        what = what if len(what) < 70 else what[:69] + "…"
        table.add_row(
            str(m.id),
            m.job,
            m.recipient,
            m.state,
            str(m.attempts),
            m.created_at,
            m.sent_at or "",
            what,
        )
    Console(width=200).print(table)


@outbox.command("retry")
@click.argument("ids", nargs=-1, type=int)
@click.pass_context
def retry(ctx: click.Context, ids: tuple[int, ...]) -> None:
    """Queue failed messages again (all, or those numbered), and send them."""
    from briefs.cli.scheduling import _logging
    from briefs.mail.outbox import open_outbox
    from briefs.mail.send import deliver
    from briefs.source.config import load_project

    _logging(False, ctx.obj["verbose"])
    project = load_project(ctx.obj["root"])
    with open_outbox(project.folders) as box:
        count = box.retry(list(ids) or None)
        click.echo(f"{count} message(s) queued again", err=True)
        done = deliver(project, box, wait=True) if count else None
    if done is not None:
        for line in done.sent:
            click.echo(f"sent: {line}")
        for line in done.failed:
            click.echo(f"failed: {line}", err=True)
        if done.failed:
            raise BriefsError("some messages failed again")
