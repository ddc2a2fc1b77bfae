"""Mail releases only approved editions (issue #13), through a real SMTP server
on 127.0.0.1 (tests/smtp.py) and the real ``briefs send``.

The minister note needs approval. While its newest edition awaits approval,
the minister-weekly job sends nothing new and tells its owner once per waiting
edition; once approved, the approved PDF (no draft mark, the approver's name)
goes out, once; a new draft after that sends nothing new, and the recipients
keep the approved edition.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
from collections import Counter
from email.message import EmailMessage
from pathlib import Path

import pytest
from pypdf import PdfReader
from test_mail import (
    ADM,
    FIGURES,
    MINISTER_OFFICE,
    OWNER,
    SENDER,
    attachments,
    body,
    briefs,
    briefs_to,
    carries_pdfs,
    edit,
    notices,
    outbox,
    server,
    unapproved,
)

from briefs import approve as approve_edition
from briefs import load_project
from briefs.errors import Unsendable
from briefs.mail.letter import build_message
from briefs.mail.outbox import open_outbox
from briefs.schedule.attempt import Outcome
from briefs.schedule.jobs import find_job
from briefs.schedule.postman import Postman
from conftest import SAMPLE
from smtp import Running

__all__ = ["server", "unapproved"]  # fixtures, used by name
ARCHIVE = Path("output", ".state", "archive", SAMPLE)
LANGS = ("en", "fr")


@pytest.fixture
def project(unapproved: Path, tmp_path: Path) -> Path:
    """A private copy of the built sample: the minister note's edition 1 is a draft."""
    root = tmp_path / "project"
    shutil.copytree(unapproved, root)
    return root


def waiting_notices(server: Running) -> list[EmailMessage]:
    return [m for m in notices(server.messages) if "awaits approval" in str(m["Subject"])]


def text_of(pdf: bytes) -> str:
    pages = PdfReader(io.BytesIO(pdf)).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)


def send(root: Path, server: Running) -> str:
    """``briefs send minister-weekly``: waiting for approval is not a failure."""
    result = briefs(root, "send", "minister-weekly", env=server.env())
    assert result.returncode == 0, result.stderr
    return result.stdout


def approve(root: Path) -> None:
    result = briefs(root, "approve", SAMPLE, "--audience", "minister", "--by", ADM)
    assert result.returncode == 0, result.stderr


def last_sent(root: Path) -> dict[str, list[tuple[str, int, str]]]:
    """Each recipient's last message carrying briefs: (brief, edition, archived PDF)."""
    found = {}
    for m in outbox(root):
        if m.kind == "briefs":
            found[m.recipient] = [
                (a["brief"], a["number"], a["archive"]) for a in json.loads(m.attachments)
            ]
    return found


