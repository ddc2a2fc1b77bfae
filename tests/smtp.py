"""A real SMTP server for the tests: aiosmtpd on 127.0.0.1, in a thread.

    with smtp_server() as server:
        server.plan("MAIL", "451 4.3.0 try again later")   # the first MAIL FROM only
        server.plan("DATA", DROP)                           # then drop one DATA midway
        server.refuse("someone@justice.gc.ca", "550 5.1.1 no such mailbox")
        ... send to 127.0.0.1:server.port ...
        server.messages          # what was accepted (250 after DATA), in order

Every connection, every MAIL FROM and every accepted message is recorded.
Planned answers are used once each, in order, per stage (MAIL, RCPT, DATA);
once a stage's plan is used up it answers 250. A 421 answer also closes the
connection, as a server shutting down does. The server is stopped at the end
of the ``with``, whatever happened.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import ssl
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

DROP = "drop"
"""Planned at DATA: close the connection after part of the message, with no reply."""
DROP_AFTER = "drop-after"
"""Planned at DATA: read the whole message, then close the connection with no reply
(the ambiguous case: the server may have the message, the client cannot know)."""
HANG = "hang"
"""Planned at DATA: read the whole message, then never answer (the client's
timeout runs out: as ambiguous as DROP_AFTER)."""
HOST = "127.0.0.1"


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now (aiosmtpd does not take port 0)."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Received:
    """One message the server accepted."""

    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    tls: bool = False

    @property
    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.data, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class Recorder:
    """The handler: records what arrives and answers as planned."""

    messages: list[Received] = field(default_factory=list)
    dropped: list[bytes] = field(default_factory=list)
    """Whole messages read before a DROP_AFTER or HANG: the server had them, unanswered."""
    connections: int = 0
    mail_froms: int = 0
    logins: list[tuple[str, bool]] = field(default_factory=list)
    plans: dict[str, deque[str]] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def _planned(self, stage: str) -> str | None:
        with self.lock:
            queue = self.plans.get(stage)
            return queue.popleft() if queue else None

    @staticmethod
    def _answer(server: SMTP, reply: str) -> str:
        if reply.startswith("421") and server.transport is not None:
            server.loop.call_soon(server.transport.close)  # after the reply is written
        return reply

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        with self.lock:
            self.mail_froms += 1
        reply = self._planned("MAIL")
        if reply is not None:
            return self._answer(server, reply)
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address.lower() in self.refused:
            return self.refused[address.lower()]
        reply = self._planned("RCPT")
        if reply is not None:
            return self._answer(server, reply)
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        # DROP is taken in Server.smtp_DATA, before the message is read.
        reply = self._planned("DATA")
        if reply == DROP_AFTER:
            with self.lock:
                self.dropped.append(bytes(envelope.original_content or b""))
            assert server.transport is not None
            server.transport.close()
            return "250 never seen: the connection is closed"
        if reply == HANG:
            with self.lock:
                self.dropped.append(bytes(envelope.original_content or b""))
            await asyncio.sleep(3600)  # cancelled when the client hangs up, or at the end
        if reply is not None:
            return self._answer(server, reply)
        with self.lock:
            self.messages.append(
                Received(
                    str(envelope.mail_from),
                    list(envelope.rcpt_tos),
                    bytes(envelope.original_content or b""),
                    session.ssl is not None,
                )
            )
        return "250 OK: queued"


class Server(SMTP):
    """aiosmtpd's SMTP, counting connections and able to drop one mid-DATA."""

    recorder: Recorder

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        if self._original_transport is None:  # not the second call, after STARTTLS
            with self.recorder.lock:
                self.recorder.connections += 1
        super().connection_made(transport)

    async def smtp_DATA(self, arg: str) -> None:
        queue = self.recorder.plans.get("DATA")
        if not queue or queue[0] != DROP or not self.envelope or not self.envelope.rcpt_tos:
            await super().smtp_DATA(arg)
            return
        self.recorder._planned("DATA")
        await self.push("354 End data with <CR><LF>.<CR><LF>")
        await self._reader.readexactly(2000)  # a part of the message, not the end
        assert self.transport is not None
        self.transport.close()


class Authenticator:
    """Accepts one user name and password; refuses others so the client hears 535."""

    def __init__(self, recorder: Recorder, user: str, password: str) -> None:
        self.recorder, self.user, self.password = recorder, user, password

    def __call__(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        if not isinstance(data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login = data.login.decode()
        good = login == self.user and data.password.decode() == self.password
        with self.recorder.lock:
            self.recorder.logins.append((login, good))
        # handled=False: aiosmtpd answers 535 itself (True would leave the client hanging)
        return AuthResult(success=good, handled=False)


class Running:
    """What a test sees of a running server."""

    def __init__(self, controller: Controller, recorder: Recorder) -> None:
        self.controller, self.recorder = controller, recorder
        self.host, self.port = HOST, int(controller.port)

    @property
    def messages(self) -> list[Received]:
        with self.recorder.lock:
            return list(self.recorder.messages)

    @property
    def connections(self) -> int:
        with self.recorder.lock:
            return self.recorder.connections

    def plan(self, stage: str, *replies: str) -> None:
        """Answer the next MAIL, RCPT or DATA commands so (then 250)."""
        assert stage in ("MAIL", "RCPT", "DATA"), stage
        with self.recorder.lock:
            self.recorder.plans.setdefault(stage, deque()).extend(replies)

    def refuse(self, address: str, reply: str) -> None:
        """Answer every RCPT TO this address so."""
        with self.recorder.lock:
            self.recorder.refused[address.lower()] = reply

    def env(self, security: str = "none", **more: str) -> dict[str, str]:
        """The BRIEFS_SMTP_* variables that point briefs at this server."""
        values = {"HOST": self.host, "PORT": str(self.port), "SECURITY": security}
        values.update({k.upper(): v for k, v in more.items()})
        values.setdefault("FROM", "briefs.sample@justice.gc.ca")
        return {f"BRIEFS_SMTP_{k}": v for k, v in values.items()}


@contextmanager
def smtp_server(
    *,
    tls: ssl.SSLContext | None = None,
    user: str | None = None,
    password: str = "",
) -> Iterator[Running]:
    """An SMTP server on 127.0.0.1 at a free port. With ``tls``, it offers
    STARTTLS and requires it; with ``user``, it requires AUTH (over TLS)."""
    recorder = Recorder()
    options: dict[str, Any] = {"data_size_limit": 50_000_000, "timeout": 30}
    if tls is not None:
        options.update(tls_context=tls, require_starttls=True)
    if user is not None:
        options.update(
            authenticator=Authenticator(recorder, user, password),
            auth_required=True,
            auth_require_tls=tls is not None,
        )

    class Factory(Controller):
        def factory(self) -> SMTP:
            server = Server(self.handler, **self.SMTP_kwargs)
            server.recorder = recorder
            return server

    # Another process may take the port between free_port() and start(): try again.
    for _ in range(5):
        controller = Factory(recorder, hostname=HOST, port=free_port(), **options)
        try:
            controller.start()
        except OSError:
            continue
        break
    else:
        raise RuntimeError("no free port on 127.0.0.1 for the SMTP server")
    with recorder.lock:
        recorder.connections = 0  # the Controller's own connection, made to check it started
    try:
        yield Running(controller, recorder)
    finally:
        controller.stop()
