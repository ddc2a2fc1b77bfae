"""Who may be emailed what: the rules read from job files and briefs.yaml, and
the leak guard over a message's text. No SMTP server is needed: without
BRIEFS_SMTP_HOST, messages are written to output/outbox/ as .eml files."""

from __future__ import annotations

import email
import email.policy
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import yaml

from conftest import REPO, copy_templates, write_project

JOB = """\
description: a test job
build:
  audiences: [{audiences}]
triggers:
  on_change: true
deliver:
  owner: ops@justice.gc.ca
  to:
{to}
"""


def briefs(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFS_SMTP_")}
    env["PYTHONPATH"] = str(REPO)
    return subprocess.run(
        [sys.executable, "-m", "briefs", "-C", str(root), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def project(tmp_path: Path, jobs: dict[str, str], lists: str | None = None) -> Path:
    root = write_project(tmp_path / "project")
    (root / "jobs").mkdir()
    for name, text in jobs.items():
        (root / "jobs" / f"{name}.yaml").write_text(text)
    if lists is not None:
        (root / "jobs" / "distribution.yaml").write_text(lists)
    return root


def job(audiences: str, to: dict[str, list[str]]) -> str:
    lines = "".join(
        f"    {audience}:\n" + "".join(f"      - {entry}\n" for entry in entries)
        for audience, entries in to.items()
    )
    return JOB.format(audiences=audiences, to=lines)


LISTS = """\
lists:
  partners-fpt:
    audience: partners
    addresses:
      - fpt@justice.gc.ca
  typo:
    audience: public
    addresses:
      - not-an-address
"""


def test_check_reports_every_recipient_problem_with_its_line(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        {
            "lower-list": job("minister", {"minister": ["partners-fpt"]}),
            "outside": job("minister", {"minister": ["someone@example.com"]}),
            "unknown": job("minister", {"minister": ["no-such-list"]}),
            "unbuilt": job("public", {"partners": ["a@justice.gc.ca"]}),
            "bad-owner": job("public", {"public": ["a@example.com"]}).replace(
                "ops@justice.gc.ca", "ops at justice"
            ),
        },
        LISTS,
    )
    done = briefs(root, "check")
    assert done.returncode == 1, done.stdout
    err = done.stderr
    assert (
        "jobs/lower-list.yaml:10: deliver.to.minister.0: list 'partners-fpt' is for the "
        "partners audience (protected_a): it may not receive minister briefs (protected_b)"
    ) in err
    assert (
        "jobs/outside.yaml:10: deliver.to.minister.0: someone@example.com may not receive "
        "minister briefs: expected an address at gc.ca"
    ) in err
    assert "jobs/unknown.yaml:10: deliver.to.minister.0: list 'no-such-list' could not be" in err
    assert "jobs/unbuilt.yaml:10: deliver.to.partners: expected an audience this job builds" in err
    assert "jobs/bad-owner.yaml:7: deliver.owner: " in err and "expected an email address" in err
    assert "jobs/distribution.yaml:9: lists.typo.addresses.0: expected an email address" in err
    assert "found 'not-an-address'" in err


def test_protected_needs_domains_and_protected_c_is_never_emailed(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        {
            "partners": job("partners", {"partners": ["a@justice.gc.ca"]}),
            "secret": job("secret", {"secret": ["a@justice.gc.ca"]}),
        },
    )
    config = yaml.safe_load((root / "briefs.yaml").read_text())
    del config["audiences"]["partners"]["email_domains"]
    config["audiences"]["secret"] = {
        **json.loads(json.dumps(config["audiences"]["minister"])),
        "clearance": "protected_c",
        "email_domains": ["gc.ca"],
    }
    (root / "briefs.yaml").write_text(yaml.safe_dump(config, allow_unicode=True))
    done = briefs(root, "check")
    assert done.returncode == 1
    assert (
        "jobs/partners.yaml:10: deliver.to.partners.0: partners briefs are protected_a: they "
        "go only to the domains in briefs.yaml audiences.partners.email_domains, which is not set"
    ) in done.stderr
    assert (
        "jobs/secret.yaml:10: deliver.to.secret.0: secret briefs are protected_c: they are "
        "never emailed"
    ) in done.stderr
    # An invalid job is not run, so nothing is sent either.
    sent = briefs(root, "send", "secret")
    assert sent.returncode == 1 and not (root / "output" / "outbox").exists()


def test_a_message_holding_words_its_audience_may_not_see_is_not_sent(
    tmp_path: Path,
) -> None:
    """A mail template that prints a Protected B sentence into the partners'
    message: the guard finds it, nothing goes to the partner, and the owner
    is told which item, without its words."""
    root = project(tmp_path, {"partners": job("partners", {"partners": ["p@justice.gc.ca"]})})
    templates = copy_templates(root)
    config = yaml.safe_load((root / "briefs.yaml").read_text())
    config["templates"] = "templates"
    (root / "briefs.yaml").write_text(yaml.safe_dump(config, allow_unicode=True))
    body = templates / "mail" / "body.txt.j2"
    secret = "Whether the Minister should support the prompt passage of Bill C-38"
    body.write_text(body.read_text().replace("{{ w.intro }}", "{{ w.intro }} " + secret, 1))
    done = briefs(root, "send", "partners")
    assert done.returncode == 1
    assert "p@justice.gc.ca: the message would hold words its audience may not see" in done.stderr
    assert "item an-issue of human-trafficking (data/human-trafficking/analysis.yaml:" in (
        done.stderr
    )
    messages = [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
        for p in sorted((root / "output" / "outbox").glob("*.eml"))
    ]
    assert [str(m["To"]) for m in messages] == ["ops@justice.gc.ca"]  # the owner only
    told = messages[0].get_content()
    assert "an-issue" in told and "Bill C-38" not in told and "Minister should" not in told


def test_a_distribution_file_is_not_a_job(tmp_path: Path) -> None:
    root = project(tmp_path, {}, LISTS.replace("not-an-address", "b@canada.ca"))
    done = briefs(root, "jobs")
    assert done.returncode == 0, done.stderr
    assert "no jobs in jobs/" in done.stdout
    shutil.rmtree(root / "jobs")
    assert briefs(root, "check").returncode == 0


def test_a_claim_left_by_an_earlier_life_of_this_pid_is_taken_back(tmp_path: Path) -> None:
    """A restarted process may get the pid of the one that died (PID 1 in a
    container): its own old claim must not look alive to it."""
    from briefs.mail.outbox import me, open_outbox
    from briefs.source.config import load_project

    root = project(tmp_path, {})
    with open_outbox(load_project(root).folders) as box:
        for key in ("earlier-life", "older-briefs", "this-life"):
            assert box.add({"key": key, "job": "j", "kind": "notice", "next_at": 0.0})
            (message,) = [m for m in box.due(time.time()) if m.key == key]
            assert box.claim(message, time.time())
        earlier = f"{socket.gethostname()}:{os.getpid()}:0123456789ab"
        older = f"{socket.gethostname()}:{os.getpid()}"  # as briefs 0.2 wrote claims
        for key, claimer in (("earlier-life", earlier), ("older-briefs", older)):
            box.db.execute("UPDATE outbox SET claimed_by = ? WHERE key = ?", (claimer, key))
        box.db.commit()
        taken = box.reclaim(time.time())
        assert sorted(m.key for m in taken) == ["earlier-life", "older-briefs"]
        states = {m.key: (m.state, m.claimed_by) for m in box.messages()}
        assert states == {
            "earlier-life": ("pending", earlier),
            "older-briefs": ("pending", older),
            "this-life": ("sending", me()),
        }