def test_mail_waits_for_approval_then_sends_the_approved_pdf_once(
    project: Path, server: Running
) -> None:
    # Edition 1 is a draft: nothing is sent, the owner is told once per edition.
    for _ in range(2):
        said = send(project, server)
        assert "waiting for approval" in said
        assert briefs_to(server.messages) == Counter()
        told = waiting_notices(server)
        assert len(told) == 2 and len(server.messages) == 2, "once, not at every run"
    assert {str(m["To"]) for m in told} == {OWNER}
    for lang in LANGS:
        (notice,) = [m for m in told if f"{SAMPLE}/minister.{lang}" in str(m["Subject"])]
        text = body(notice)
        assert f"edition 1 of {SAMPLE}/minister.{lang}, built 20" in text
        command = f"briefs approve {SAMPLE} --audience minister --lang {lang} --edition 1"
        assert command in text
        assert "no edition of it was approved yet" in text
    assert [m.kind for m in outbox(project)] == ["notice", "notice"]

    # Approved: the approved PDF goes out, once, to each recipient.
    approve(project)
    said = send(project, server)
    assert "waiting for approval" not in said
    assert briefs_to(server.messages) == Counter(MINISTER_OFFICE)
    for got in [m.message for m in server.messages if carries_pdfs(m.message)]:
        said = body(got)
        # The approver's title, as briefs.yaml's approvers: lists it.
        assert f"Approved by {ADM}, Assistant Deputy Minister, Policy Sector (sample), " in said
        title = "Sous-ministre adjoint, Secteur des politiques (exemple)"
        assert f"Approuvé par {ADM}, {title}, le " in said
        files = attachments(got)
        assert len(files) == 2
        for lang in LANGS:
            (pdf,) = [data for name, data in files.items() if f"_minister_{lang}_" in name]
            approved = (project / ARCHIVE / f"minister.{lang}" / "0001.approved.pdf").read_bytes()
            assert hashlib.sha256(pdf).hexdigest() == hashlib.sha256(approved).hexdigest()
            text = text_of(pdf)
            assert "DRAFT" not in text and "ÉBAUCHE" not in text
            by = {
                "en": f"APPROVED BY {ADM} Assistant Deputy Minister, Policy Sector (sample)",
                "fr": f"APPROUVÉ PAR {ADM} Sous-ministre adjoint, Secteur des politiques (exemple)",
            }[lang]
            assert by in text
    assert len(waiting_notices(server)) == 2, "no new notice once approved"
    assert send(project, server).count("unchanged, not sent again") == 3

    # A figure changes: edition 2 is a draft. Nothing new is sent, the owner
    # is told once of edition 2, the recipients keep the approved edition 1.
    edit(project / FIGURES, "value: 44\n", "value: 45\n")
    before = len(server.messages)
    for _ in range(2):
        said = send(project, server)
        assert f"{SAMPLE}/minister.en edition 2" in said and "waiting for approval" in said
        assert said.count("unchanged, not sent again") == 3
    new = server.messages[before:]
    assert briefs_to(new) == Counter()
    told = [m.message for m in new]
    assert len(told) == 2 and all("edition 2" in str(m["Subject"]) for m in told)
    assert all("keep edition 1, the last approved" in body(m) for m in told)
    for address, files in last_sent(project).items():
        assert [(b, n) for b, n, _ in files] == [
            (f"{SAMPLE}/minister.{lang}", 1) for lang in LANGS
        ], address
        assert all(archive.endswith("0001.approved.pdf") for _, _, archive in files)

    # Edition 2 approved: sent once, with what changed since edition 1.
    approve(project)
    before = len(server.messages)
    send(project, server)
    later = server.messages[before:]
    assert briefs_to(later) == Counter(MINISTER_OFFICE)
    for got in later:
        text = body(got.message)
        assert "Changes since edition 1" in text and "44 (2015) → 45 (2015)" in text
        assert "DRAFT" not in text_of(next(iter(attachments(got.message).values())))
    assert len(waiting_notices(server)) == 4


def test_a_dry_run_says_what_waits_and_tells_nobody(project: Path, server: Running) -> None:
    result = briefs(project, "send", "minister-weekly", "--dry-run", env=server.env())
    assert result.returncode == 0, result.stderr
    for lang in LANGS:
        assert f"waiting for approval: {SAMPLE}/minister.{lang} edition 1" in result.stdout
    assert "nothing sent yet" in result.stdout
    assert server.messages == [] and outbox(project) == []


def test_briefs_run_mails_alike_and_the_last_check_reads_the_approved_pdf(
    project: Path, server: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``briefs run``'s postman queues through the same code: twice, one notice
    per waiting edition. Approved, the message carries the approved PDF, and the
    last check before sending holds it to the approval's SHA-256."""
    for name, value in server.env().items():
        monkeypatch.setenv(name, value)
    root = load_project(project)
    job = find_job(root, "minister-weekly")
    with open_outbox(root.folders) as box:
        postman = Postman(box)
        for occasion in ("run 1", "run 2"):
            postman.after(root, job, Outcome(), occasion)
        assert briefs_to(server.messages) == Counter()
        assert len(waiting_notices(server)) == len(server.messages) == 2

        approve_edition(root, SAMPLE, "minister", None, ADM)
        postman.after(root, job, Outcome(), "run 3")
        assert briefs_to(server.messages) == Counter(MINISTER_OFFICE)
        (row, *_) = [m for m in box.messages() if m.kind == "briefs"]
        files = {f.brief: f for f in row.files}
        item = files[f"{SAMPLE}/minister.en"]
        assert item.archive == str(ARCHIVE / "minister.en" / "0001.approved.pdf")
        budgets = {"minister": 2}
        build_message(row, project, SENDER, budgets)  # the approved bytes pass
        draft = (project / ARCHIVE / "minister.en" / "0001.pdf").read_bytes()
        (project / item.archive).write_bytes(draft)  # not the approved PDF any more
        with pytest.raises(Unsendable, match="SHA-256 differs"):
            build_message(row, project, SENDER, budgets)
