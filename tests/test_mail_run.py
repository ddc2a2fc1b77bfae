"""Mail with real processes and a real SMTP server on 127.0.0.1.

The sender is killed (or interrupted) in the middle of a send and started
again; ``briefs run`` delivers as part of its jobs, keeps building while the
server says "later", sends what a stop left pending when it starts again, and
what a ``briefs send`` killed beside it left "sending"; ``briefs status`` lists
a message the server refused for good. The server is aiosmtpd's; its handler
can hold a connection at RCPT or after storing a message, or answer 451 or 550.

No assertion is about how long anything took: each test waits for a condition
(with a generous deadline), then asserts.

These tests are about mail's machinery, at every new edition: their project's
minister audience is released as built (``approval: none``). What approval
changes in the mail is tests/test_mail_approval.py's.
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
import yaml
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from pypdf import PdfReader
from test_run import (
    DEADLINE,
    EVERYONE,
    FIGURES,
    LOOKED,
    briefs_command,
    drain,
    invoke,
    running,
    wait_for,
    write_job,
)

from briefs import build, list_editions, load_project
from conftest import QUICK, REPO, SAMPLE, configure, write_project

Edit = Callable[[Path, str, str], None]
Point = Callable[[int], None]
SENDER = "briefs@justice.gc.ca"
OWNER = "ops@justice.gc.ca"
FACTS = Path("data", SAMPLE, "facts.yaml")
PUBLIC_ONLY = ("has no place in Canada.", "has no place anywhere in Canada.")
"""An edit of a plain-language fact: only the public backgrounder (English) prints it."""
MINISTERS = [  # who minister-weekly (jobs/ of the repo) sends to
    "chief-of-staff.sample@justice.gc.ca",
    "dm-office.sample@justice.gc.ca",
    "parliamentary-affairs.sample@justice.gc.ca",
]
RESENT = "was left sending by a sender that stopped; sending it again (same Message-ID"


# -- the SMTP server ----------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    """One message as the server got it after DATA."""

    rcpt_tos: tuple[str, ...]
    content: bytes

    @property
    def email(self) -> EmailMessage:
        message = message_from_bytes(self.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        return message

    @property
    def message_id(self) -> str:
        return str(self.email["Message-ID"])

    def body(self) -> str:
        part = self.email.get_body(("plain",))
        assert part is not None
        return str(part.get_content())  # type: ignore[attr-defined]

    def attachments(self) -> dict[str, bytes]:
        return {
            str(part.get_filename()): part.get_payload(decode=True)
            for part in self.email.iter_attachments()
        }


class Handler:
    """Records what it receives. ``at_rcpt`` and ``after_data`` are gates:
    cleared, the handler holds the connection there until they are set again
    (after DATA, it has stored the message but not yet answered). ``refuse``
    maps an address to the reply to its RCPT; ``"*"`` applies to all."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.refuse: dict[str, str] = {}
        self.at_rcpt = threading.Event()
        self.after_data = threading.Event()
        self.at_rcpt.set()
        self.after_data.set()
        self.holding = threading.Event()
        """Set once the handler is holding a connection at a closed gate."""

    def open(self) -> None:
        self.at_rcpt.set()
        self.after_data.set()

    async def _gate(self, gate: threading.Event) -> None:
        if not gate.is_set():
            self.holding.set()
        while not gate.is_set():  # without blocking the server's event loop
            await asyncio.sleep(0.02)

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        await self._gate(self.at_rcpt)
        reply = self.refuse.get(address) or self.refuse.get("*")
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.content
        assert isinstance(content, bytes)
        self.received.append(Received(tuple(envelope.rcpt_tos), content))
        await self._gate(self.after_data)
        return "250 OK"

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.rcpt_tos]


