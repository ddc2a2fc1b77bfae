"""The command line: thin click commands over the library.

Exit codes: 0 success, 1 bad input or a refused brief, 2 usage error.
Heavy modules are imported inside the commands, so ``--help`` and a build
with nothing to do start fast.
"""

from __future__ import annotations

import logging
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from briefs.errors import BriefsError

if TYPE_CHECKING:
    from briefs.request import Progress
    from briefs.source.config import Project


def _say_error(message: str) -> None:
    click.echo(click.style("error: ", fg="red", bold=True) + message, err=True)


class _Group(click.Group):
    """Maps library errors to exit code 1 with their message, in one place."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except BriefsError as exc:
            _say_error(str(exc))
            sys.exit(exc.exit_code)


def _project(ctx: click.Context) -> Project:
    from briefs.source.config import load_project

    root: Path = ctx.obj["root"]
    return load_project(root)


@click.group(cls=_Group)
@click.option(
    "-C",
    "root",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    help="Run as if started in DIR (like git -C).",
)
@click.option("-v", "--verbose", is_flag=True, help="Show debug logging.")
@click.version_option(package_name="briefs")
@click.pass_context
def main(ctx: click.Context, root: Path, verbose: bool) -> None:
    """Build audience-tailored PDF briefs from one YAML source of truth."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(levelname)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    # Past a file size limit (ulimit -f), a write fails with EFBIG and a message
    # instead of the kernel killing briefs without one.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    ctx.obj = {"root": root.resolve(), "verbose": verbose}


@main.command()
@click.argument("dossiers", nargs=-1)
@click.option("--audience", "audiences", multiple=True, help="Only this audience (repeatable).")
@click.option(
    "--lang",
    "langs",
    multiple=True,
    type=click.Choice(["en", "fr"]),
    help="Only this language (repeatable).",
)
@click.option("--html", is_flag=True, help="Also write the HTML beside each PDF.")
@click.option("--force", is_flag=True, help="Rebuild even the briefs that are up to date.")
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes for rendering [default: one per core].",
)
@click.pass_context
def build(
    ctx: click.Context,
    dossiers: tuple[str, ...],
    audiences: tuple[str, ...],
    langs: tuple[str, ...],
    html: bool,
    force: bool,
    jobs: int | None,
) -> None:
    """Build what changed: all briefs, or the DOSSIERs, audiences and languages given."""
    from briefs.request import Request, nothing_to_do

    asked = (list(dossiers), list(audiences), list(langs))
    current = nothing_to_do(ctx.obj["root"], Request(*asked, force=force, jobs=jobs, html=html))
    if current is not None:
        click.echo(f"{current} brief(s) up to date; nothing to build", err=True)
        return
    from briefs.pipeline import run

    project = _project(ctx)
    unknown = sorted(set(audiences) - set(project.settings.audiences))
    if unknown:
        known = ", ".join(project.settings.audiences)
        raise click.BadParameter(
            f"{', '.join(unknown)} (audiences: {known})", param_hint="--audience"
        )
    with _progress() as progress:
        request = Request(*asked, force=force, jobs=jobs, html=html, progress=progress)
        report = run(project, request)
    for path in report.built + report.restored:
        click.echo(project.folders.show(path))
    click.echo(
        f"{len(report.built)} built, {len(report.restored)} restored, {report.current} up to date",
        err=True,
    )
    if report.problems:
        from briefs.errors import BriefsRefused

        raise BriefsRefused(report.problems)


