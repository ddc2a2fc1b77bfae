"""Emailing the briefs, end to end: a real SMTP server, the real ``briefs send``.

Each test starts an aiosmtpd server on 127.0.0.1 (tests/smtp.py) and runs
``briefs send`` as a subprocess with ``BRIEFS_SMTP_*`` pointing at it. The
sample project is built once per session and copied, built, for each test.
Retries use a 50 ms first backoff; no assertion is about how long anything
took, and every subprocess has a deadline.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import ssl
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
import trustme
import yaml
from pypdf import PdfReader

from briefs import approve, build, list_editions, load_project
from briefs.editions.approvals import Released, released
from briefs.editions.ledger import Edition, read_ledger
from briefs.mail.letter import build_message, message_id
from briefs.mail.outbox import Message, open_outbox
from conftest import REPO, SAMPLE, write_project
from smtp import DROP, DROP_AFTER, HANG, Received, Running, smtp_server

DEADLINE = 120
MAIL = {"backoff": 0.05, "retries": 3, "timeout": 5}
"""briefs.yaml's ``mail:`` for the tests: quick retries, a short timeout."""
OWNER = "briefs-operator.sample@justice.gc.ca"
SENDER = "briefs.sample@justice.gc.ca"
MINISTER_OFFICE = [
    "chief-of-staff.sample@justice.gc.ca",
    "dm-office.sample@justice.gc.ca",
    "parliamentary-affairs.sample@justice.gc.ca",
]
"""Who jobs/minister-weekly.yaml sends to: its list minister-office and one address."""
ADM = "Sample Assistant Deputy Minister (sample)"
"""Who approves the minister note (it needs approval: only approved editions are mailed)."""
FIGURES = Path("data", SAMPLE, "figures.yaml")
ANALYSIS = Path("data", SAMPLE, "analysis.yaml")


# -- projects ----------------------------------------------------------------------


def configure(root: Path, **mail: object) -> None:
    """Set ``mail:`` settings in the project's briefs.yaml."""
    config = root / "briefs.yaml"
    settings = yaml.safe_load(config.read_text(encoding="utf-8"))
    settings["mail"] = {**settings.get("mail", {}), **mail}
    config.write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")


@pytest.fixture(scope="session")
def unapproved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample project with its jobs and quick mail settings, built once:
    the minister note and the public backgrounder are drafts."""
    root = write_project(tmp_path_factory.mktemp("mail") / "project")
    shutil.copytree(REPO / "jobs", root / "jobs")
    configure(root, **MAIL)
    build(load_project(root))
    return root


@pytest.fixture(scope="session")
def mail_built(unapproved: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same, with the minister note's edition approved: what the
    minister-weekly job mails (docs/approval.md)."""
    root = tmp_path_factory.mktemp("approved") / "project"
    shutil.copytree(unapproved, root)
    approve(load_project(root), SAMPLE, "minister", None, ADM)
    return root


@pytest.fixture
def project(mail_built: Path, tmp_path: Path) -> Path:
    """A private copy of the built project (output/.state included)."""
    root = tmp_path / "project"
    shutil.copytree(mail_built, root)
    return root


