"""What a message says and carries, in both official languages.

The subject and body come from two sandboxed templates in ``templates/mail/``,
each given an English and a French view. The change summary of each brief
starts from the edition last sent to that recipient, and is made from the
editions' snapshots, which hold only what that brief's audience may see: a
recipient's summary can hold nothing from above their audience.

The message itself is put together again at each try from the outbox row,
with the PDFs read from the archive and checked last: each must be its
edition's exact bytes, open, and have text on its pages.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from jinja2 import (
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
)
from jinja2.sandbox import ImmutableSandboxedEnvironment

from briefs.editions.changes import compare, load
from briefs.editions.ledger import Edition
from briefs.errors import BriefsError, Problem, Unsendable
from briefs.mail.outbox import Attachment, Message
from briefs.render.markings import MARKINGS
from briefs.render.pdf import read_pdf
from briefs.source.config import Settings
from briefs.source.dates import PartialDate
from briefs.source.formats import date_text
from briefs.source.model import Classification

LANGS = ("en", "fr")
TEMPLATES = ("mail/subject.txt.j2", "mail/body.txt.j2")
Previous = Callable[[Edition, int], Edition | None]
"""The published edition ``number`` of the same brief as the edition given."""
Approvers = dict[str, tuple[str, str]]
"""Brief → (who approved the edition sent, when: ISO 8601), for approved ones."""


def filename(edition: Edition) -> str:
    """``human-trafficking_minister_en_2026-11-30.pdf``: what it is, at a glance."""
    return f"{edition.dossier}_{edition.audience}_{edition.lang}_{edition.edition_date}.pdf"


def attachment(edition: Edition, pdf: str, sha256: str) -> Attachment:
    """The edition's PDF as released (its approved PDF, for an audience that
    needs approval): ``pdf`` in the archive, whose bytes must have ``sha256``."""
    return Attachment(edition.brief, edition.number, sha256, pdf, filename(edition))


def compose(
    templates: Path,
    settings: Settings,
    job: str,
    editions: list[Edition],
    since: dict[str, int],
    previous: Previous,
    approvers: Approvers | None = None,
) -> tuple[str, str]:
    """The subject and body of one recipient's message."""
    approvers = approvers or {}
    views = {
        lang: _view(settings, job, editions, since, previous, approvers, lang) for lang in LANGS
    }
    env = _environment(templates)
    try:
        subject, body = (env.get_template(name).render(**views) for name in TEMPLATES)
    except TemplateError as exc:
        raise BriefsError(f"templates/{TEMPLATES[0].rpartition('/')[0]}/: {exc}") from exc
    return " ".join(subject.split()), body.strip() + "\n"


