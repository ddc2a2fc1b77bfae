"""What ``briefs approve`` may approve: the current edition of a brief, only
while the inputs still match its fingerprint.

Each check refuses with :class:`~briefs.errors.ApprovalRefused`, naming the
brief, what was expected and what was found. The fingerprint is the one a
build computes (:func:`~briefs.editions.todo.current_fingerprint`), so
"stale" means exactly "a build would make a new edition".
"""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from briefs.audience.plan import Brief
from briefs.editions.approvals import Approval, approval_of, record, settle
from briefs.editions.digests import Digests
from briefs.editions.faults import ensure_writable
from briefs.editions.ledger import Ledger
from briefs.editions.stream import Load, render_all
from briefs.editions.todo import Todo, current_fingerprint
from briefs.errors import ApprovalRefused, Problem
from briefs.render.approval import Signed
from briefs.render.templates import environment
from briefs.render.workers import RenderPool, default_jobs
from briefs.source.bilingual import Text
from briefs.source.config import Audience, Settings
from briefs.source.files import Folders


def check_approver(settings: Settings, dossier: str, audience: str, by: str) -> Text | None:
    """The approver's title to print, when briefs.yaml lists ``approvers:``:
    then ``by`` must be one of them, cleared for the audience, or approving is
    refused. None (no title) when it lists none: anyone may approve."""
    config = settings.audiences.get(audience)
    if config is None or config.approval != "required":
        return None  # refused by approvable(), which says why
    refused = settings.not_cleared(audience, by)
    if refused is not None:
        raise ApprovalRefused(f"{dossier}/{audience}", *refused)
    approver = settings.approver(audience, by)
    return None if approver is None else approver.title


def approval_languages(
    audiences: dict[str, Audience], dossier: str, audience: str, lang: str | None
) -> list[str]:
    """The languages to approve: ``lang``, or every language of the audience."""
    config = audiences.get(audience)
    if config is None:
        known = ", ".join(audiences)
        raise ApprovalRefused(f"{dossier}/{audience}", f"an audience ({known})", audience)
    if lang is not None and lang not in config.languages:
        shown = ", ".join(config.languages)
        raise ApprovalRefused(f"{dossier}/{audience}", f"a language of it ({shown})", lang)
    return [lang] if lang else list(config.languages)


def approve_all(
    briefs: list[Brief],
    load: Load,
    ledger: Ledger,
    folders: Folders,
    by: str,
    number: int | None,
    now: datetime,
    timezone: str,
    title: Text | None = None,
) -> tuple[list[tuple[Approval, bool]], list[Problem]]:
    """Check every brief (:func:`approvable`) before approving any, then approve
    them: each approval, and whether it is new; and the briefs refused.
    ``title`` is the approver's, from briefs.yaml ``approvers:``, printed under
    their name."""
    settle(ledger, folders.root)
    digests = Digests(ledger)
    day = now.astimezone(ZoneInfo(timezone)).date()
    signed = Signed(by, title, day)
    found = [approvable(b, ledger, folders, digests, number, signed) for b in briefs]
    todo = [item for item in found if isinstance(item, Todo)]
    done = [(item, False) for item in found if isinstance(item, Approval)]
    for item in todo:  # say so now, not after rendering
        ensure_writable(item.target.output(folders).parent)
        ensure_writable(item.target.archive(folders, item.number).parent)
    made, problems = publish_approved(
        todo, load, ledger, folders, digests, by=by, now=now, timezone=timezone
    )
    digests.save()
    return done + [(approval, True) for approval in made], problems


def approvable(
    brief: Brief,
    ledger: Ledger,
    folders: Folders,
    digests: Digests,
    number: int | None,
    approved: Signed,
) -> Todo | Approval:
    """The brief's current edition, to render as approved; or its approval,
    when it already has one (approving again changes nothing)."""
    t = brief.target
    if brief.selection.audience.approval != "required":
        raise ApprovalRefused(
            brief.name,
            f"an audience with `approval: required` in briefs.yaml ({t.audience})",
            "`approval: none`: its editions are released as built",
        )
    last = ledger.last(t.dossier, t.audience, t.lang)
    if last is None:
        raise ApprovalRefused(
            brief.name, "an edition to approve", "none yet; `briefs build` makes one"
        )
    if number is not None and number != last.number:
        raise ApprovalRefused(
            brief.name,
            f"edition {last.number}, the current one",
            f"--edition {number}; only the current edition can be approved",
        )
    mark = current_fingerprint(brief, folders, environment(folders.templates), digests)
    if mark != last.fingerprint:
        raise ApprovalRefused(
            brief.name,
            f"the inputs edition {last.number} was built from",
            "inputs changed since (data, configuration, templates or software); "
            "`briefs build` makes a new draft edition of them, then approve that one",
        )
    done = approval_of(ledger, last)
    if done is not None:
        return done
    existing = frozenset(json.loads(last.existing))
    # The same edition again, as decide() renders it on request, but approved.
    return Todo(t, last.number, mark, last.number - 1, last.number, existing, approved=approved)


def publish_approved(
    todo: list[Todo],
    load: Load,
    ledger: Ledger,
    folders: Folders,
    digests: Digests,
    *,
    by: str,
    now: datetime,
    timezone: str,
) -> tuple[list[Approval], list[Problem]]:
    """Render each approvable edition as approved, guarded and held to its page
    budget as a build's are, and record its approval; the refused ones as problems."""
    approved, problems = [], []
    jobs = min(len(todo), default_jobs()) or 1
    with RenderPool(folders.assets, jobs, folders.cache) as pool:
        assets = digests.tree(folders.assets)
        for item, outcome in render_all(todo, load, ledger, folders, digests, pool, assets):
            if isinstance(outcome, Problem):
                problems.append(outcome)
                continue
            t = item.target
            last = ledger.get(t.dossier, t.audience, t.lang, item.number)
            assert last is not None  # approvable() found it, under the same lock
            approved.append(
                record(ledger, folders, last, outcome[1], by=by, now=now, timezone=timezone)
            )
    return approved, problems
