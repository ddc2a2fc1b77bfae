"""The HTTP door: FastAPI routes over the shelf, the tokens and the run log.

Public briefs are open; every other audience needs a bearer token tied to
that audience (401 without one, 403 with another audience's). Names in a
path are matched against the project's own dossiers, audiences and
languages before any file is looked up, so anything else, encoded traversal
included, is a 404; and a file is served only from the output folder or the
archive.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from briefs.editions.approvals import Approval
from briefs.editions.approvals import required as needs_approval
from briefs.errors import BriefsError
from briefs.source.config import Project
from briefs.source.model import Classification
from briefs.web.approving import add_approval_routes
from briefs.web.listing import listing
from briefs.web.page import home_page, not_previewed, preview_page
from briefs.web.release import copies, copy
from briefs.web.shelf import Served, Shelf, published
from briefs.web.tokens import OPERATOR, Holder, open_tokens

log = logging.getLogger("briefs.web")
LANGS = ("en", "fr")
bearer = HTTPBearer(auto_error=False)
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


def create_app(root: Path) -> FastAPI:
    """The application for the project at ``root``."""
    shelf = Shelf(root)
    shelf.project()  # a wrong briefs.yaml stops here; later, the last good one is kept
    app = FastAPI(
        title="briefs",
        summary="Audience-tailored, bilingual PDF briefs from one YAML source of truth",
        docs_url="/api/docs",
        openapi_url="/api/openapi.json",
        redoc_url=None,
    )
    app.state.shelf = shelf

    def holder(credentials: HTTPAuthorizationCredentials | None, project: Project) -> Holder | None:
        if credentials is None:
            return None
        with open_tokens(project.folders) as tokens:
            return tokens.holder(credentials.credentials)

    def allow(
        project: Project, audience: str, credentials: Credentials, drafts: bool = False
    ) -> Holder | None:
        """Public: open. Others: a token of that audience. Drafts: an author or
        approver token of that audience."""
        is_open = project.settings.audiences[audience].clearance is Classification.unclassified
        if is_open and not drafts:
            return None
        who = holder(credentials, project)
        if who is None:
            raise HTTPException(401, "a bearer token is needed", {"WWW-Authenticate": "Bearer"})
        if who.audience != audience:
            raise HTTPException(403, f"this token is not for the {audience} audience")
        if drafts and not who.sees_drafts:
            raise HTTPException(403, f"drafts need an author or approver token of {audience}")
        return who

    def named(project: Project, dossier: str, audience: str, lang: str) -> None:
        known = project.folders.dossiers()
        if dossier not in known or audience not in project.settings.audiences:
            raise HTTPException(404, "no such brief")
        if lang not in project.settings.audiences[audience].languages:
            raise HTTPException(404, "no such brief")

    @app.api_route("/healthz", methods=["GET", "HEAD"], include_in_schema=False)
    async def healthz() -> dict[str, str]:
        # On the event loop, not in the thread pool: requests waiting for a
        # build hold its threads, and a monitor must still get an answer.
        return {"status": "ok"}

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home(lang: str = "en") -> HTMLResponse:
        project = shelf.project()
        return HTMLResponse(home_page(project, lang if lang in LANGS else "en"))

    @app.get("/dossiers/{dossier}/{brief}.pdf", tags=["briefs"])
    async def pdf(dossier: str, brief: str, request: Request, credentials: Credentials) -> Response:
        """The current PDF of a brief (``minister.en``), built first if its inputs changed."""
        # A brief still current is answered on the event loop (a few stats);
        # what may wait (a token lookup, the pipeline, a build) in the thread
        # pool, whose threads requests waiting for a build hold.
        project = shelf.project()
        audience, lang = _split(brief)
        named(project, dossier, audience, lang)
        if project.settings.audiences[audience].clearance is not Classification.unclassified:
            await run_in_threadpool(allow, project, audience, credentials)
        served = shelf.kept(dossier, audience, lang)
        if served is None:  # a stale brief is built first (a new draft, maybe)
            served = await run_in_threadpool(shelf.current, project, dossier, audience, lang)
        if served is not None and needs_approval(project, audience):
            release = shelf.kept_release(dossier, audience, lang)
            if release is not None:
                served = release.value
            else:
                served = await run_in_threadpool(shelf.released, project, dossier, audience, lang)
            if served is None:
                raise HTTPException(
                    404,
                    f"{dossier}/{audience}.{lang}: not yet approved; no edition of this brief "
                    "is released yet",
                )
        return _pdf(served, request)

    @app.get("/drafts/{dossier}/{brief}.pdf", tags=["authors"])
    def draft(dossier: str, brief: str, request: Request, credentials: Credentials) -> Response:
        """The newest edition of a brief, built first if its inputs changed: the
        draft awaiting approval, if it is one (author or approver token)."""
        project = shelf.project()
        audience, lang = _split(brief)
        named(project, dossier, audience, lang)
        allow(project, audience, credentials, drafts=True)
        served = shelf.current(project, dossier, audience, lang)
        if served is not None:
            served = shelf.handed(project, copy(project, served.edition))
        return _pdf(served, request, private=True)

    @app.get("/dossiers/{dossier}/{brief}/editions/{number:int}.pdf", tags=["briefs"])
    def past(
        dossier: str, brief: str, number: int, request: Request, credentials: Credentials
    ) -> Response:
        """A past edition of a brief, by number, from the archive."""
        project = shelf.project()
        audience, lang = _split(brief)
        named(project, dossier, audience, lang)
        allow(project, audience, credentials)
        found = [
            e
            for e in published(project.folders, dossier)
            if (e.audience, e.lang, e.number) == (audience, lang, number)
        ]
        if not found:
            return _pdf(None, request)
        handed = copy(project, found[0])
        if handed.draft:  # never approved: a draft, for authors and approvers
            allow(project, audience, credentials, drafts=True)
        return _pdf(shelf.handed(project, handed), request)

    @app.get("/preview/{dossier}/{brief}.html", response_class=HTMLResponse, tags=["authors"])
    def preview(dossier: str, brief: str, credentials: Credentials) -> HTMLResponse:
        """The brief's HTML as rendered now, with its stylesheet: a template
        change shows on reload, without making a PDF. Where the audience needs
        approval, that is a draft: for its author and approver tokens only."""
        project = shelf.project()
        audience, lang = _split(brief)
        named(project, dossier, audience, lang)
        allow(project, audience, credentials, drafts=needs_approval(project, audience))
        try:
            return HTMLResponse(preview_page(project, dossier, audience, lang))
        except BriefsError as exc:
            log.warning("preview of %s/%s.%s: %s", dossier, audience, lang, exc)
            return HTMLResponse(not_previewed(exc), status_code=422)

    @app.get("/preview/assets/{name:path}", include_in_schema=False)
    def asset(name: str) -> Response:
        assets = shelf.project().folders.assets.resolve()
        path = (assets / name).resolve()
        if not path.is_relative_to(assets) or not path.is_file():
            raise HTTPException(404, "no such asset")
        kind = {".css": "text/css", ".woff2": "font/woff2", ".ttf": "font/ttf"}.get(path.suffix)
        return Response(path.read_bytes(), media_type=kind or "application/octet-stream")

    @app.get("/api/dossiers", tags=["api"])
    def dossiers() -> list[dict[str, Any]]:
        """Every dossier, with the current edition of each of its briefs."""
        project = shelf.project()
        return [_dossier(project, name) for name in project.folders.dossiers()]

    @app.get("/api/dossiers/{dossier}/editions", tags=["api"])
    def editions(dossier: str, credentials: Credentials) -> list[dict[str, Any]]:
        """Every edition of a dossier's briefs that the caller may read."""
        project = shelf.project()
        if dossier not in project.folders.dossiers():
            raise HTTPException(404, "no such dossier")
        who = holder(credentials, project)
        rows = []
        for c in copies(project, dossier):
            e = c.edition
            audience = project.settings.audiences.get(e.audience)
            if audience is None:
                continue
            mine = who is not None and who.audience == e.audience
            if audience.clearance is not Classification.unclassified and not mine:
                continue
            if c.draft and not (mine and who is not None and who.sees_drafts):
                continue
            rows.append(_edition_json(e, c.sha256, c.approval, c.draft))
        return rows

    @app.get("/status", tags=["operators"])
    def status(credentials: Credentials) -> JSONResponse:
        """Jobs, their last runs, what is failing and the outbox (operator token)."""
        project = shelf.project()
        who = holder(credentials, project)
        if who is None:
            raise HTTPException(401, "a bearer token is needed", {"WWW-Authenticate": "Bearer"})
        if who.audience != OPERATOR:
            raise HTTPException(403, "an operator token is needed")
        from briefs.web.status import report

        return JSONResponse(report(project))

    add_approval_routes(app, shelf, allow)
    return app