def _environment(templates: Path) -> ImmutableSandboxedEnvironment:
    return ImmutableSandboxedEnvironment(
        loader=FileSystemLoader(templates),
        autoescape=False,  # plain text, never HTML
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def template_problems(templates: Path, shown: str) -> list[Problem]:
    """The mail templates must exist and parse (``briefs check``)."""
    env = _environment(templates)
    problems = []
    for name in TEMPLATES:
        try:
            env.get_template(name)
        except TemplateSyntaxError as exc:
            why = f"template syntax error: {exc.message}"
            problems.append(Problem(f"{shown}/{name}", exc.lineno, "", why))
        except TemplateNotFound:
            why = "expected the template of the messages jobs send (docs/mail.md), found none"
            problems.append(Problem(f"{shown}/{name}", None, "", why))
    return problems


def _view(
    settings: Settings,
    job: str,
    editions: list[Edition],
    since: dict[str, int],
    previous: Previous,
    approvers: Approvers,
    lang: str,
) -> dict[str, Any]:
    groups: dict[tuple[str, str], list[Edition]] = {}
    for edition in editions:
        groups.setdefault((edition.dossier, edition.audience), []).append(edition)
    briefs = []
    for (_, audience), group in groups.items():
        own = next((e for e in group if e.lang == lang), group[0])
        view = _brief(settings, own, since.get(own.brief), previous, lang, audience)
        by, at = approvers.get(own.brief, ("", ""))
        # Their title as briefs.yaml's approvers: lists it now ("" when it lists none).
        listed = settings.approver(audience, by) if by else None
        title = "" if listed is None else listed.title.get(lang)
        view.update(
            approved_by=by, approved_title=title, approved_on=_date(at[:10], lang) if at else ""
        )
        briefs.append(view)
    top = max((settings.audiences[a].clearance for _, a in groups), key=lambda c: c.rank)
    marking = "" if top is Classification.unclassified else MARKINGS[top.value][lang]
    return {
        "lang": lang,
        "job": job,
        "marking": marking,
        "briefs": briefs,
        "files": [filename(e) for e in editions],
    }


def _brief(
    settings: Settings,
    edition: Edition,
    last: int | None,
    previous: Previous,
    lang: str,
    audience: str,
) -> dict[str, Any]:
    snapshot = load(edition.snapshot)
    view: dict[str, Any] = {
        "title": settings.audiences[audience].title.get(lang),
        "dossier": snapshot["header"]["title"],
        "number": edition.number,
        "date": _date(edition.edition_date, lang),
        "first": last is None,
        "same": last == edition.number,
        "since": "",
        "since_number": 0,
        "added": [],
        "removed": [],
        "changed": [],
        "unnamed": False,
    }
    old = previous(edition, last) if last is not None and last != edition.number else None
    if old is not None:
        existing = set(json.loads(edition.existing))
        sections = settings.audiences[audience].sections
        changes = compare(load(old.snapshot), snapshot, existing, lang, old.edition_date, sections)
        view.update(
            since=_date(old.edition_date, lang),
            since_number=old.number,
            added=changes.added,
            removed=changes.removed,
            changed=changes.changed,
            unnamed=changes.unnamed,
        )
    return view


def _date(iso: str, lang: str) -> str:
    return date_text(PartialDate.parse(iso), lang)


def message_id(key: str, sender: str) -> str:
    """The same message gets the same Message-ID at every try, so a copy that
    was sent twice can be recognised as one."""
    domain = sender.rpartition("@")[2] or "localhost"
    return f"<{key[:32]}@{domain}>"


def build_message(
    message: Message, root: Path, sender: str, budgets: dict[str, int]
) -> EmailMessage:
    """The message to send, with its PDFs; raise :class:`Unsendable` when a PDF
    fails its last check."""
    email = EmailMessage(policy=SMTP)
    email["From"] = sender
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Date"] = format_datetime(datetime.fromisoformat(message.created_at))
    email["Message-ID"] = message.message_id
    email["Auto-Submitted"] = "auto-generated"
    email["X-Briefs-Job"] = message.job
    if message.owner:
        email["Reply-To"] = message.owner  # questions go to whoever runs the job
    email.set_content(message.body, cte="quoted-printable")
    for item in message.files:
        audience = item.brief.partition("/")[2].rpartition(".")[0]
        pdf = _checked(root / item.archive, item, budgets.get(audience, 1000))
        email.add_attachment(pdf, maintype="application", subtype="pdf", filename=item.filename)
    if message.files:
        email.set_boundary(f"briefs-{message.key[:40]}")  # the same bytes at every try
    return email


def _checked(path: Path, item: Attachment, budget: int) -> bytes:
    """The PDF's bytes, if it is its edition, opens, and has text on every page."""
    try:
        pdf = path.read_bytes()
    except OSError as exc:
        raise Unsendable(f"{item.filename}: its archived PDF cannot be read ({exc})") from None
    if hashlib.sha256(pdf).hexdigest() != item.sha256:
        raise Unsendable(
            f"{item.filename}: the archived PDF ({item.archive}) is not the one released "
            f"of edition {item.number} of {item.brief} (its SHA-256 differs from the ledger's)"
        )
    try:
        pages, _ = read_pdf(pdf)
    except Exception as exc:
        raise Unsendable(f"{item.filename}: the PDF does not open ({exc})") from None
    pages = pages[:-1]  # the last entry is the metadata
    blank = [n for n, text in enumerate(pages, 1) if not text.strip()]
    if not pages or blank or len(pages) > budget:
        why = f"page(s) {blank} are blank" if blank else f"it has {len(pages)} page(s)"
        raise Unsendable(f"{item.filename}: the PDF is not a whole brief: {why}")
    return pdf
