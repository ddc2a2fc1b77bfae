"""The command line: thin click commands over the library.

Exit codes: 0 success, 1 bad input or a refused brief, 2 usage error.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.logging import RichHandler
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from briefs.config import Project, load_project
from briefs.errors import BriefsError

err = Console(stderr=True)


def _project(ctx: click.Context) -> Project:
    root: Path = ctx.obj["root"]
    return load_project(root)


class _Group(click.Group):
    """Maps library errors to exit code 1 with their message, in one place."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except BriefsError as exc:
            err.print("[bold red]error:[/]", escape(str(exc)), highlight=False, soft_wrap=True)
            sys.exit(exc.exit_code)


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
        format="%(message)s",
        handlers=[RichHandler(console=err, show_time=False, show_path=False)],
    )
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    ctx.obj = {"root": root}


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
@click.pass_context
def build(
    ctx: click.Context,
    dossiers: tuple[str, ...],
    audiences: tuple[str, ...],
    langs: tuple[str, ...],
    html: bool,
) -> None:
    """Build briefs: all of them, or the DOSSIERs, audiences and languages given."""
    from briefs.build import build as run
    from briefs.build import plan

    project = _project(ctx)
    unknown = sorted(set(audiences) - set(project.settings.audiences))
    if unknown:
        known = ", ".join(project.settings.audiences)
        raise click.BadParameter(
            f"{', '.join(unknown)} (audiences: {known})", param_hint="--audience"
        )
    total = len(plan(project, list(dossiers), list(audiences), list(langs)))
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task("rendering", total=total)
        written = run(
            project,
            list(dossiers),
            list(audiences),
            list(langs),
            html=html,
            progress=lambda name: bar.update(task, advance=1, description=name),
        )
    for path in written:
        click.echo(project.show(path))
    err.print(f"{len(written)} brief(s) written to {project.show(project.output_dir)}/")


@main.command()
@click.pass_context
def check(ctx: click.Context) -> None:
    """Validate all data, configuration and templates; write nothing."""
    from briefs.build import check as run

    project = _project(ctx)
    briefs = run(project)
    dossiers = sorted({b.loaded.dossier.name for b in briefs})
    click.echo(f"ok: {len(dossiers)} dossier(s), {len(briefs)} brief(s) would be built")