def free_port() -> int:
    """A port on 127.0.0.1 with nothing listening (aiosmtpd cannot take port 0)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def smtp_server(handler: Handler, port: int | None = None) -> Iterator[int]:
    """An SMTP server on 127.0.0.1 (``port``, or a free one); its port. Its gates
    are opened and it is stopped at the end, whatever happened."""
    controller = Controller(handler, hostname="127.0.0.1", port=port or free_port())
    controller.start()
    try:
        yield controller.port
    finally:
        handler.open()
        controller.stop()


def smtp_env(port: int) -> dict[str, str]:
    return {
        "BRIEFS_SMTP_HOST": "127.0.0.1",
        "BRIEFS_SMTP_PORT": str(port),
        "BRIEFS_SMTP_SECURITY": "none",
        "BRIEFS_SMTP_FROM": SENDER,
    }


@pytest.fixture
def smtp_to(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[int], None]]:
    """Point this process (``briefs run`` in a thread) at a server's port."""

    def point(port: int) -> None:
        for name, value in smtp_env(port).items():
            monkeypatch.setenv(name, value)

    for name in [n for n in os.environ if n.startswith("BRIEFS_SMTP_")]:
        monkeypatch.delenv(name)
    yield point


def command_env(port: int) -> dict[str, str]:
    """The environment of a ``briefs`` subprocess that mails through ``port``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFS_SMTP_")}
    return {**env, **smtp_env(port)}


# -- the project and its outbox -------------------------------------------------------


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """conftest's built sample (quick run settings), but with every edition of
    the minister note released as built: it needs no approval here."""
    root = write_project(tmp_path_factory.mktemp("released") / "project")
    config = root / "briefs.yaml"
    settings = yaml.safe_load(config.read_text())
    settings["audiences"]["minister"]["approval"] = "none"
    config.write_text(yaml.safe_dump(settings, allow_unicode=True))
    configure(root, **QUICK)
    build(load_project(root))
    return root


def set_mail(root: Path, **mail: object) -> None:
    config = root / "briefs.yaml"
    settings = yaml.safe_load(config.read_text())
    settings["mail"] = {**settings.get("mail", {}), **mail}
    config.write_text(yaml.safe_dump(settings, allow_unicode=True))


def mail_job(*addresses: str, triggers: dict[str, object] | None = None) -> str:
    """A job that rebuilds the minister note (on change, by default) and mails it."""
    return yaml.safe_dump(
        {
            "build": {"audiences": ["minister"]},
            "triggers": triggers or {"on_change": True},
            "deliver": {"owner": OWNER, "to": {"minister": list(addresses)}},
        }
    )


PUBLIC_JOB = "build: {audiences: [public]}\ntriggers: {on_change: true}\n"
"""A job that mails nothing, to show that a build happened."""


@dataclass(frozen=True)
class Row:
    id: int
    kind: str
    recipient: str
    state: str
    attempts: int
    message_id: str
    error: str
    claimed_by: str | None


def outbox(root: Path) -> list[Row]:
    """The outbox table, read-only, as another process sees it."""
    path = root / "output" / ".state" / "ledger.sqlite3"
    if not path.exists():
        return []
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=DEADLINE)
    try:
        if not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'outbox'").fetchone():
            return []
        rows = db.execute(
            "SELECT id, kind, recipient, state, attempts, message_id, error, claimed_by "
            "FROM outbox ORDER BY id"
        )
        return [Row(*row) for row in rows]
    finally:
        db.close()


def states(root: Path) -> dict[str, str]:
    """Recipient → state of each message carrying briefs."""
    return {r.recipient: r.state for r in outbox(root) if r.kind == "briefs"}


def latest_pdfs(root: Path, audience: str) -> dict[str, bytes]:
    """The current edition of each language of ``audience``, under the file name
    it is mailed as."""
    last = {}
    for e in list_editions(load_project(root)):
        if e.audience == audience:
            last[e.lang] = e  # oldest first: the last wins
    return {
        f"{SAMPLE}_{audience}_{lang}_{e.edition_date}.pdf": (root / e.archive).read_bytes()
        for lang, e in last.items()
    }


def numbers(root: Path, audience: str) -> dict[str, int]:
    """The newest edition number of each language of ``audience``."""
    last: dict[str, int] = {}
    for e in list_editions(load_project(root)):
        if e.audience == audience:
            last[e.lang] = max(last.get(e.lang, 0), e.number)
    return last


@pytest.fixture
def weekly(project: Path) -> Path:
    """The built project with the repo's jobs (minister-weekly mails three people)."""
    shutil.copytree(REPO / "jobs", project / "jobs", dirs_exist_ok=True)
    return project