def _split(brief: str) -> tuple[str, str]:
    audience, dot, lang = brief.rpartition(".")
    if not dot or lang not in LANGS:
        raise HTTPException(404, "no such brief")
    return audience, lang


def _pdf(served: Served | None, request: Request, private: bool = False) -> Response:
    if served is None:
        raise HTTPException(404, "no edition of this brief yet")
    e = served.edition
    etag = f'"{served.etag}"'
    headers = {
        "ETag": etag,
        "Last-Modified": format_datetime(
            datetime.fromisoformat(e.built_at).astimezone(UTC), usegmt=True
        ),
        # A draft must not sit in a shared cache, nor on the author's disk.
        "Cache-Control": "private, no-store" if served.draft or private else "no-cache",
        "Content-Disposition": f'inline; filename="{e.dossier}_{e.audience}_{e.lang}_'
        f'{e.edition_date}.pdf"',
        "X-Briefs-Edition": str(e.number),
    }
    wanted = request.headers.get("if-none-match", "")
    if etag in wanted or wanted.strip() == "*":  # RFC 9110: "*" matches any current PDF
        return Response(status_code=304, headers=headers)
    return Response(served.content, media_type="application/pdf", headers=headers)


def _edition_json(
    e: Any, sha256: str = "", approval: Approval | None = None, draft: bool = False
) -> dict[str, Any]:
    """An edition as the API lists it; ``sha256`` is of the PDF handed out
    (the approved PDF of an approved edition)."""
    return {
        "audience": e.audience,
        "lang": e.lang,
        "number": e.number,
        "date": e.edition_date,
        "built_at": e.built_at,
        "sha256": sha256 or e.sha256,
        "trigger": e.trigger,
        "draft": draft,
        "approved_by": approval.approved_by if approval else None,
        "approved_at": approval.approved_at if approval else None,
        "url": f"/dossiers/{e.dossier}/{e.audience}.{e.lang}/editions/{e.number}.pdf",
    }


def _dossier(project: Project, name: str) -> dict[str, Any]:
    briefs = []
    for brief in listing(project, name):
        entry: dict[str, Any] = {
            "audience": brief.audience,
            "lang": brief.lang,
            "title": brief.title.get(brief.lang),
            "token_required": not brief.open,
            "url": brief.url,
        }
        if brief.current is not None:
            entry["current"] = _edition_json(brief.current, brief.sha256)
            entry["current"]["approved_by"] = brief.approved_by or None
            entry["current"]["approved_at"] = brief.approved_at or None
            entry["changes"] = list(brief.changes)
        briefs.append(entry)
    return {"dossier": name, "briefs": briefs}
