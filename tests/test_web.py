"""``briefs serve`` over HTTP, through the ASGI client: every route, every
access rule and every error.

The sample is built once per session (conftest's ``built``) and copied per
test; a test that needs a new edition edits the copy and asks for one brief,
so at most one brief is rendered per test. Path-traversal attempts are sent
as raw ASGI requests, since an HTTP client would clean ``..`` out of a URL
before the server saw it. No assertion is about how long anything took.
"""

from __future__ import annotations

import asyncio
import hashlib
import html
import logging
import shutil
import sqlite3
import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
import yaml
from click.testing import CliRunner
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pypdf import PdfReader
from test_run import EVERYONE, FIGURES, briefs_command

import briefs.pipeline
import briefs.web.shelf as shelf_module
from briefs import approve, build, list_editions, load_project
from briefs.cli import main
from briefs.editions.approvals import approved_path
from briefs.editions.ledger import Edition
from briefs.web.app import create_app
from briefs.web.listing import summary
from briefs.web.tokens import TOKENS_NAME, digest, open_tokens
from conftest import SAMPLE, copy_templates, tree_state

Edit = Callable[[Path, str, str], None]
DEADLINE = 60.0
ANALYSIS = Path("data", SAMPLE, "analysis.yaml")
PUBLIC_EN = f"/dossiers/{SAMPLE}/public.en.pdf"
PROTECTED_B_TEXT = "Whether the Minister should support the prompt passage"
"""Words of a Protected B item (analysis.yaml, an-issue): only the minister note prints them."""
TEXT_WITHOUT_LANGUAGES = [
    ("    text:\n      en: >-\n        SAMPLE — Whether", "    text: >-\n        SAMPLE — Whether"),
    (
        "      fr: >-\n        EXEMPLE — La ministre devrait",
        "        EXEMPLE — La ministre devrait",
    ),
]
"""An author's slip in that Protected B item: its text without language keys."""
LEAKED = "Whether the Minister should support the prompt passage of Bill C-38."
NEW_STEP = """
  - id: an-test-next-step
    classification: protected_b
    part: next_steps
    text:
      en: >-
        SAMPLE — Quietly consult the provinces on the second option.
      fr: >-
        EXEMPLE — Consulter discrètement les provinces sur la deuxième option.
"""
"""A new Protected B item: the minister note's next edition names it as added."""


APPROVER = "Sample Assistant Deputy Minister (sample)"
APPROVED_AT = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


# -- helpers -----------------------------------------------------------------------


@pytest.fixture(scope="session")
def released(built: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built sample with its minister and public editions approved, once:
    what readers are served (issue #13)."""
    root = tmp_path_factory.mktemp("released") / "project"
    shutil.copytree(built, root)
    for audience in ("minister", "public"):
        approve(load_project(root), SAMPLE, audience, None, APPROVER, now=APPROVED_AT)
    return root


@pytest.fixture
def project(released: Path, tmp_path: Path) -> Path:
    """A private copy of the approved sample, with an empty jobs folder."""
    root = tmp_path / "project"
    shutil.copytree(released, root)
    (root / "jobs").mkdir()
    return root


@pytest.fixture
def drafted(built: Path, tmp_path: Path) -> Path:
    """A private copy of the built sample, nothing approved: drafts only."""
    root = tmp_path / "drafted"
    shutil.copytree(built, root)
    return root


@pytest.fixture
def app(project: Path) -> FastAPI:
    return create_app(project)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


@pytest.fixture
def tokens(project: Path) -> dict[str, str]:
    """A live token for each audience and for the operator, and an author's
    token of the two audiences needing approval, made through the library."""
    roles = ("minister", "partners", "public", "operator", "minister:author", "public:author")
    with open_tokens(load_project(project).folders) as store:
        return {role: store.create(role) for role in roles}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def editions(root: Path, audience: str, lang: str) -> list[Edition]:
    return [
        e for e in list_editions(load_project(root)) if (e.audience, e.lang) == (audience, lang)
    ]


def last(root: Path, audience: str, lang: str) -> Edition:
    return editions(root, audience, lang)[-1]


def approved(root: Path, audience: str, lang: str, number: int = 1) -> tuple[bytes, str]:
    """An approved edition's PDF (``NNNN.approved.pdf``) and its SHA-256: what readers get."""
    edition = editions(root, audience, lang)[number - 1]
    content = approved_path(root / edition.archive).read_bytes()
    return content, hashlib.sha256(content).hexdigest()


def output(root: Path, audience: str, lang: str) -> bytes:
    return (root / "output" / SAMPLE / f"{audience}.{lang}.pdf").read_bytes()


def set_config(root: Path, change: Callable[[dict[str, Any]], None]) -> None:
    path = root / "briefs.yaml"
    config = yaml.safe_load(path.read_text())
    change(config)
    path.write_text(yaml.safe_dump(config, allow_unicode=True))


def raw_get(app: FastAPI, target: str) -> tuple[int, bytes]:
    """GET ``target`` exactly as written, as uvicorn hands it over: ``raw_path``
    untouched and ``path`` percent-decoded, with no ``..`` cleaned out."""
    raw = target.encode()
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": unquote(target),
        "raw_path": raw,
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"127.0.0.1")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    (start,) = [m for m in sent if m["type"] == "http.response.start"]
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], body


