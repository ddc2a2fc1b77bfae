"""Approving from the web (issue #13): an approver's page, the drafts that
wait for approval, and the approval itself.

The approver's name recorded and printed is the label of their token, set by
whoever made it (``briefs token create AUDIENCE --role approver --label
NAME``), never a field of the request: an approver token without a label
cannot approve, nor, when briefs.yaml lists ``approvers:``, one whose label
is not a listed approver cleared for the audience. The POST needs the token
in the ``Authorization`` header (a browser never adds that header by itself,
unlike a cookie), so another site cannot make an approver's browser approve:
there is no cross-site request to forge.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException
from fastapi.responses import HTMLResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from pydantic import BaseModel, ConfigDict

from briefs.editions.approvals import waiting
from briefs.editions.ledger import read_ledger
from briefs.errors import ApprovalRefused, BriefsRefused
from briefs.pipeline import approve
from briefs.source.config import Project
from briefs.web.listing import summary
from briefs.web.shelf import Shelf, published
from briefs.web.tokens import Holder

Allow = Callable[..., Holder | None]
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(HTTPBearer(auto_error=False))]
_ENV = Environment(
    loader=FileSystemLoader(Path(__file__).parent),
    autoescape=select_autoescape(default=True),
    undefined=StrictUndefined,
)


class Approving(BaseModel):
    """The body of an approval: which edition the approver read, and in which
    language (every language of the audience when left out)."""

    model_config = ConfigDict(extra="forbid")
    edition: int
    lang: str | None = None


def add_approval_routes(app: FastAPI, shelf: Shelf, allow: Allow) -> None:
    """The approver's page and its two API routes."""

    @app.get("/approvals", response_class=HTMLResponse, include_in_schema=False)
    def page(lang: str = "en") -> HTMLResponse:
        lang = lang if lang in ("en", "fr") else "en"
        return HTMLResponse(_ENV.get_template("approvals.html.j2").render(lang=lang))

    @app.get("/api/approvals", tags=["approvers"])
    def waiting_drafts(credentials: Credentials) -> list[dict[str, Any]]:
        """The drafts of the token's audience that wait for approval, each with
        its change section's lines (author or approver token)."""
        project = shelf.project()
        who = _who(project, allow, credentials)
        can = who.kind == "approver" and bool(who.label.strip())
        can = can and project.settings.not_cleared(who.audience, who.label) is None
        return [{**row, "can_approve": can} for row in _waiting(project, who.audience)]

    @app.post("/api/dossiers/{dossier}/{audience}/approve", tags=["approvers"])
    def approve_edition(
        dossier: str, audience: str, body: Approving, credentials: Credentials
    ) -> dict[str, Any]:
        """Approve edition ``edition`` of the brief (approver token): 409 when it
        is not the current edition or its inputs changed since."""
        project = shelf.project()
        if dossier not in project.folders.dossiers() or audience not in project.settings.audiences:
            raise HTTPException(404, "no such brief")
        languages = project.settings.audiences[audience].languages
        if body.lang is not None and body.lang not in languages:
            raise HTTPException(404, "no such brief")
        who = allow(project, audience, credentials, drafts=True)
        if who is None or who.kind != "approver":
            raise HTTPException(403, f"approving needs an approver token of {audience}")
        if not who.label.strip():
            raise HTTPException(
                403, "this approver token has no name: make one with --label NAME to approve"
            )
        refused = project.settings.not_cleared(audience, who.label)
        if refused is not None:  # briefs.yaml lists who may approve, and not them
            expected, found = refused
            raise HTTPException(403, f"not approved: expected {expected}, found {found}")
        try:
            done = approve(project, dossier, audience, body.lang, who.label, body.edition)
        except ApprovalRefused as exc:
            raise HTTPException(409, str(exc)) from exc
        except BriefsRefused as exc:
            raise HTTPException(422, str(exc)) from exc
        return {
            "approved": [
                {
                    "lang": a.lang,
                    "number": a.number,
                    "approved_by": a.approved_by,
                    "approved_at": a.approved_at,
                    "new": new,
                }
                for a, new in done
            ]
        }


def _who(project: Project, allow: Allow, credentials: Any) -> Holder:
    """The author or approver presenting the token (401/403 otherwise)."""
    from briefs.web.tokens import open_tokens

    if credentials is None:
        raise HTTPException(401, "a bearer token is needed", {"WWW-Authenticate": "Bearer"})
    with open_tokens(project.folders) as tokens:
        who = tokens.holder(credentials.credentials)
    if who is None:
        raise HTTPException(401, "a bearer token is needed", {"WWW-Authenticate": "Bearer"})
    if not who.sees_drafts or who.audience not in project.settings.audiences:
        raise HTTPException(403, "an author or approver token is needed")
    return who


def _waiting(project: Project, audience: str) -> list[dict[str, Any]]:
    with read_ledger(project.folders, settle=False) as ledger:
        found = [] if ledger is None else waiting(ledger, project)
    rows = []
    for e in found:
        if e.audience != audience:
            continue
        editions = published(project.folders, e.dossier)
        rows.append(
            {
                "dossier": e.dossier,
                "audience": e.audience,
                "lang": e.lang,
                "number": e.number,
                "date": e.edition_date,
                "built_at": e.built_at,
                "changes": summary(project, editions, e.audience, e.lang),
                "draft_url": f"/drafts/{e.dossier}/{e.audience}.{e.lang}.pdf",
                "approve_url": f"/api/dossiers/{e.dossier}/{e.audience}/approve",
            }
        )
    return rows