@contextmanager
def _progress() -> Iterator[Progress | None]:
    """A progress bar on a terminal; nothing (and no rich import) otherwise."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn
    from rich.progress import Progress as Bar

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Bar(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("rendering", total=None)
        yield lambda name, done, total: bar.update(
            task, completed=done, total=total, description=name
        )


@main.command()
@click.argument("dossiers", nargs=-1)
@click.pass_context
def check(ctx: click.Context, dossiers: tuple[str, ...]) -> None:
    """Validate data, configuration, templates and jobs (the jobs' recipients
    too); write nothing. With DOSSIERs, only those dossiers' data."""
    from briefs.errors import InvalidInput
    from briefs.pipeline import check as run
    from briefs.schedule.jobs import load_jobs

    project = _project(ctx)
    problems = [] if dossiers else load_jobs(project)[1]
    try:
        briefs = run(project, list(dossiers) or None)
    except InvalidInput as exc:
        raise InvalidInput(exc.problems + problems) from None
    if problems:
        raise InvalidInput(problems)
    from briefs.editions.readability import readings

    checked = {b.loaded.dossier.name for b in briefs}
    click.echo(f"ok: {len(checked)} dossier(s), {len(briefs)} brief(s) would be built")
    # Off target is a warning only: the exit code stays 0.
    for reading in readings(briefs):
        click.echo(str(reading))
    from briefs.source.staleness import stale
    from briefs.source.wording import wording

    limit = project.settings.stale_after_months
    for loaded in {b.loaded.dossier.name: b.loaded for b in briefs}.values():
        for warning in [*stale(loaded, limit), *wording(loaded)]:
            click.echo(str(warning))


@main.command()
@click.argument("dossier", required=False)
@click.pass_context
def editions(ctx: click.Context, dossier: str | None) -> None:
    """List the editions of every brief, or of one DOSSIER's briefs, with each
    one's state (draft, approved, superseded, published) and approver."""
    from rich.console import Console
    from rich.table import Table

    from briefs.editions.approvals import pdf_of
    from briefs.pipeline import edition_states

    project = _project(ctx)
    table = Table(
        "Brief", "Edition", "Built", "Trigger", "State", "Approved by", "SHA-256", "Archived PDF"
    )
    rows = edition_states(project, dossier)
    for e, state, approval in rows:
        # An approved edition's own PDF is its approved one; the draft stays archived beside it.
        approver = f"{approval.approved_by} ({approval.approved_at[:10]})" if approval else ""
        pdf, sha = pdf_of(e, approval)
        table.add_row(e.brief, str(e.number), e.built_at, e.trigger, state, approver, sha[:12], pdf)
    if not rows:
        click.echo("no editions yet" + (f" of {dossier}" if dossier else ""))
        return
    Console(width=240).print(table)


@main.command()
@click.argument("dossier")
@click.option("--audience", required=True, help="The audience whose brief is approved.")
@click.option(
    "--lang",
    type=click.Choice(["en", "fr"]),
    default=None,
    help="Only this language [default: all].",
)
@click.option(
    "--by",
    "by",
    required=True,
    help="The approver's name, printed on the brief; with approvers: in briefs.yaml, "
    "a listed approver cleared for the audience.",
)
@click.option(
    "--edition",
    type=click.IntRange(min=1),
    default=None,
    help="The edition approved; refused unless it is the current one.",
)
@click.pass_context
def approve(
    ctx: click.Context, dossier: str, audience: str, lang: str | None, by: str, edition: int | None
) -> None:
    """Approve the current edition of DOSSIER's brief for an audience: publish it
    without the draft mark, naming the approver (docs/approval.md)."""
    from briefs.pipeline import approve as run

    if not by.strip():
        raise click.BadParameter("expected a name, found nothing", param_hint="--by")
    for approval, new in run(_project(ctx), dossier, audience, lang, by.strip(), edition):
        brief = f"{approval.dossier}/{approval.audience}.{approval.lang} #{approval.number}"
        said = "approved" if new else "already approved, unchanged:"
        click.echo(f"{brief}: {said} by {approval.approved_by}, {approval.approved_at}")
        click.echo(f"  {approval.archive}")


# The scheduler's commands live beside these, in their own module.
from briefs.cli.mailing import outbox, send  # noqa: E402
from briefs.cli.scheduling import jobs, run, status  # noqa: E402
from briefs.cli.serving import serve, token  # noqa: E402

for _command in (run, jobs, status, send, outbox, serve, token):
    main.add_command(_command)