@pytest.fixture(scope="session")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="session")
def cafile(ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


@pytest.fixture
def tls_server(ca: trustme.CA) -> Iterator[Running]:
    """A server that requires STARTTLS (a certificate from the test CA) and AUTH."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    with smtp_server(tls=context, user="briefs", password="right horse battery") as server:
        yield server


@pytest.fixture
def server() -> Iterator[Running]:
    """A plain SMTP server (no TLS, no AUTH)."""
    with smtp_server() as running:
        yield running


def write_job(root: Path, name: str, text: str) -> Path:
    path = root / "jobs" / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# -- running briefs ------------------------------------------------------------------


def briefs(
    root: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``briefs -C root ARGS`` in a subprocess, with only the BRIEFS_SMTP_* given."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFS_SMTP_")}
    environ["PYTHONPATH"] = os.pathsep.join(
        [str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])]
    )
    environ.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "briefs", "-C", str(root), *args],
        env=environ,
        capture_output=True,
        text=True,
        timeout=DEADLINE,
    )


def outbox(root: Path) -> list[Message]:
    """The outbox's rows, oldest first."""
    with open_outbox(load_project(root).folders) as box:
        return sorted(box.messages(limit=10**6), key=lambda m: m.id)


def current(root: Path) -> dict[str, Edition]:
    """The newest edition of each brief, by brief name."""
    newest: dict[str, Edition] = {}
    for e in list_editions(load_project(root)):
        if e.brief not in newest or e.number > newest[e.brief].number:
            newest[e.brief] = e
    return newest


def release(root: Path, brief: str) -> Released:
    """What mail releases of a brief (``human-trafficking/minister.en``)."""
    dossier, _, name = brief.partition("/")
    audience, lang = name.split(".")
    with read_ledger(load_project(root).folders) as ledger:
        assert ledger is not None
        found = released(ledger, dossier, audience, lang, audience != "partners")
    assert found is not None, f"{brief}: nothing released"
    return found


def attachments(message: EmailMessage) -> dict[str, bytes]:
    found = {}
    for part in message.iter_attachments():
        assert isinstance(part, EmailMessage)
        found[str(part.get_filename())] = part.get_content()
    return found


def body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def briefs_to(received: list[Received]) -> Counter[str]:
    """How many messages carrying briefs (not notices) each recipient was sent."""
    return Counter(r for m in received if carries_pdfs(m.message) for r in m.rcpt_tos)


def carries_pdfs(message: EmailMessage) -> bool:
    return any(True for _ in message.iter_attachments())


def notices(received: list[Received]) -> list[EmailMessage]:
    return [m.message for m in received if not carries_pdfs(m.message)]


# -- plain SMTP ---------------------------------------------------------------------


def test_send_delivers_each_recipient_both_pdfs_once(project: Path, server: Running) -> None:
    first = briefs(project, "send", "minister-weekly", env=server.env())
    assert first.returncode == 0, first.stderr

    received = server.messages
    assert sorted(r for m in received for r in m.rcpt_tos) == MINISTER_OFFICE
    assert {m.mail_from for m in received} == {SENDER}
    editions = current(project)
    rows = {m.recipient: m for m in outbox(project)}
    audiences = load_project(project).settings.audiences
    budgets = {name: audience.page_budget for name, audience in audiences.items()}
    for got in received:
        assert got.data.isascii(), "the message on the wire is 7-bit: encoded headers, QP, base64"
        message = got.message
        (to,) = got.rcpt_tos
        assert message["To"] == to
        subject = str(message["Subject"])
        assert "PROTECTED B" in subject and "Briefing note for the Minister" in subject
        assert "PROTÉGÉ B" in subject and "Note d’information" in subject
        assert "PROTECTED B" in body(message) and "PROTÉGÉ B" in body(message)

        files = attachments(message)
        assert len(files) == 2
        for lang in ("en", "fr"):
            edition = editions[f"{SAMPLE}/minister.{lang}"]
            name = f"{SAMPLE}_minister_{lang}_{edition.edition_date}.pdf"
            pdf = files[name]
            assert hashlib.sha256(pdf).hexdigest() == release(project, edition.brief).sha256
            assert pdf == (project / "output" / SAMPLE / f"minister.{lang}.pdf").read_bytes()
            reader = PdfReader(io.BytesIO(pdf))
            assert reader.pages and all(p.extract_text().strip() for p in reader.pages)

        # The Message-ID is the outbox row's, made from its key alone: the same
        # message sent again is built again, byte for byte, Message-ID included.
        row = rows[to]
        assert message["Message-ID"] == row.message_id == message_id(row.key, SENDER)
        again = build_message(row, project, SENDER, budgets)
        assert again.as_bytes() == got.data
    assert len({m.message["Message-ID"] for m in received}) == 3
    assert all(m.state == "sent" and m.attempts == 1 for m in rows.values())
    assert server.connections >= 1

    connections = server.connections
    second = briefs(project, "send", "minister-weekly", env=server.env())
    assert second.returncode == 0, second.stderr
    assert second.stdout.count("unchanged, not sent again") == 3
    assert len(server.messages) == 3
    assert server.connections == connections, "nothing to send: no connection either"


# -- STARTTLS and AUTH ------------------------------------------------------------------


def test_starttls_with_auth_delivers(project: Path, tls_server: Running, cafile: Path) -> None:
    env = tls_server.env(
        "starttls", user="briefs", password="right horse battery", cafile=str(cafile)
    )
    result = briefs(project, "send", "minister-weekly", env=env)
    assert result.returncode == 0, result.stderr
    assert briefs_to(tls_server.messages) == Counter(MINISTER_OFFICE)
    assert all(m.tls for m in tls_server.messages)
    assert tls_server.recorder.logins and all(good for _, good in tls_server.recorder.logins)


WRONG = "Tr0ub4dor&3-wrong"


def test_wrong_password_fails_clearly(project: Path, tls_server: Running, cafile: Path) -> None:
    env = tls_server.env("starttls", user="briefs", password=WRONG, cafile=str(cafile))
    result = briefs(project, "send", "minister-weekly", env=env)
    assert result.returncode == 1
    assert "the server refused the user name or password" in result.stderr
    assert "535" in result.stderr
    assert WRONG not in result.stderr + result.stdout, "the password is never shown"
    assert tls_server.messages == []
    assert ("briefs", False) in tls_server.recorder.logins
    rows = outbox(project)
    assert {m.recipient for m in rows if m.kind == "briefs"} == set(MINISTER_OFFICE)
    assert all(m.state == "failed" for m in rows)
    assert all("user name or password" in m.error and WRONG not in m.error for m in rows)


def test_an_unverified_certificate_is_refused(project: Path, tls_server: Running) -> None:
    env = tls_server.env("starttls", user="briefs", password="right horse battery")
    result = briefs(project, "send", "minister-weekly", env=env)
    assert result.returncode == 1
    assert "certificate could not be verified" in result.stderr
    assert tls_server.connections >= 1, "briefs did reach the server"
    assert tls_server.messages == []
    assert tls_server.recorder.logins == [], "no password goes to an unverified server"
    assert all(m.state == "failed" for m in outbox(project))


# -- temporary failures -------------------------------------------------------------


@pytest.mark.parametrize(
    ("stage", "replies"),
    [
        ("MAIL", ["451 4.3.0 greylisted, try again later"] * 2),
        ("MAIL", ["421 4.3.2 shutting down"]),
        ("DATA", ["451 4.3.0 local problem, try again later"] * 2),
        ("DATA", ["421 4.3.2 shutting down"]),
        ("DATA", ["451 4.3.0 try again later"] * 3),
    ],
    ids=["451-at-mail", "421-at-mail", "451-at-data", "421-at-data", "451-three-times"],
)
def test_temporary_refusals_are_retried_and_delivered_once(
    project: Path, server: Running, stage: str, replies: list[str]
) -> None:
    server.plan(stage, *replies)
    result = briefs(project, "send", "minister-weekly", env=server.env())
    assert result.returncode == 0, result.stderr
    assert "trying again" in result.stderr
    assert briefs_to(server.messages) == Counter(MINISTER_OFFICE)
    assert len(server.messages) == 3, "no notice: nothing failed"
    assert server.recorder.mail_froms == 3 + len(replies), "each try began anew"
    assert not server.recorder.plans[stage], "every planned refusal was met"
    rows = outbox(project)
    assert all(m.state == "sent" for m in rows)
    assert sum(m.attempts for m in rows) == 3 + len(replies)


@pytest.mark.parametrize(
    ("drop", "said"),
    [
        (DROP, "the server closed the connection"),
        (DROP_AFTER, "the server closed the connection"),
        (HANG, "the server did not answer in time"),
    ],
    ids=["mid-data", "before-the-reply", "no-reply"],
)
def test_a_dropped_connection_during_data_is_retried(
    project: Path, server: Running, drop: str, said: str
) -> None:
    configure(project, timeout=1)  # for the no-reply case: a second without an answer
    server.plan("DATA", drop)
    result = briefs(project, "send", "minister-weekly", env=server.env())
    assert result.returncode == 0, result.stderr
    assert said in result.stderr
    assert briefs_to(server.messages) == Counter(MINISTER_OFFICE)
    assert len(server.messages) == 3
    assert server.connections >= 2, "a new connection after the drop"
    rows = outbox(project)
    assert all(m.state == "sent" for m in rows)
    assert sorted(m.attempts for m in rows) == [1, 1, 2]
    if drop in (DROP_AFTER, HANG):
        # The server had the whole message when it hung up: the copy sent again
        # is the same bytes, so the same Message-ID tells the two apart as one.
        (copy,) = server.recorder.dropped
        again = [m.data for m in server.messages if m.data == copy]
        assert len(again) == 1
        assert Received("", [], copy).message["Message-ID"]


# -- permanent failures -------------------------------------------------------------


def test_a_refused_recipient_fails_and_the_owner_is_told_once(
    project: Path, server: Running
) -> None:
    refused = MINISTER_OFFICE[1]
    server.refuse(refused, "550 5.1.1 mailbox unavailable")
    result = briefs(project, "send", "minister-weekly", env=server.env())
    assert result.returncode == 1
    assert f"failed: {refused}" in result.stderr
    assert "550 5.1.1 mailbox unavailable" in result.stderr

    assert briefs_to(server.messages) == Counter(a for a in MINISTER_OFFICE if a != refused)
    (notice,) = notices(server.messages)
    assert notice["To"] == OWNER
    assert refused in str(notice["Subject"]) + body(notice)
    assert "550" in body(notice)

    rows = {m.recipient: m for m in outbox(project) if m.kind == "briefs"}
    assert rows[refused].state == "failed" and rows[refused].attempts == 1, "5xx: not retried"
    listing = briefs(project, "outbox")
    assert listing.returncode == 0, listing.stderr
    (line,) = [row for row in listing.stdout.splitlines() if refused in row]
    assert "failed" in line and "550" in line

    again = briefs(project, "send", "minister-weekly", env=server.env())
    assert len(server.messages) == 3, again.stdout + again.stderr
    assert len(notices(server.messages)) == 1, "the owner is not told twice"
    assert f"failed before, not sent again: {refused}" in again.stderr
    assert f"unchanged, not sent again: {refused}" not in again.stdout
    assert again.returncode == 1, "a recipient still lacks their briefs"
    status = briefs(project, "status")
    assert status.returncode == 1
    assert f"to {refused} (job minister-weekly)" in status.stdout and "550" in status.stdout
    assert "outbox: 1 failed, 3 sent" in status.stdout


def test_a_refusal_that_stays_temporary_fails_after_the_retries(
    project: Path, server: Running
) -> None:
    busy = MINISTER_OFFICE[0]
    server.refuse(busy, "451 4.2.1 mailbox busy, try again later")
    result = briefs(project, "send", "minister-weekly", env=server.env())
    assert result.returncode == 1
    assert f"failed: {busy}" in result.stderr
    assert briefs_to(server.messages) == Counter(a for a in MINISTER_OFFICE if a != busy)
    (notice,) = notices(server.messages)
    assert notice["To"] == OWNER and "451 4.2.1" in body(notice)
    (row,) = [m for m in outbox(project) if m.recipient == busy]
    assert row.state == "failed"
    assert row.attempts == 1 + MAIL["retries"], "tried once, then retried as many times as set"


# -- refusals before any connection ---------------------------------------------------

LEAKY = """\
description: Minister's note, with one address outside gc.ca
build:
  audiences: [minister]
triggers:
  cron: "0 7 * * mon"
deliver:
  owner: briefs-operator.sample@justice.gc.ca
  to:
    minister:
      - parliamentary-affairs.sample@justice.gc.ca
      - someone@example.com
"""


def test_an_address_outside_the_allowed_domains_stops_everything(
    project: Path, server: Running
) -> None:
    write_job(project, "leaky", LEAKY)
    checked = briefs(project, "check")
    assert checked.returncode == 1
    problem = "jobs/leaky.yaml:11: deliver.to.minister.1: someone@example.com"
    assert problem in checked.stderr
    assert "expected an address at gc.ca" in checked.stderr

    edit(project / FIGURES, "value: 44\n", "value: 45\n")  # the note is out of date
    before = list_editions(load_project(project))
    sent = briefs(project, "send", "leaky", env=server.env())
    assert sent.returncode == 1
    assert problem in sent.stderr
    assert server.connections == 0
    assert list_editions(load_project(project)) == before, "nothing was built"
    assert outbox(project) == []


def test_an_unknown_smtp_variable_is_an_error(project: Path) -> None:
    result = briefs(project, "send", "minister-weekly", env={"BRIEFS_SMTP_HOTS": "127.0.0.1"})
    assert result.returncode == 1
    assert "BRIEFS_SMTP_HOTS" in result.stderr
    assert not (project / "output" / "outbox").exists(), "not written as files instead"
    assert outbox(project) == []


def test_attachments_over_the_cap_are_not_sent_at_all(project: Path, server: Running) -> None:
    configure(project, max_attachments=1000)
    result = briefs(project, "send", "minister-weekly", env=server.env())
    assert result.returncode == 1
    assert "over the 1 kB cap" in result.stderr
    assert "mail.max_attachments" in result.stderr
    assert briefs_to(server.messages) == Counter()
    told = notices(server.messages)
    assert len(told) == len(server.messages), "nothing with a PDF, not even a part of one"
    # One notice for the run, naming every recipient held back.
    (notice,) = told
    assert notice["To"] == OWNER
    for address in MINISTER_OFFICE:
        assert f"{address}: " in body(notice) and "over the 1 kB cap" in body(notice)
    assert all(m.kind == "notice" for m in outbox(project))

    again = briefs(project, "send", "minister-weekly", env=server.env())
    assert again.returncode == 1
    assert len(server.messages) == 1, "the owner is told once"


# -- what the body says ---------------------------------------------------------------

PARTNERS_JOB = """\
description: The partners' brief, for the FPT working group
build:
  audiences: [partners]
triggers:
  cron: "0 7 * * mon"
deliver:
  owner: briefs-operator.sample@justice.gc.ca
  to:
    partners:
      - fpt-trafficking.sample@justice.gc.ca
"""
PARTNER = "fpt-trafficking.sample@justice.gc.ca"
NEW_FIGURES = """
  - id: minister-only-figure
    classification: protected_b
    audiences: [minister]
    source: src-backgrounder
    topic: operations
    key: true
    label:
      en: "Pangolin briefings given to ministers"
      fr: "Séances d’information pangolin données aux ministres"
    value: 3

  - id: protected-c-figure
    classification: protected_c
    source: src-backgrounder
    topic: operations
    key: true
    label:
      en: "Quokka wiretap warrants sought"
      fr: "Mandats d’écoute quokka demandés"
    value: 7

  - id: partners-only-figure
    classification: unclassified
    audiences: [partners]
    source: src-backgrounder
    topic: operations
    key: true
    label:
      en: "Narwhal liaison officers seconded to provinces"
      fr: "Agents de liaison narval détachés auprès des provinces"
    value: 12
"""


def test_the_change_summary_holds_nothing_above_the_audience(
    project: Path, server: Running
) -> None:
    write_job(project, "partners-weekly", PARTNERS_JOB)
    for job in ("minister-weekly", "partners-weekly"):
        result = briefs(project, "send", job, env=server.env())
        assert result.returncode == 0, result.stderr
    assert len(server.messages) == 4

    edit(project / FIGURES, "value: 44\n", "value: 45\n")  # seen by every audience
    edit(
        project / FIGURES, "    value: 11\n", "    value: 11\n" + NEW_FIGURES
    )  # after the last figure
    edit(project / ANALYSIS, "ask officials for options", "ask officials for two options")
    # One more key figure takes the minister note past its two pages; this test
    # is about what the mail says, so the budget makes room.
    edit(project / "briefs.yaml", "page_budget: 2", "page_budget: 3")
    assert briefs(project, "build").returncode == 0
    approved = briefs(project, "approve", SAMPLE, "--audience", "minister", "--by", ADM)
    assert approved.returncode == 0, approved.stderr
    for job in ("minister-weekly", "partners-weekly"):
        result = briefs(project, "send", job, env=server.env())
        assert result.returncode == 0, result.stderr
    later = server.messages[4:]
    assert briefs_to(later) == Counter([*MINISTER_OFFICE, PARTNER])

    for got in later:
        text = body(got.message)
        assert "44 (2015) → 45 (2015)" in text  # the same change, in both languages
        assert "44 (2015) → 45 (2015)" in text.split("----")[-1]
        assert "quokka" not in text.lower() and "wiretap" not in text.lower()
        if got.rcpt_tos == [PARTNER]:
            for secret in ("pangolin", "two options", "ask officials"):
                assert secret not in text.lower()
            assert "narwhal" in text.lower()  # what partners may see is there
        else:
            assert "narwhal" not in text.lower() and "narval" not in text.lower()
            assert "pangolin" in text.lower()  # what the minister may see is there
    for got in server.messages[:4]:
        assert "pangolin" not in body(got.message).lower()


# -- no SMTP server: files -------------------------------------------------------------


def test_without_a_host_messages_are_written_as_files(project: Path) -> None:
    result = briefs(project, "send", "minister-weekly")
    assert result.returncode == 0, result.stderr
    folder = project / "output" / "outbox"
    files = sorted(folder.iterdir())
    assert [p.suffix for p in files] == [".eml"] * 3
    written = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in files}
    recipients = []
    for data, _ in written.values():
        message = Received("", [], data).message
        recipients.append(str(message["To"]))
        assert len(attachments(message)) == 2
        assert "PROTÉGÉ B" in str(message["Subject"])
    assert sorted(recipients) == MINISTER_OFFICE

    again = briefs(project, "send", "minister-weekly")
    assert again.returncode == 0, again.stderr
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir()} == written