@contextmanager
def sending(root: Path, port: int, log: Path, *args: str) -> Iterator[subprocess.Popen[bytes]]:
    """``briefs send`` (or another command) in a subprocess; killed if still running."""
    with log.open("wb") as err:
        process = subprocess.Popen(
            briefs_command(root, *(args or ("send", "minister-weekly"))),
            stdout=subprocess.DEVNULL,
            stderr=err,
            env=command_env(port),
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(DEADLINE)


def briefs(root: Path, port: int, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        briefs_command(root, *args),
        capture_output=True,
        text=True,
        env=command_env(port),
        timeout=60,
    )


def mail_said(caplog: pytest.LogCaptureFixture, text: str) -> list[str]:
    return [
        r.getMessage()
        for r in list(caplog.records)
        if r.name == "briefs.mail" and text in r.getMessage()
    ]


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger="briefs.run")
    caplog.set_level(logging.INFO, logger="briefs.mail")
    return caplog


# -- a sender killed while sending ----------------------------------------------------


def test_a_sender_killed_before_data_is_replaced_and_each_message_goes_once(
    weekly: Path, tmp_path: Path
) -> None:
    handler = Handler()
    handler.at_rcpt.clear()  # every connection waits at RCPT until released
    with smtp_server(handler) as port:
        with sending(weekly, port, tmp_path / "killed.log") as process:
            wait_for(handler.holding.is_set, "the sender to reach RCPT")
            [held] = wait_for(
                lambda: [r for r in outbox(weekly) if r.state == "sending"], "a message 'sending'"
            )
            process.kill()
            process.wait(DEADLINE)
        assert handler.received == []  # the killed attempt never got to DATA
        assert states(weekly) == {
            held.recipient: "sending",
            **{a: "pending" for a in MINISTERS if a != held.recipient},
        }
        handler.at_rcpt.set()

        again = briefs(weekly, port, "send", "minister-weekly")
        assert again.returncode == 0, again.stderr
        assert f"message {held.id} to {held.recipient} {RESENT} {held.message_id})" in again.stderr
        assert sum(RESENT in line for line in again.stderr.splitlines()) == 1
        for address in MINISTERS:
            assert f"already queued, not yet sent: {address}" in again.stdout
            assert f"sent: {address}" in again.stdout
    assert states(weekly) == {a: "sent" for a in MINISTERS}
    assert sorted(r.rcpt_tos for r in handler.received) == [(a,) for a in MINISTERS]
    rows = {r.recipient: r for r in outbox(weekly)}
    assert rows[held.recipient].attempts == 2
    pdfs = latest_pdfs(weekly, "minister")
    for got in handler.received:
        (address,) = got.rcpt_tos
        assert got.message_id == rows[address].message_id
        assert got.email["To"] == address and got.email["From"] == SENDER
        assert got.attachments() == pdfs


def test_a_sender_killed_after_the_server_stored_the_message_sends_it_again_same_id(
    weekly: Path, tmp_path: Path
) -> None:
    """The one ambiguous moment: the server has the message, briefs has not
    recorded "sent". By the policy of docs/mail.md it is sent again, and the
    two copies are the same message, Message-ID and all."""
    handler = Handler()
    handler.after_data.clear()  # store the message, then do not answer
    with smtp_server(handler) as port:
        with sending(weekly, port, tmp_path / "killed.log") as process:
            wait_for(handler.holding.is_set, "the server to store a message")
            [held] = [r for r in outbox(weekly) if r.state == "sending"]
            process.kill()
            process.wait(DEADLINE)
        [first] = handler.received
        assert first.rcpt_tos == (held.recipient,)
        assert states(weekly)[held.recipient] == "sending"
        handler.after_data.set()

        again = briefs(weekly, port, "send", "minister-weekly")
        assert again.returncode == 0, again.stderr
        assert f"message {held.id} to {held.recipient} {RESENT} {held.message_id})" in again.stderr
    assert states(weekly) == {a: "sent" for a in MINISTERS}
    assert sorted(r.rcpt_tos for r in handler.received) == sorted(
        [(a,) for a in MINISTERS] + [(held.recipient,)]
    )
    one, two = handler.to(held.recipient)
    assert one.message_id == two.message_id == held.message_id
    assert one.content == two.content  # the same message, byte for byte
    for address in MINISTERS:
        if address != held.recipient:
            [got] = handler.to(address)
            assert got.message_id != held.message_id