class Links(HTMLParser):
    """The page's ``<html lang>``, and each link's href with its text."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.lang: str | None = None
        self.links: dict[str, str] = {}
        self._open: list[str] = []
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "html":
            self.lang = dict(attrs).get("lang")
        if tag == "a":
            href = dict(attrs).get("href") or ""
            self._open.append(href)
            self.links[href] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        for href in self._open:
            self.links[href] += data


def counting_builds(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """Each build the shelf starts, recorded, then run for real."""
    calls: list[tuple[Any, ...]] = []
    real = shelf_module.build

    def recorded(*args: Any, **kwargs: Any) -> Any:
        calls.append(args[1:])
        return real(*args, **kwargs)

    monkeypatch.setattr(shelf_module, "build", recorded)
    return calls


def web_errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "briefs.web" and r.levelno >= logging.ERROR
    ]


# -- the page and the monitor --------------------------------------------------------


def test_healthz(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    head = client.head("/healthz")  # what some monitors send
    assert head.status_code == 200 and head.content == b""


@pytest.mark.parametrize(
    ("query", "lang", "switch", "switch_text", "edition"),
    [
        ("", "en", "/?lang=fr", "Français", "edition 1"),
        ("?lang=en", "en", "/?lang=fr", "Français", "edition 1"),
        ("?lang=fr", "fr", "/?lang=en", "English", "édition 1"),
        ("?lang=de", "en", "/?lang=fr", "Français", "edition 1"),
        ("?lang=../../etc", "en", "/?lang=fr", "Français", "edition 1"),
    ],
)
def test_home_page_in_each_language(
    client: TestClient, query: str, lang: str, switch: str, switch_text: str, edition: str
) -> None:
    response = client.get(f"/{query}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = Links(response.text)
    assert page.lang == lang
    assert page.links[switch].strip() == switch_text
    for brief_lang in ("en", "fr"):  # both languages of the open brief, either page
        url = f"/dossiers/{SAMPLE}/public.{brief_lang}.pdf"
        assert edition in page.links[url]
        assert client.get(url).status_code == 200
    # protected briefs are named with their address, not linked, and have no edition
    for audience in ("minister", "partners"):
        for brief_lang in ("en", "fr"):
            url = f"/dossiers/{SAMPLE}/{audience}.{brief_lang}.pdf"
            assert f"<code>{url}</code>" in response.text
            assert url not in page.links
    assert ("Document d’information" in response.text) == (lang == "fr")
    assert ("Backgrounder" in response.text) == (lang == "en")


def test_the_page_and_the_api_show_nothing_of_a_protected_brief(
    project: Path, client: TestClient, edit: Edit
) -> None:
    """A new Protected B item, published in the minister note: its change lines
    exist, and appear neither on the page nor in the open API."""
    with (project / ANALYSIS).open("a", encoding="utf-8") as analysis:
        analysis.write(NEW_STEP)
    build(load_project(project), [SAMPLE], ["minister"], ["en"], jobs=1)
    assert last(project, "minister", "en").number == 2
    ledger = list_editions(load_project(project), SAMPLE)
    secret = summary(load_project(project), ledger, "minister", "en")
    assert secret, "the minister note has change lines to hide"
    minister_only = "Quietly consult the provinces"
    for query in ("", "?lang=fr"):
        page = client.get(f"/{query}").text
        for line in secret:
            assert line not in page
        assert minister_only not in page
        assert PROTECTED_B_TEXT not in page
    api = client.get("/api/dossiers")
    assert api.status_code == 200
    for line in secret:
        assert line not in api.text
    assert minister_only not in api.text
    (dossier,) = api.json()
    minister_en = next(
        b for b in dossier["briefs"] if (b["audience"], b["lang"]) == ("minister", "en")
    )
    assert minister_en["token_required"] is True
    assert "current" not in minister_en and "changes" not in minister_en


# -- the open PDFs -------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_an_open_pdf_with_its_edition_headers(project: Path, client: TestClient, lang: str) -> None:
    edition = last(project, "public", lang)
    content, sha256 = approved(project, "public", lang)
    response = client.get(f"/dossiers/{SAMPLE}/public.{lang}.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content == output(project, "public", lang) == content
    assert hashlib.sha256(response.content).hexdigest() == sha256
    etag = response.headers["etag"]
    assert etag == f'"{sha256}"'
    modified = parsedate_to_datetime(response.headers["last-modified"])
    assert modified == datetime.fromisoformat(edition.built_at)
    assert response.headers["x-briefs-edition"] == str(edition.number) == "1"

    cached = client.get(f"/dossiers/{SAMPLE}/public.{lang}.pdf", headers={"If-None-Match": etag})
    assert cached.status_code == 304
    assert cached.content == b""
    assert cached.headers["etag"] == etag
    weak = client.get(
        f"/dossiers/{SAMPLE}/public.{lang}.pdf", headers={"If-None-Match": "W/" + etag}
    )
    assert weak.status_code == 304
    listed = client.get(
        f"/dossiers/{SAMPLE}/public.{lang}.pdf", headers={"If-None-Match": f'"x", {etag}'}
    )
    assert listed.status_code == 304
    anything = client.get(f"/dossiers/{SAMPLE}/public.{lang}.pdf", headers={"If-None-Match": "*"})
    assert anything.status_code == 304
    other = client.get(
        f"/dossiers/{SAMPLE}/public.{lang}.pdf", headers={"If-None-Match": f'"{"0" * 64}"'}
    )
    assert other.status_code == 200
    assert other.content == response.content


def test_the_body_is_always_the_edition_its_headers_name(
    project: Path, client: TestClient, tokens: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """While a build moves a new PDF into place, the ledger still names the
    edition before it: that edition's bytes are sent, from the archive."""
    first = last(project, "partners", "en")
    monkeypatch.setattr(shelf_module, "look", lambda *args: shelf_module.Look(False, None))
    (project / first.output).write_bytes(b"%PDF-1.7 the next edition, not yet recorded")
    url = f"/dossiers/{SAMPLE}/partners.en.pdf"
    response = client.get(url, headers=bearer(tokens["partners"]))
    assert response.status_code == 200
    assert response.headers["etag"] == f'"{first.sha256}"'
    assert response.headers["x-briefs-edition"] == str(first.number)
    assert hashlib.sha256(response.content).hexdigest() == first.sha256
    assert response.content == (project / first.archive).read_bytes()


# -- the protected PDFs --------------------------------------------------------------


