"""Has anything changed? Answered from file stats, before any heavy import.

Every file a brief can depend on is stat-ed; only files whose stat moved are
read and hashed (see :mod:`briefs.editions.digests`). A brief's *inputs key*
digests its dossier's files, the configuration, the templates folder and the
software versions. When every requested brief's key and output match the
ledger, the build is a no-op, decided with the standard library, PyYAML and
SQLite only.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from briefs.editions.approvals import shown_digests
from briefs.editions.digests import Digests
from briefs.editions.ledger import LEDGER_NAME, Ledger, open_ledger
from briefs.editions.software import software
from briefs.source.files import Folders, dossier_files, dossier_names


def inputs_keys(folders: Folders, digests: Digests, dossiers: list[str]) -> dict[str, str]:
    """The inputs key of each dossier's briefs."""
    shared = "\n".join(
        [software(), str(digests.of(folders.config)), digests.tree(folders.templates)]
    )
    keys = {}
    for name in dossiers:
        files = dossier_files(folders.data / name) if (folders.data / name).is_dir() else []
        listing = "\n".join(f"{f.name}\0{digests.of(f)}" for f in files)
        keys[name] = hashlib.sha256(f"{shared}\n{listing}".encode()).hexdigest()
    return keys


@dataclass(frozen=True)
class Freshness:
    """Which of the requested dossiers have a stale brief, and how many are current."""

    stale: list[str]
    current: int


def freshness(
    folders: Folders, dossiers: list[str], audiences: list[str], langs: list[str]
) -> Freshness | None:
    """:func:`assess` with its own look at the ledger, when there is one."""
    if not (folders.state / LEDGER_NAME).is_file():
        return None
    with open_ledger(folders) as ledger:
        digests = Digests(ledger)
        fresh = assess(folders, ledger, digests, dossiers, audiences, langs)
        digests.save()
        return fresh


def assess(
    folders: Folders,
    ledger: Ledger,
    digests: Digests,
    dossiers: list[str],
    audiences: list[str],
    langs: list[str],
) -> Freshness | None:
    """Compare every requested brief's inputs key and PDF with the ledger.

    Any doubt (a dossier added or removed, changed configuration, an unknown
    name) answers None: then every dossier is treated as stale and the full
    pipeline decides.
    """
    planned = ledger.meta("plan")
    if not folders.data.is_dir() or not planned or planned["config"] != digests.of(folders.config):
        return None
    available = dossier_names(folders.data)
    if available != planned["dossiers"] or any(d not in available for d in dossiers):
        return None
    if any(a not in planned["audiences"] for a in audiences):
        return None
    keys = inputs_keys(folders, digests, dossiers or available)
    known, latest, approved = ledger.all_inputs(), ledger.latest(), shown_digests(ledger)
    wanted = [
        (audience, lang)
        for audience, audience_langs in planned["audiences"].items()
        if not audiences or audience in audiences
        for lang in audience_langs
        if not langs or lang in langs
    ]
    stale, current = [], 0
    for dossier, key in keys.items():
        for audience, lang in wanted:
            brief = (dossier, audience, lang)
            edition = latest.get(brief)
            if (
                known.get(brief) != key
                or edition is None
                or digests.of(folders.root / edition.output)
                != approved.get((*brief, edition.number), edition.sha256)
            ):
                stale.append(dossier)
                break
        else:
            current += len(wanted)
    return Freshness(stale, current)


def up_to_date(
    folders: Folders, dossiers: list[str], audiences: list[str], langs: list[str]
) -> int | None:
    """How many briefs are current when all requested are; None otherwise."""
    fresh = freshness(folders, dossiers, audiences, langs)
    return fresh.current if fresh is not None and not fresh.stale else None