def test_ctrl_c_while_sending_stops_at_once_and_leaves_the_message_pending(
    weekly: Path, tmp_path: Path
) -> None:
    """docs/mail.md: Ctrl-C leaves the messages pending. The server does not
    answer (held at RCPT); the sender must not wait on it to stop."""
    set_mail(weekly, timeout=600)  # far past any deadline here
    handler = Handler()
    handler.at_rcpt.clear()
    with smtp_server(handler) as port:
        log = tmp_path / "interrupted.log"
        with sending(weekly, port, log) as process:
            wait_for(handler.holding.is_set, "the sender to reach RCPT")
            [held] = [r for r in outbox(weekly) if r.state == "sending"]
            process.send_signal(signal.SIGINT)
            assert process.wait(DEADLINE) == 1
        said = log.read_text()
        assert "Aborted!" in said
        assert f"message {held.id} to {held.recipient}: interrupted while sending" in said
        assert states(weekly) == {a: "pending" for a in MINISTERS}
        assert "interrupted" in next(r.error for r in outbox(weekly) if r.id == held.id)
        handler.at_rcpt.set()

        again = briefs(weekly, port, "send", "minister-weekly")
        assert again.returncode == 0, again.stderr
        assert RESENT not in again.stderr  # it was pending, not left 'sending'
    assert sorted(r.rcpt_tos for r in handler.received) == [(a,) for a in MINISTERS]
    assert states(weekly) == {a: "sent" for a in MINISTERS}


# -- briefs run -------------------------------------------------------------------------


def test_briefs_run_mails_each_new_edition_once_with_what_changed(
    project: Path, edit: Edit, smtp_to: Point, logs: pytest.LogCaptureFixture
) -> None:
    write_job(project, "minister-mail", mail_job("a@justice.gc.ca"))
    write_job(project, "public", PUBLIC_JOB)
    handler = Handler()
    with smtp_server(handler) as port:
        smtp_to(port)
        with running(project) as runner:
            wait_for(lambda: [m for m in logs.messages if LOOKED in m], "the start-up look")
            assert handler.received == []  # the project was built: nothing new to send

            edit(project / FIGURES, *EVERYONE)  # 44 → 45, in every brief
            [first] = wait_for(lambda: list(handler.received), "the first message")
            assert first.rcpt_tos == ("a@justice.gc.ca",)
            assert str(first.email["Subject"]).startswith(
                "[PROTECTED B] Briefing note for the Minister: "
            )
            files = first.attachments()
            assert sorted(files) == sorted(latest_pdfs(project, "minister"))
            assert files == latest_pdfs(project, "minister")
            for pdf in files.values():
                assert 1 <= len(PdfReader(io.BytesIO(pdf)).pages) <= 2  # opens; the budget
            assert "This is the first edition sent to you." in first.body()
            assert numbers(project, "minister") == {"en": 2, "fr": 2}

            edit(project / FIGURES, "value: 45\n", "value: 46\n")
            wait_for(lambda: len(handler.received) >= 2, "the second message")
            second = handler.received[1]
            body = second.body()
            assert "Edition 3, " in body and "Changes since edition 2 (" in body
            assert "Changements depuis l’édition 2 (" in body
            assert (
                "* Changed: Temporary Residence Permits issued to trafficking victims: "
                "45 (2015) → 46 (2015)"
            ) in body
            assert (
                "* Modification\u00a0: Permis de séjour temporaire délivrés à des victimes de "
                "la traite\u00a0: 45 (2015) → 46 (2015)"
            ) in body
            assert second.attachments() == latest_pdfs(project, "minister")

            public = numbers(project, "public")
            edit(project / FACTS, *PUBLIC_ONLY)
            wait_for(lambda: numbers(project, "public")["en"] > public["en"], "the public build")
            drain(runner, logs)
            assert numbers(project, "minister") == {"en": 3, "fr": 3}
    assert len(handler.received) == 2  # the public edit built nothing for the minister job
    assert [(r.recipient, r.state) for r in outbox(project)] == [("a@justice.gc.ca", "sent")] * 2
    assert len(mail_said(logs, "sent through 127.0.0.1")) == 2