@pytest.mark.parametrize("audience", ["minister", "partners"])
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_protected_pdf_needs_a_token_of_its_audience(
    project: Path, client: TestClient, tokens: dict[str, str], audience: str, lang: str
) -> None:
    url = f"/dossiers/{SAMPLE}/{audience}.{lang}.pdf"
    pdf = output(project, audience, lang)

    anonymous = client.get(url)
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"] == "Bearer"
    assert pdf not in anonymous.content and b"%PDF" not in anonymous.content

    for other in {"minister", "partners", "public", "operator"} - {audience}:
        refused = client.get(url, headers=bearer(tokens[other]))
        assert refused.status_code == 403, other
        assert b"%PDF" not in refused.content

    for garbage in ("brf_not-a-token", tokens[audience] + "x", "", digest(tokens[audience])):
        response = client.get(url, headers=bearer(garbage))
        assert response.status_code == 401, garbage
    basic = client.get(url, headers={"Authorization": f"Basic {tokens[audience]}"})
    assert basic.status_code == 401

    allowed = client.get(url, headers=bearer(tokens[audience]))
    assert allowed.status_code == 200
    assert allowed.content == pdf
    sha256 = hashlib.sha256(pdf).hexdigest()  # the approved PDF, for the minister
    assert allowed.headers["etag"] == f'"{sha256}"'

    with open_tokens(load_project(project).folders) as store:
        (mine,) = [t for t in store.all() if t.role == audience]
        assert store.revoke(mine.id)
    revoked = client.get(url, headers=bearer(tokens[audience]))
    assert revoked.status_code == 401
    assert b"%PDF" not in revoked.content


def test_tokens_from_the_command_line(project: Path, client: TestClient) -> None:
    def briefs(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            briefs_command(project, "token", *args),
            capture_output=True,
            text=True,
            timeout=DEADLINE,
        )

    made = briefs("create", "partners", "--label", "Ontario working group")
    assert made.returncode == 0, made.stderr
    (token,) = made.stdout.split()
    assert token.startswith("brf_") and len(token) > 40
    assert token not in made.stderr and "not shown again" in made.stderr

    url = f"/dossiers/{SAMPLE}/partners.fr.pdf"
    assert client.get(url, headers=bearer(token)).content == output(project, "partners", "fr")
    minister = client.get(f"/dossiers/{SAMPLE}/minister.fr.pdf", headers=bearer(token))
    assert minister.status_code == 403

    listed = briefs("list")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.startswith("1\tpartners\tOntario working group\tcreated ")
    assert token not in listed.stdout + listed.stderr
    assert digest(token) not in listed.stdout

    # only the hash is stored: not in the database, nor its journal
    state = project / "output" / ".state"
    files = sorted(state.glob(f"{TOKENS_NAME}*"))
    assert files
    raw = b"".join(f.read_bytes() for f in files)
    assert token.encode() not in raw
    assert token.removeprefix("brf_").encode() not in raw
    assert digest(token).encode() in raw
    with closing(sqlite3.connect(state / TOKENS_NAME)) as db:
        assert [r[0] for r in db.execute("SELECT hash FROM tokens")] == [digest(token)]

    unknown = briefs("create", "press")
    assert unknown.returncode != 0
    assert "press" in unknown.stderr and not unknown.stdout

    revoked = briefs("revoke", "1")
    assert revoked.returncode == 0, revoked.stderr
    assert client.get(url, headers=bearer(token)).status_code == 401
    assert "revoked" in briefs("list").stdout
    again = briefs("revoke", "1")
    assert again.returncode != 0
    assert "no live token numbered 1" in again.stderr


# -- a stale brief is built first, once ----------------------------------------------


def test_a_stale_brief_is_built_first(
    project: Path, app: FastAPI, client: TestClient, edit: Edit
) -> None:
    """Built first, as a new draft: readers keep the approved edition (issue #13)."""
    first = last(project, "public", "en")
    content, sha256 = approved(project, "public", "en")
    edit(project / FIGURES, *EVERYONE)
    response = client.get(PUBLIC_EN)
    assert response.status_code == 200
    new = last(project, "public", "en")
    assert (new.number, new.trigger) == (first.number + 1, "http")
    assert response.headers["x-briefs-edition"] == str(first.number)
    assert response.headers["etag"] == f'"{sha256}"' != f'"{new.sha256}"'
    assert response.content == content != output(project, "public", "en")
    assert "DRAFT" not in "".join(p.extract_text() for p in PdfReader(BytesIO(content)).pages)
    assert app.state.shelf.renders == 1
    # only the brief asked for was built
    for audience in ("minister", "partners", "public"):
        for lang in ("en", "fr"):
            if (audience, lang) != ("public", "en"):
                assert last(project, audience, lang).number == 1

    again = client.get(PUBLIC_EN)
    assert again.headers["x-briefs-edition"] == str(first.number)
    assert again.content == content
    assert app.state.shelf.renders == 1

    # the page shows the released edition, not the draft's changes
    page = client.get("/")
    links = Links(page.text).links
    assert "edition 1" in links[PUBLIC_EN]
    assert "edition 1" in links[f"/dossiers/{SAMPLE}/public.fr.pdf"]
    changes = summary(load_project(project), list_editions(load_project(project)), "public", "en")
    assert changes
    for line in changes:
        assert line not in html.unescape(page.text)
    # the first edition is served as approved, from the archive; the draft is not
    past = client.get(f"/dossiers/{SAMPLE}/public.en/editions/1.pdf")
    assert past.content == content
    assert past.headers["etag"] == f'"{sha256}"'
    assert client.get(f"/dossiers/{SAMPLE}/public.en/editions/2.pdf").status_code == 401


