"""``briefs serve`` and ``briefs token``: the HTTP door and its keys."""

from __future__ import annotations

import logging

import click

from briefs.errors import BriefsError


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.pass_context
def serve(ctx: click.Context, host: str, port: int) -> None:
    """Serve the briefs over HTTP: the page, the PDFs (built first when stale),
    the JSON API, the author preview, /healthz and /status."""
    import uvicorn

    from briefs.cli.scheduling import _logging
    from briefs.source.config import load_project
    from briefs.web.app import create_app

    _logging(False, ctx.obj["verbose"])
    # What it built and refused, as briefs run says it: not only its errors.
    logging.getLogger("briefs.web").setLevel(logging.DEBUG if ctx.obj["verbose"] else logging.INFO)
    load_project(ctx.obj["root"])  # a wrong briefs.yaml stops the start, with its problems
    app = create_app(ctx.obj["root"])
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=False)


@click.group()
def token() -> None:
    """Create, list and revoke the access tokens of briefs serve."""


@token.command("create")
@click.argument("role", metavar="AUDIENCE")
@click.option(
    "--label",
    default="",
    help="Who or what the token is for; an approver's name (with approvers: in "
    "briefs.yaml, a listed approver cleared for AUDIENCE).",
)
@click.option(
    "--role",
    "kind",
    type=click.Choice(["reader", "author", "approver"]),
    default="reader",
    show_default=True,
    help="reader: released briefs; author: drafts too; approver: drafts, and approving "
    "them from the page, in the name given by --label.",
)
@click.pass_context
def create(ctx: click.Context, role: str, label: str, kind: str) -> None:
    """A token for AUDIENCE's briefs (or 'operator', for /status); shown once,
    stored only as its hash."""
    from briefs.source.config import load_project
    from briefs.web.tokens import OPERATOR, open_tokens, role_of

    project = load_project(ctx.obj["root"])
    known = [*project.settings.audiences, OPERATOR]
    if role not in known:
        raise click.BadParameter(f"{role!r} (expected one of: {', '.join(known)})")
    if kind != "reader" and role == OPERATOR:
        raise click.BadParameter("an operator token has no --role", param_hint="--role")
    if kind == "approver" and not label.strip():
        raise click.BadParameter(
            "an approver token needs --label NAME: the name recorded and printed when they approve",
            param_hint="--label",
        )
    refused = project.settings.not_cleared(role, label) if kind == "approver" else None
    if refused is not None:
        expected, found = refused
        raise click.BadParameter(f"expected {expected}, found {found}", param_hint="--label")
    with open_tokens(project.folders) as tokens:
        click.echo(tokens.create(role_of(role, kind), label))
    said = f"a token for {role_of(role, kind)}: keep it secret; it is not shown again"
    click.echo(said, err=True)


@token.command("list")
@click.pass_context
def list_(ctx: click.Context) -> None:
    """The tokens: number, audience, label, when made and revoked (never the token)."""
    from briefs.source.config import load_project
    from briefs.web.tokens import open_tokens

    project = load_project(ctx.obj["root"])
    with open_tokens(project.folders) as tokens:
        rows = tokens.all()
    for t in rows:
        revoked = f", revoked {t.revoked_at}" if t.revoked_at else ""
        click.echo(f"{t.id}\t{t.role}\t{t.label or '-'}\tcreated {t.created_at}{revoked}")
    if not rows:
        click.echo("no tokens")


@token.command("revoke")
@click.argument("number", type=int)
@click.pass_context
def revoke(ctx: click.Context, number: int) -> None:
    """Revoke token NUMBER (see briefs token list) at once."""
    from briefs.source.config import load_project
    from briefs.web.tokens import open_tokens

    project = load_project(ctx.obj["root"])
    with open_tokens(project.folders) as tokens:
        if not tokens.revoke(number):
            raise BriefsError(f"no live token numbered {number}")
    click.echo(f"token {number} revoked")
