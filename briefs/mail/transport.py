"""How a message leaves: an SMTP server, or ``.eml`` files in output/outbox/.

The server is set by environment variables only, never by a committed file.
With no ``BRIEFS_SMTP_HOST``, messages are written as files instead, so that
everything works on a machine with no mail server. TLS is always verified
(``ssl.create_default_context()``, cpython #91826), and every exchange with
the server has a timeout. Failures are sorted here: a 4xx reply, a dropped
connection or a timeout is temporary; a 5xx reply is not.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from briefs.editions.atomic import write_atomic
from briefs.errors import MailFailed, MailSettingsInvalid
from briefs.mail.recipients import normal_address

PREFIX = "BRIEFS_SMTP_"
PORTS = {"starttls": 587, "ssl": 465, "none": 25}


class SmtpSettings(BaseModel):
    """``BRIEFS_SMTP_*``, read from the environment by :func:`smtp_settings`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    host: str | None = None
    port: int | None = Field(default=None, ge=1, le=65535)
    user: str | None = None
    password: str | None = Field(default=None, repr=False)
    security: Literal["starttls", "ssl", "none"] = "starttls"
    sender: str = Field(default="briefs@localhost", alias="from")
    cafile: Path | None = None
    """Certificates to trust besides the system's (a department's own CA)."""

    @field_validator("sender")
    @classmethod
    def _address(cls, value: str) -> str:
        return normal_address(value) if value != "briefs@localhost" else value

    @property
    def tcp_port(self) -> int:
        return self.port or PORTS[self.security]


def smtp_settings(environ: Mapping[str, str]) -> SmtpSettings:
    """The settings from ``BRIEFS_SMTP_*`` variables; a misspelt one is an error,
    so that a typo never sends mail unencrypted or nowhere."""
    values = {k.removeprefix(PREFIX).lower(): v for k, v in environ.items() if k.startswith(PREFIX)}
    values = {k: v for k, v in values.items() if v != ""}
    try:
        settings = SmtpSettings.model_validate(values)
    except ValidationError as exc:
        raise MailSettingsInvalid(
            [
                f"{PREFIX}{'.'.join(str(p) for p in e['loc']).upper()}: {e['msg']}"
                + ("" if e["type"] == "extra_forbidden" else f", found {e['input']!r}")
                for e in exc.errors()
                if "password" not in str(e["loc"])
            ]
            or ["BRIEFS_SMTP_PASSWORD: invalid"]
        ) from None
    if settings.host is not None and settings.sender == "briefs@localhost":
        raise MailSettingsInvalid([f"{PREFIX}FROM: expected the address briefs sends from"])
    return settings


class Sender(Protocol):
    where: str
    """Where messages go, as a log line says it."""

    def send(self, message: EmailMessage, recipient: str) -> None: ...


class Folder:
    """Writes each message as ``<folder>/<name>.eml``, atomically: sending the
    same message twice writes the same file."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.where = f"written to {folder.name}/ (no BRIEFS_SMTP_HOST)"

    def send(self, message: EmailMessage, recipient: str) -> None:
        day = parsedate_to_datetime(str(message["Date"])).date().isoformat()
        key = str(message["Message-ID"]).strip("<>").partition("@")[0][:12]
        write_atomic(self.folder / f"{day}_{message['X-Briefs-Job']}_{key}.eml", message.as_bytes())


class Smtp:
    """One connection to the server, opened on the first message and reused."""

    def __init__(self, settings: SmtpSettings, timeout: float) -> None:
        self.where = f"sent through {settings.host}"
        self.settings = settings
        self.timeout = timeout
        self.client: smtplib.SMTP | None = None

    def send(self, message: EmailMessage, recipient: str) -> None:
        with _sorted():
            if self.client is None:
                self.client = self._connect()
            refused = self.client.send_message(
                message, from_addr=self.settings.sender, to_addrs=[recipient]
            )
        if refused:  # with one recipient, smtplib raises instead; kept for safety
            code, reply = next(iter(refused.values()))
            raise MailFailed(_said(code, reply), temporary=400 <= code < 500)

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        assert s.host is not None
        context = ssl.create_default_context(cafile=str(s.cafile) if s.cafile else None)
        client: smtplib.SMTP
        if s.security == "ssl":
            client = smtplib.SMTP_SSL(s.host, s.tcp_port, timeout=self.timeout, context=context)
        else:
            client = smtplib.SMTP(s.host, s.tcp_port, timeout=self.timeout)
        try:
            client.ehlo()
            if s.security == "starttls":
                client.starttls(context=context)
                client.ehlo()
            if s.user:
                client.login(s.user, s.password or "")
        except BaseException:
            client.close()
            raise
        return client

    def close(self) -> None:
        if self.client is not None:
            try:
                self.client.quit()
            except (smtplib.SMTPException, OSError):
                self.client.close()
            self.client = None

    def drop(self) -> None:
        """Forget a connection that failed; the next message opens a new one."""
        if self.client is not None:
            self.client.close()
            self.client = None


@contextmanager
def sender(settings: SmtpSettings, outbox_folder: Path, timeout: float) -> Iterator[Sender]:
    if settings.host is None:
        yield Folder(outbox_folder)
        return
    smtp = Smtp(settings, timeout)
    try:
        yield smtp
    except BaseException:  # an interrupt, a bug: say no QUIT to a server that may not answer
        smtp.drop()
        raise
    smtp.close()


def _said(code: int, reply: bytes | str) -> str:
    text = reply.decode(errors="replace") if isinstance(reply, bytes) else reply
    return f"the server answered {code} {' '.join(text.split())}"


@contextmanager
def _sorted() -> Iterator[None]:
    """smtplib's many errors as one :class:`MailFailed`, temporary or not."""
    try:
        yield
    except smtplib.SMTPRecipientsRefused as exc:
        code, reply = next(iter(exc.recipients.values()))
        raise MailFailed(_said(code, reply), temporary=400 <= code < 500) from None
    except smtplib.SMTPAuthenticationError as exc:
        why = (
            f"the server refused the user name or password: {_said(exc.smtp_code, exc.smtp_error)}"
        )
        raise MailFailed(why, temporary=False, connection=True) from None
    except smtplib.SMTPNotSupportedError as exc:
        why = f"the server does not offer what BRIEFS_SMTP_SECURITY asks for: {exc}"
        raise MailFailed(why, temporary=False, connection=True) from None
    except smtplib.SMTPServerDisconnected as exc:
        # smtplib reports a reply that never came as a closed connection
        if isinstance(exc.__context__, TimeoutError):
            why = "the server did not answer in time"
        else:
            why = f"the server closed the connection ({exc or 'no reason given'})"
        raise MailFailed(why, temporary=True, connection=True) from None
    except smtplib.SMTPResponseException as exc:
        code = exc.smtp_code
        why = _said(code, exc.smtp_error)
        if code == 552:
            why += " (the message is larger than the server accepts)"
        connection = isinstance(exc, smtplib.SMTPConnectError) or code == 421
        raise MailFailed(why, temporary=400 <= code < 500, connection=connection) from None
    except ssl.SSLCertVerificationError as exc:
        why = f"the server's certificate could not be verified: {exc.verify_message}"
        raise MailFailed(why, temporary=False, connection=True) from None
    except TimeoutError:
        why = "the server did not answer in time"
        raise MailFailed(why, temporary=True, connection=True) from None
    except smtplib.SMTPException as exc:
        raise MailFailed(f"mail error: {exc}", temporary=True, connection=True) from None
    except OSError as exc:
        why = f"could not talk to the server: {exc.strerror or exc}"
        raise MailFailed(why, temporary=True, connection=True) from None