def test_concurrent_requests_for_a_stale_brief_build_it_once(
    project: Path, app: FastAPI, edit: Edit, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The build waits until every request has asked for the brief's lock, so
    all of them are waiting at once; only one builds."""
    n = 6
    edit(project / FIGURES, *EVERYONE)
    asked, guard, all_waiting = 0, threading.Lock(), threading.Event()
    shelf = app.state.shelf
    real_lock, real_build = shelf._lock, shelf_module.build
    builds: list[tuple[Any, ...]] = []

    def lock(brief: str) -> threading.Lock:
        nonlocal asked
        with guard:
            asked += 1
            if asked >= n:  # the builder's, and every other request's
                all_waiting.set()
        return real_lock(brief)

    def build_when_all_wait(*args: Any, **kwargs: Any) -> Any:
        builds.append(args[1:])
        all_waiting.wait(DEADLINE)
        return real_build(*args, **kwargs)

    monkeypatch.setattr(shelf, "_lock", lock)
    monkeypatch.setattr(shelf_module, "build", build_when_all_wait)

    async def fetch() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as c:
            return list(await asyncio.gather(*(c.get(PUBLIC_EN) for _ in range(n))))

    responses = asyncio.run(fetch())
    assert all_waiting.is_set(), "the requests were not all waiting for the build"
    assert len(builds) == 1
    assert app.state.shelf.renders == 1
    numbers = [e.number for e in editions(project, "public", "en")]
    assert numbers == [1, 2]
    assert last(project, "public", "en").trigger == "http"
    pdf, _ = approved(project, "public", "en")  # a new draft: readers keep the approved one
    for response in responses:
        assert response.status_code == 200
        assert response.headers["x-briefs-edition"] == "1"
        assert response.content == pdf


def test_the_page_the_api_and_past_editions_answer_while_a_brief_is_built(
    project: Path,
    client: TestClient,
    edit: Edit,
    tokens: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A build holds the ledger's lock while it renders; what needs no build
    is answered meanwhile, not after it."""
    edit(project / FIGURES, *EVERYONE)
    asked = {
        "/": {},
        "/?lang=fr": {},
        "/api/dossiers": {},
        f"/api/dossiers/{SAMPLE}/editions": bearer(tokens["partners"]),
        f"/dossiers/{SAMPLE}/public.fr/editions/1.pdf": {},
        f"/dossiers/{SAMPLE}/minister.en/editions/1.pdf": bearer(tokens["minister"]),
        "/status": bearer(tokens["operator"]),
        "/healthz": {},
    }
    answers: dict[str, int] = {}
    answered = threading.Event()
    during: list[bool] = []

    def ask() -> None:
        for url, headers in asked.items():
            answers[url] = client.get(url, headers=headers).status_code
        answered.set()

    real = briefs.pipeline.render_all

    def render_all(*args: Any, **kwargs: Any) -> Any:
        threading.Thread(target=ask, daemon=True).start()
        answered.wait(DEADLINE / 3)  # the build holds the ledger's lock meanwhile
        during.append(answered.is_set())
        return real(*args, **kwargs)

    monkeypatch.setattr(briefs.pipeline, "render_all", render_all)
    response = client.get(PUBLIC_EN)
    assert response.headers["x-briefs-edition"] == "1"  # the approved one; 2 is a draft
    assert [e.number for e in editions(project, "public", "en")] == [1, 2]
    assert during == [True], "the other requests waited for the build"
    assert answers == dict.fromkeys(asked, 200)


# -- a build that fails: the last good edition ---------------------------------------


def test_a_broken_briefs_yaml_serves_the_last_editions_and_builds_nothing(
    project: Path,
    app: FastAPI,
    client: TestClient,
    edit: Edit,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An author's half-saved briefs.yaml: the server keeps serving what it has."""
    builds = counting_builds(monkeypatch)
    assert client.get("/").status_code == 200
    config = project / "briefs.yaml"
    good = config.read_text()
    config.write_text(good + "audiences: [\n")
    for _ in range(2):
        response = client.get(PUBLIC_EN)
        assert response.status_code == 200
        assert response.headers["x-briefs-edition"] == "1"
        assert response.content == output(project, "public", "en")
    assert "edition 1" in Links(client.get("/").text).links[PUBLIC_EN]
    assert client.get(f"/api/dossiers/{SAMPLE}/editions").status_code == 200
    assert client.get(f"/dossiers/{SAMPLE}/minister.en.pdf").status_code == 401
    assert builds == []
    (logged,) = web_errors(caplog)
    assert "briefs.yaml" in logged

    config.write_text(good)
    edit(project / FIGURES, *EVERYONE)
    assert client.get(PUBLIC_EN).headers["x-briefs-edition"] == "1"  # 2 is a draft
    assert [e.number for e in editions(project, "public", "en")] == [1, 2]
    assert len(builds) == 1 and app.state.shelf.renders == 1


def test_invalid_input_serves_the_last_good_edition_and_is_tried_again_once_changed(
    project: Path,
    app: FastAPI,
    client: TestClient,
    edit: Edit,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    builds = counting_builds(monkeypatch)
    good = last(project, "public", "en")
    figures = project / FIGURES
    edit(figures, "figures:\n", "figures:\n  - id: [unclosed\n")
    for _ in range(2):
        response = client.get(PUBLIC_EN)
        assert response.status_code == 200
        assert response.headers["x-briefs-edition"] == str(good.number)
        assert response.content == approved(project, "public", "en")[0]
    (logged,) = web_errors(caplog)
    assert "not rebuilt" in logged and "figures.yaml" in logged
    assert len(builds) == 1, "invalid input is not loaded again until it changes"
    assert app.state.shelf.renders == 0
    assert [e.number for e in editions(project, "public", "en")] == [1]

    edit(figures, "figures:\n  - id: [unclosed\n", "figures:\n")
    edit(figures, *EVERYONE)
    fixed = client.get(PUBLIC_EN)
    assert fixed.headers["x-briefs-edition"] == "1"  # the approved one; 2 is a draft
    assert [e.number for e in editions(project, "public", "en")] == [1, 2]
    assert len(builds) == 2
    assert app.state.shelf.renders == 1


def test_a_refused_build_serves_the_last_good_edition_and_is_not_rendered_again(
    project: Path,
    app: FastAPI,
    client: TestClient,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Over its page budget: refused, logged once, and not rendered for every
    request until its inputs change."""
    builds = counting_builds(monkeypatch)
    good = last(project, "public", "en")
    assert len(PdfReader(project / good.output).pages) > 1

    def one_page(config: dict[str, Any]) -> None:
        config["audiences"]["public"]["page_budget"] = 1

    set_config(project, one_page)
    for _ in range(3):
        response = client.get(PUBLIC_EN)
        assert response.status_code == 200
        assert response.headers["x-briefs-edition"] == str(good.number)
        assert response.content == approved(project, "public", "en")[0]
    (logged,) = web_errors(caplog)
    assert "refused" in logged and "page budget" in logged
    assert len(builds) == 1
    assert app.state.shelf.renders == 0
    assert [e.number for e in editions(project, "public", "en")] == [1]


# -- past editions -------------------------------------------------------------------


def test_past_editions_by_number(project: Path, client: TestClient, tokens: dict[str, str]) -> None:
    first = editions(project, "public", "en")[0]
    past = client.get(f"/dossiers/{SAMPLE}/public.en/editions/1.pdf")
    assert past.status_code == 200
    assert past.headers["content-type"] == "application/pdf"
    content, sha256 = approved(project, "public", "en")
    assert past.content == content != (project / first.archive).read_bytes()
    assert past.headers["etag"] == f'"{sha256}"'
    assert past.headers["x-briefs-edition"] == "1"
    cached = client.get(
        f"/dossiers/{SAMPLE}/public.en/editions/1.pdf",
        headers={"If-None-Match": past.headers["etag"]},
    )
    assert cached.status_code == 304 and cached.content == b""
    for number in ("2", "0", "999999999999999999999", "-1", "abc", "1.5", "1e0", "+1", "%2e%2e"):
        response = client.get(f"/dossiers/{SAMPLE}/public.en/editions/{number}.pdf")
        assert response.status_code == 404, number
        assert b"%PDF" not in response.content

    url = f"/dossiers/{SAMPLE}/partners.fr/editions/1.pdf"
    archived = (project / editions(project, "partners", "fr")[0].archive).read_bytes()
    assert client.get(url).status_code == 401
    assert client.get(url, headers=bearer(tokens["minister"])).status_code == 403
    assert client.get(url, headers=bearer(tokens["public"])).status_code == 403
    allowed = client.get(url, headers=bearer(tokens["partners"]))
    assert allowed.status_code == 200 and allowed.content == archived
    # an unknown number of a protected brief: the token is asked for first
    assert client.get(f"/dossiers/{SAMPLE}/partners.fr/editions/7.pdf").status_code == 401
    unknown = client.get(
        f"/dossiers/{SAMPLE}/partners.fr/editions/7.pdf", headers=bearer(tokens["partners"])
    )
    assert unknown.status_code == 404


# -- 404s, and nothing from outside ----------------------------------------------------

NOT_FOUND = [
    # unknown names
    "/dossiers/nope/public.en.pdf",
    "/dossiers/nope/minister.en.pdf",
    f"/dossiers/{SAMPLE}/press.en.pdf",
    f"/dossiers/{SAMPLE}/operator.en.pdf",
    f"/dossiers/{SAMPLE}/public.de.pdf",
    f"/dossiers/{SAMPLE}/public.EN.pdf",
    f"/dossiers/{SAMPLE}/public.pdf",
    f"/dossiers/{SAMPLE}/.en.pdf",
    f"/dossiers/{SAMPLE}/public.en.html",
    f"/dossiers/{SAMPLE}/public.en",
    f"/dossiers/{SAMPLE}/public.en.fr.pdf",
    f"/dossiers/{SAMPLE.upper()}/public.en.pdf",
    f"/dossiers/{SAMPLE}/public.de/editions/1.pdf",
    "/dossiers/nope/public.en/editions/1.pdf",
    "/dossiers/.state/public.en.pdf",
    "/preview/nope/public.en.html",
    f"/preview/{SAMPLE}/public.de.html",
    f"/preview/{SAMPLE}/press.en.html",
    f"/preview/{SAMPLE}/public.html",
    "/preview/assets/nope.css",
    "/preview/assets/",
    "/preview/assets/fonts",
    "/api/dossiers/nope/editions",
    "/nope",
    # traversal, plain and encoded
    "/dossiers/../../etc/public.en.pdf",
    "/dossiers/..%2F..%2Fetc/public.en.pdf",
    "/dossiers/%2e%2e/public.en.pdf",
    "/dossiers/..%2f..%2f..%2fetc%2fpasswd%23/public.en.pdf",
    "/dossiers/%2e%2e%2f%2e%2e/public.en.pdf",
    "/dossiers/%252e%252e/public.en.pdf",
    f"/dossiers/{SAMPLE}/..%2fpublic.en.pdf",
    f"/dossiers/{SAMPLE}/..%2f..%2fbriefs.yaml%00.pdf",
    f"/dossiers/{SAMPLE}/..%2F..%2F..%2F..%2Fetc%2Fpasswd.pdf",
    f"/dossiers/{SAMPLE}/public.en/editions/..%2F..%2F1.pdf",
    f"/dossiers/{SAMPLE}/..%2Fpublic.en/editions/1.pdf",
    "/preview/assets/../../briefs.yaml",
    "/preview/assets/..%2F..%2Fbriefs.yaml",
    "/preview/assets/%2e%2e/%2e%2e/briefs.yaml",
    "/preview/assets/%2e%2e%2f%2e%2e%2fbriefs.yaml",
    "/preview/assets/..%5c..%5cbriefs.yaml",
    "/preview/assets/../../../../../../../../etc/passwd",
    "/preview/assets//etc/passwd",
    "/preview/assets/%2Fetc%2Fpasswd",
    "/preview/assets/fonts/../../../briefs.yaml",
    "/preview/assets/../../output/.state/tokens.sqlite3",
    f"/preview/assets/../../data/{SAMPLE}/analysis.yaml",
    "/preview/..%2F..%2Fbriefs.yaml/public.en.html",
    "/preview/%2e%2e/public.en.html",
    "/api/dossiers/..%2F..%2Fetc/editions",
    "/api/dossiers/%2e%2e/editions",
]


def secrets_of(project: Path) -> list[bytes]:
    """What must never be in a response: the configuration, the data, the
    tokens' database, and the system's password file."""
    found = [
        (project / "briefs.yaml").read_bytes(),
        b"page_budget",
        PROTECTED_B_TEXT.encode(),
        b"SQLite format 3",
        b"%PDF",
    ]
    passwd = Path("/etc/passwd")
    if passwd.is_file():
        found.append(passwd.read_bytes().splitlines()[0])
    return found


@pytest.mark.parametrize("target", NOT_FOUND)
def test_unknown_names_and_traversal_are_404(project: Path, app: FastAPI, target: str) -> None:
    status, body = raw_get(app, target)
    assert status == 404, body
    for secret in secrets_of(project):
        assert secret not in body


def test_an_asset_linked_out_of_the_assets_folder_is_not_served(
    project: Path, app: FastAPI, client: TestClient
) -> None:
    templates = copy_templates(project)
    set_config(project, lambda config: config.update(templates="templates"))
    (templates / "assets" / "leak.css").symlink_to(project / "briefs.yaml")
    (templates / "assets" / "up").symlink_to(project, target_is_directory=True)
    for target in ("/preview/assets/leak.css", "/preview/assets/up/briefs.yaml"):
        status, body = raw_get(app, target)
        assert status == 404
        for secret in secrets_of(project):
            assert secret not in body
    assert client.get("/preview/assets/brief.css").status_code == 200


# -- the JSON API --------------------------------------------------------------------


def test_api_dossiers(project: Path, client: TestClient) -> None:
    response = client.get("/api/dossiers")
    assert response.status_code == 200
    (dossier,) = response.json()
    assert dossier["dossier"] == SAMPLE
    briefs = {(b["audience"], b["lang"]): b for b in dossier["briefs"]}
    assert set(briefs) == {
        (a, lang) for a in ("minister", "partners", "public") for lang in ("en", "fr")
    }
    for (audience, lang), brief in briefs.items():
        assert brief["url"] == f"/dossiers/{SAMPLE}/{audience}.{lang}.pdf"
        assert brief["token_required"] is (audience != "public")
        assert isinstance(brief["title"], str) and brief["title"]
        if audience == "public":
            edition = last(project, audience, lang)
            current = brief["current"]
            assert current["number"] == edition.number == 1
            assert current["sha256"] == approved(project, audience, lang)[1]
            assert current["approved_by"] == APPROVER
            assert current["built_at"] == edition.built_at
            assert current["date"] == edition.edition_date
            assert current["url"] == f"/dossiers/{SAMPLE}/public.{lang}/editions/1.pdf"
            assert brief["changes"] == []
        else:
            assert "current" not in brief and "changes" not in brief
    assert briefs[("public", "fr")]["title"] == "Document d’information"


def test_api_editions_per_token(project: Path, client: TestClient, tokens: dict[str, str]) -> None:
    url = f"/api/dossiers/{SAMPLE}/editions"

    def seen(headers: dict[str, str] | None = None) -> set[tuple[str, str, int]]:
        response = client.get(url, headers=headers or {})
        assert response.status_code == 200
        rows = response.json()
        for row in rows:
            edition = editions(project, row["audience"], row["lang"])[row["number"] - 1]
            if row["audience"] == "partners":
                assert row["sha256"] == edition.sha256
            else:  # approved: its approved PDF
                assert row["sha256"] == approved(project, row["audience"], row["lang"])[1]
                assert row["approved_by"] == APPROVER and row["draft"] is False
            assert row["trigger"] == "cli"
            assert row["url"] == (
                f"/dossiers/{SAMPLE}/{row['audience']}.{row['lang']}/editions/{row['number']}.pdf"
            )
        return {(r["audience"], r["lang"], r["number"]) for r in rows}

    public = {("public", "en", 1), ("public", "fr", 1)}
    assert seen() == public
    assert seen(bearer("brf_garbage")) == public
    assert seen(bearer(tokens["operator"])) == public
    assert seen(bearer(tokens["partners"])) == public | {
        ("partners", "en", 1),
        ("partners", "fr", 1),
    }
    assert seen(bearer(tokens["minister"])) == public | {
        ("minister", "en", 1),
        ("minister", "fr", 1),
    }
    assert client.get("/api/dossiers/nope/editions").status_code == 404


def test_openapi_lists_the_routes(client: TestClient) -> None:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    paths = set(response.json()["paths"])
    assert {
        "/dossiers/{dossier}/{brief}.pdf",
        "/dossiers/{dossier}/{brief}/editions/{number}.pdf",
        "/preview/{dossier}/{brief}.html",
        "/api/dossiers",
        "/api/dossiers/{dossier}/editions",
        "/status",
    } <= paths
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    assert docs.headers["content-type"].startswith("text/html")
    assert "/api/openapi.json" in docs.text


# -- the author's preview ------------------------------------------------------------


def test_preview_shows_a_template_edit_on_reload_without_an_edition(
    project: Path, client: TestClient, edit: Edit, tokens: dict[str, str]
) -> None:
    templates = copy_templates(project)
    set_config(project, lambda config: config.update(templates="templates"))
    before, ledger = tree_state(project / "output"), list_editions(load_project(project))
    url = f"/preview/{SAMPLE}/public.en.html"
    author = bearer(tokens["public:author"])
    # what renders now is a draft of an audience needing approval: for its authors
    assert client.get(url).status_code == 401
    assert client.get(url, headers=bearer(tokens["public"])).status_code == 403

    first = client.get(url, headers=author)
    assert first.status_code == 200
    assert first.headers["content-type"].startswith("text/html")
    assert '<base href="/preview/">' in first.text
    assert '<link rel="stylesheet" href="assets/brief.css">' in first.text
    assert "Reloaded after an edit" not in first.text
    assert PROTECTED_B_TEXT not in first.text
    css = client.get("/preview/assets/brief.css")
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    assert css.content == (templates / "assets" / "brief.css").read_bytes()

    edit(
        templates / "public.html.j2",
        "<h1>{{ brief.title }}</h1>",
        "<h1>{{ brief.title }}</h1>\n<p>Reloaded after an edit</p>",
    )
    edit(templates / "assets" / "brief.css", "/* briefs:", "/* edited in a test */\n/* briefs:")
    again = client.get(url, headers=author)
    assert again.status_code == 200
    assert "Reloaded after an edit" in again.text
    assert "/* edited in a test */" in client.get("/preview/assets/brief.css").text
    french = client.get(f"/preview/{SAMPLE}/public.fr.html", headers=author)
    assert "Reloaded after an edit" in french.text and '<html lang="fr-CA"' in french.text

    assert tree_state(project / "output") == before
    assert list_editions(load_project(project)) == ledger


def test_a_protected_preview_needs_its_token(client: TestClient, tokens: dict[str, str]) -> None:
    url = f"/preview/{SAMPLE}/minister.en.html"
    anonymous = client.get(url)
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"] == "Bearer"
    assert PROTECTED_B_TEXT not in anonymous.text
    for other in ("partners", "public", "operator", "public:author", "minister"):
        refused = client.get(url, headers=bearer(tokens[other]))
        assert refused.status_code == 403
        assert PROTECTED_B_TEXT not in refused.text
    assert client.get(url, headers=bearer("brf_garbage")).status_code == 401
    allowed = client.get(url, headers=bearer(tokens["minister:author"]))
    assert allowed.status_code == 200
    assert " ".join(PROTECTED_B_TEXT.split()) in " ".join(allowed.text.split())
    partners = client.get(f"/preview/{SAMPLE}/partners.fr.html", headers=bearer(tokens["partners"]))
    assert partners.status_code == 200
    assert "EXEMPLE — La ministre devrait-elle" not in partners.text


def test_a_preview_of_invalid_input_says_where_without_quoting_protected_data(
    project: Path, client: TestClient, edit: Edit, tokens: dict[str, str]
) -> None:
    """An open preview is anyone's: the problem is located, but a Protected B
    item's words, which the message quotes, are not shown."""
    for old, new in TEXT_WITHOUT_LANGUAGES:
        edit(project / ANALYSIS, old, new)
    for url, headers in (
        (f"/preview/{SAMPLE}/public.en.html", bearer(tokens["public:author"])),
        (f"/preview/{SAMPLE}/partners.en.html", bearer(tokens["partners"])),
    ):
        response = client.get(url, headers=headers)
        assert response.status_code == 422
        assert "analysis.yaml:10" in response.text
        assert "analysis[0].text" in response.text
        assert "Whether the Minister" not in response.text
        assert "SAMPLE" not in response.text
    # the PDF is still the last good one
    assert client.get(PUBLIC_EN).headers["x-briefs-edition"] == "1"


def test_a_preview_the_leak_guard_refuses_does_not_quote_the_leak(
    project: Path,
    client: TestClient,
    edit: Edit,
    caplog: pytest.LogCaptureFixture,
    tokens: dict[str, str],
) -> None:
    """A public template that prints a Protected B item's words: the guard
    refuses the page, and the refusal does not repeat them to the public."""
    templates = copy_templates(project)
    set_config(project, lambda config: config.update(templates="templates"))
    edit(templates / "public.html.j2", "<h1>{{ brief.title }}</h1>", f"<p>{LEAKED}</p>")
    response = client.get(
        f"/preview/{SAMPLE}/public.en.html", headers=bearer(tokens["public:author"])
    )
    assert response.status_code == 422
    assert "may not see" in response.text
    assert "public.html.j2" in response.text
    for words in ("whether the minister", "prompt passage", "an-issue", "an-recommendation"):
        assert words not in response.text.casefold()
    assert any("prompt passage" in r.getMessage() for r in caplog.records), "logged in full"


# -- /status -------------------------------------------------------------------------


def test_status_needs_an_operator_token(client: TestClient, tokens: dict[str, str]) -> None:
    anonymous = client.get("/status")
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"] == "Bearer"
    assert client.get("/status", headers=bearer("brf_garbage")).status_code == 401
    for audience in ("minister", "partners", "public"):
        assert client.get("/status", headers=bearer(tokens[audience])).status_code == 403
    response = client.get("/status", headers=bearer(tokens["operator"]))
    assert response.status_code == 200
    report = response.json()
    assert set(report) == {"briefs_run", "jobs", "failing", "outbox"}
    assert report["briefs_run"] == {"running": False, "pid": None}
    assert report["jobs"] == [] and report["failing"] == []
    assert set(report["outbox"]) == {"counts", "failed"}
    assert report["outbox"]["failed"] == []


# -- approval before release (issue #13) ----------------------------------------------

MARK = "DRAFT / ÉBAUCHE"


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)


def kinds(root: Path) -> dict[str, str]:
    """A token of each kind (issue #13), made through the library: a public
    reader, author and approver (named), a nameless public approver, a
    minister approver, and a public approver whose label briefs.yaml's
    ``approvers:`` does not list."""
    made = [
        ("reader", "public", ""),
        ("author", "public:author", "Sample Author (sample)"),
        ("approver", "public:approver", APPROVER),
        ("nameless", "public:approver", ""),
        ("minister", "minister:approver", APPROVER),
        ("unlisted", "public:approver", "Sample Unlisted Person (sample)"),
    ]
    with open_tokens(load_project(root).folders) as store:
        return {name: store.create(role, label) for name, role, label in made}


def test_a_reader_gets_the_approved_edition(
    project: Path, client: TestClient, tokens: dict[str, str]
) -> None:
    for lang in ("en", "fr"):
        content, sha256 = approved(project, "public", lang)
        response = client.get(f"/dossiers/{SAMPLE}/public.{lang}.pdf")
        assert response.status_code == 200
        assert response.content == content
        assert response.headers["etag"] == f'"{sha256}"'
        assert response.headers["cache-control"] == "no-cache"
        assert "DRAFT" not in text_of(content) and "ÉBAUCHE" not in text_of(content)
        draft = text_of((project / last(project, "public", lang).archive).read_bytes())
        assert "DRAFT" in draft and "ÉBAUCHE" in draft
    minister = client.get(f"/dossiers/{SAMPLE}/minister.en.pdf", headers=bearer(tokens["minister"]))
    assert minister.content == approved(project, "minister", "en")[0]
    title = "Assistant Deputy Minister, Policy Sector (sample)"
    assert f"APPROVED BY {APPROVER} {title}" in " ".join(text_of(minister.content).split())
    assert MARK not in text_of(minister.content)
    page = client.get("/")
    assert f"approved by {APPROVER}" in html.unescape(page.text)


def test_before_any_approval_a_reader_gets_no_draft(drafted: Path) -> None:
    keys = kinds(drafted)
    with open_tokens(load_project(drafted).folders) as store:
        minister_reader = store.create("minister")
    with TestClient(create_app(drafted)) as client:
        for url, headers in [
            (PUBLIC_EN, {}),
            (PUBLIC_EN, bearer(keys["reader"])),
            (f"/dossiers/{SAMPLE}/minister.en.pdf", bearer(minister_reader)),
        ]:
            response = client.get(url, headers=headers)
            assert response.status_code == 404, url
            assert "not yet approved" in response.json()["detail"]
            assert b"%PDF" not in response.content
        # partners need no approval: released as built
        with open_tokens(load_project(drafted).folders) as store:
            partner = store.create("partners")
        partners = client.get(f"/dossiers/{SAMPLE}/partners.en.pdf", headers=bearer(partner))
        assert partners.status_code == 200 and MARK not in text_of(partners.content)
        page = html.unescape(client.get("/").text)
        assert "Not yet approved" in page
        anonymous = client.get(f"/api/dossiers/{SAMPLE}/editions").json()
        assert [row for row in anonymous if row["audience"] == "public"] == []
        by_author = client.get(f"/api/dossiers/{SAMPLE}/editions", headers=bearer(keys["author"]))
        public = [row for row in by_author.json() if row["audience"] == "public"]
        assert {row["draft"] for row in public} == {True} and len(public) == 2


@pytest.mark.parametrize(
    "route", [f"/drafts/{SAMPLE}/public.en.pdf", f"/dossiers/{SAMPLE}/public.en/editions/1.pdf"]
)
def test_a_draft_needs_an_author_or_approver_token(drafted: Path, route: str) -> None:
    keys = kinds(drafted)
    draft = (drafted / last(drafted, "public", "en").archive).read_bytes()
    with TestClient(create_app(drafted)) as client:
        assert client.get(route).status_code == 401
        assert client.get(route, headers=bearer(keys["reader"])).status_code == 403
        assert client.get(route, headers=bearer(keys["minister"])).status_code == 403
        for kind in ("author", "approver"):
            response = client.get(route, headers=bearer(keys[kind]))
            assert response.status_code == 200, kind
            assert response.content == draft
            assert MARK in text_of(response.content)
            assert response.headers["cache-control"] == "private, no-store"


def test_approving_from_the_api(drafted: Path, edit: Edit) -> None:
    keys = kinds(drafted)
    url = f"/api/dossiers/{SAMPLE}/public/approve"
    with TestClient(create_app(drafted)) as client:
        waiting = client.get("/api/approvals", headers=bearer(keys["approver"]))
        assert waiting.status_code == 200
        assert {(w["lang"], w["number"]) for w in waiting.json()} == {("en", 1), ("fr", 1)}
        assert waiting.json()[0]["draft_url"].startswith("/drafts/")
        assert {w["can_approve"] for w in waiting.json()} == {True}
        by_author = client.get("/api/approvals", headers=bearer(keys["author"])).json()
        assert {w["can_approve"] for w in by_author} == {False}
        unlisted = client.get("/api/approvals", headers=bearer(keys["unlisted"])).json()
        assert {w["can_approve"] for w in unlisted} == {False}
        assert client.get("/api/approvals", headers=bearer(keys["reader"])).status_code == 403
        assert client.get("/api/approvals").status_code == 401

        body = {"edition": 1, "lang": "en"}
        assert client.post(url, json=body).status_code == 401
        for refused in ("reader", "author", "minister", "nameless", "unlisted"):
            response = client.post(url, json=body, headers=bearer(keys[refused]))
            assert response.status_code == 403, refused
        # briefs.yaml lists who may approve: a token's label is not enough.
        unlisted = client.post(url, json=body, headers=bearer(keys["unlisted"])).json()
        assert unlisted["detail"] == (
            f"not approved: expected an approver of public listed in briefs.yaml "
            f"`approvers:` ({APPROVER}), found 'Sample Unlisted Person (sample)', not listed"
        )
        forged = client.post(
            url, json={**body, "approved_by": "Mallory"}, headers=bearer(keys["approver"])
        )
        assert forged.status_code == 422
        assert client.get(PUBLIC_EN).status_code == 404  # nothing was approved

        response = client.post(url, json=body, headers=bearer(keys["approver"]))
        assert response.status_code == 200, response.text
        (done,) = response.json()["approved"]
        assert (done["lang"], done["number"], done["approved_by"]) == ("en", 1, APPROVER)
        released = client.get(PUBLIC_EN)
        assert released.status_code == 200
        assert released.content == approved(drafted, "public", "en")[0]
        assert MARK not in text_of(released.content)
        assert client.get(f"/dossiers/{SAMPLE}/public.fr.pdf").status_code == 404
        left = client.get("/api/approvals", headers=bearer(keys["approver"])).json()
        assert [(w["lang"], w["number"]) for w in left] == [("fr", 1)]

        wrong = client.post(
            url, json={"edition": 2, "lang": "fr"}, headers=bearer(keys["approver"])
        )
        assert wrong.status_code == 409
        assert "only the current edition can be approved" in wrong.json()["detail"]
        # the French edition goes stale: its inputs changed since it was built
        edit(drafted / FIGURES, *EVERYONE)
        stale = client.post(
            url, json={"edition": 1, "lang": "fr"}, headers=bearer(keys["approver"])
        )
        assert stale.status_code == 409
        assert "inputs changed since" in stale.json()["detail"]
        assert client.get(f"/dossiers/{SAMPLE}/public.fr.pdf").status_code == 404


def test_approver_tokens_from_the_command_line(project: Path) -> None:
    runner = CliRunner()
    root = ["-C", str(project), "token", "create", "public"]
    nameless = runner.invoke(main, [*root, "--role", "approver"])
    assert nameless.exit_code != 0 and "--label" in nameless.output
    unlisted = runner.invoke(main, [*root, "--role", "approver", "--label", "Mallory"])
    assert unlisted.exit_code != 0
    said = " ".join(unlisted.output.split())
    assert f"expected an approver of public listed in briefs.yaml `approvers:` ({APPROVER})" in said
    assert "found 'Mallory', not listed" in said
    made = runner.invoke(main, [*root, "--role", "approver", "--label", APPROVER])
    assert made.exit_code == 0, made.output
    with open_tokens(load_project(project).folders) as store:
        (approver,) = [t for t in store.all() if t.label == APPROVER]
    assert approver.role == "public:approver"