def test_mail_left_pending_by_a_stop_goes_at_the_next_start_once(
    project: Path, edit: Edit, smtp_to: Point, logs: pytest.LogCaptureFixture
) -> None:
    """The server is down (nothing listens on its port) while a build queues
    two messages; briefs run is stopped with them pending. With the default
    backoff (30 s) their next try is well after the next start: the start
    sends them anyway."""
    addresses = ["a@justice.gc.ca", "b@justice.gc.ca"]
    write_job(project, "minister-mail", mail_job(*addresses))
    port = free_port()
    smtp_to(port)
    with running(project):
        wait_for(lambda: [m for m in logs.messages if LOOKED in m], "the start-up look")
        edit(project / FIGURES, *EVERYONE)
        wait_for(
            lambda: [r for r in outbox(project) if "could not talk to the server" in r.error],
            "a try to fail",
        )
    rows = outbox(project)
    assert [(r.recipient, r.state) for r in rows] == [(a, "pending") for a in addresses]
    assert [r.attempts for r in rows] == [1, 0]  # the second waited: the server was down
    assert "Connection refused" in rows[0].error

    handler = Handler()
    logs.clear()
    with smtp_server(handler, port), running(project) as runner:
        wait_for(lambda: [m for m in logs.messages if LOOKED in m], "the start-up look")
        assert sorted(r.rcpt_tos for r in handler.received) == [(a,) for a in addresses]
        drain(runner, logs)
    assert mail_said(logs, "2 message(s) left pending by the last stop: sending them now")
    assert sorted(r.rcpt_tos for r in handler.received) == [(a,) for a in addresses]
    assert [(r.recipient, r.state) for r in outbox(project)] == [(a, "sent") for a in addresses]


def test_briefs_run_keeps_building_while_the_server_says_later_then_delivers(
    project: Path, edit: Edit, smtp_to: Point, logs: pytest.LogCaptureFixture
) -> None:
    set_mail(project, backoff=0.2, retries=8)  # ~40 s of tries at least: never run out here
    write_job(project, "minister-mail", mail_job("a@justice.gc.ca"))
    write_job(project, "public", PUBLIC_JOB)
    handler = Handler()
    handler.refuse["*"] = "451 4.3.0 Try again later"
    with smtp_server(handler) as port:
        smtp_to(port)
        with running(project) as runner:
            wait_for(lambda: [m for m in logs.messages if LOOKED in m], "the start-up look")
            edit(project / FIGURES, *EVERYONE)
            wait_for(
                lambda: [r for r in outbox(project) if r.attempts >= 2 and "451" in r.error],
                "two tries answered 451",
            )
            public = numbers(project, "public")
            edit(project / FACTS, *PUBLIC_ONLY)  # a build while the mail waits
            wait_for(lambda: numbers(project, "public")["en"] > public["en"], "the public build")
            assert handler.received == []
            assert states(project)["a@justice.gc.ca"] in {"pending", "sending"}  # mid-try

            del handler.refuse["*"]
            wait_for(lambda: handler.received, "the retry to deliver")
            wait_for(lambda: states(project) == {"a@justice.gc.ca": "sent"}, "'sent'")
            drain(runner, logs)
    [got] = handler.received
    assert got.rcpt_tos == ("a@justice.gc.ca",)
    assert got.attachments() == latest_pdfs(project, "minister")
    [row] = outbox(project)
    assert row.attempts >= 3 and row.error == ""
    assert mail_said(logs, "451 4.3.0 Try again later; trying again in")


def test_briefs_run_sends_again_what_a_killed_briefs_send_left_sending(
    project: Path, smtp_to: Point, logs: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    """briefs send typed beside briefs run is killed mid-send (kill -9, a
    closed terminal). briefs run, still running and with nothing else to
    send, finds the message at its next scan and sends it again.

    The scan is brought forward: the test puts on the loop's queue the item
    the loop puts there itself every ``run.scan`` seconds (600 here), so that
    briefs run cannot claim the message before briefs send does."""
    yearly = {"cron": "0 7 1 1 *"}  # never due during the test
    write_job(project, "yearly", mail_job("a@justice.gc.ca", triggers=yearly))
    handler = Handler()
    handler.at_rcpt.clear()
    with smtp_server(handler) as port:
        smtp_to(port)
        with running(project) as runner:
            wait_for(lambda: [m for m in logs.messages if LOOKED in m], "the start-up look")
            with sending(project, port, tmp_path / "send.log", "send", "yearly") as process:
                wait_for(handler.holding.is_set, "the sender to reach RCPT")
                [held] = [r for r in outbox(project) if r.state == "sending"]
                assert f":{process.pid}:" in held.claimed_by
                process.kill()
                process.wait(DEADLINE)
            drain(runner, logs)
            assert states(project) == {"a@justice.gc.ca": "sending"}  # until the scan
            assert handler.received == []
            handler.at_rcpt.set()
            runner.hint(set())  # the scan
            wait_for(lambda: states(project) == {"a@justice.gc.ca": "sent"}, "the re-send")
            drain(runner, logs)
    [got] = handler.received
    assert got.rcpt_tos == ("a@justice.gc.ca",) and got.message_id == held.message_id
    assert mail_said(logs, f"message {held.id} to a@justice.gc.ca {RESENT}")


def test_briefs_run_will_not_start_with_a_misspelt_mail_setting(
    project: Path, edit: Edit, smtp_to: Point, logs: pytest.LogCaptureFixture
) -> None:
    """It cannot be fixed while running (it is the process's environment).
    Started anyway, briefs run tried the pending mail again at once, forever,
    logging the same error thousands of times a second."""
    write_job(project, "minister-mail", mail_job("a@justice.gc.ca"))
    smtp_to(free_port())  # down: the message stays pending
    with running(project):
        wait_for(lambda: [m for m in logs.messages if LOOKED in m], "the start-up look")
        edit(project / FIGURES, *EVERYONE)
        wait_for(lambda: [r for r in outbox(project) if r.error], "a try to fail")
    env = {**command_env(free_port()), "BRIEFS_SMTP_SECURTY": "none"}
    started = subprocess.run(
        briefs_command(project, "run"), env=env, capture_output=True, text=True, timeout=DEADLINE
    )
    assert started.returncode == 1, started.stderr
    assert "the mail settings in the environment are wrong" in started.stderr
    assert "BRIEFS_SMTP_SECURTY: Extra inputs are not permitted" in started.stderr
    assert states(project) == {"a@justice.gc.ca": "pending"}


# -- briefs status ------------------------------------------------------------------------


def test_status_lists_a_refused_message_until_it_is_retried(weekly: Path) -> None:
    refused = MINISTERS[0]
    handler = Handler()
    handler.refuse[refused] = "550 5.1.1 No such user"
    with smtp_server(handler) as port:
        sent = briefs(weekly, port, "send", "minister-weekly")
        assert sent.returncode == 1, sent.stderr
        assert f"failed: {refused}: the server answered 550 5.1.1 No such user" in sent.stderr
        assert handler.to(refused) == []
        [notice] = handler.to("briefs-operator.sample@justice.gc.ca")
        assert f"a message to {refused} failed" in str(notice.email["Subject"])

        code, output = invoke(weekly, "status")
        assert code == 1, output
        [failed] = [r for r in outbox(weekly) if r.state == "failed"]
        assert f"- mail #{failed.id} to {refused} (job minister-weekly), since" in output
        assert "550 5.1.1 No such user" in output
        assert "outbox: 1 failed, 3 sent" in output

        same = briefs(weekly, port, "send", "minister-weekly")  # nothing new: not queued again
        assert same.returncode == 1, same.stderr
        assert f"failed before, not sent again: {refused}" in same.stderr
        for address in MINISTERS[1:]:
            assert f"unchanged, not sent again: {address}" in same.stdout
        assert len(handler.received) == 3  # two of the minister's people, one notice

        del handler.refuse[refused]
        again = briefs(weekly, port, "outbox", "retry")
        assert again.returncode == 0, again.stderr
        assert "1 message(s) queued again" in again.stderr
        assert f"sent: {refused}" in again.stdout

        code, output = invoke(weekly, "status")
        assert code == 0, output
        assert "nothing is failing" in output and "outbox: 4 sent" in output
    [got] = handler.to(refused)
    assert got.message_id == failed.message_id
    assert len(handler.to("briefs-operator.sample@justice.gc.ca")) == 1  # told once
    assert all(r.state == "sent" for r in outbox(weekly))
