"""What ``briefs serve`` hands out: the current edition of a brief, built
first when its inputs changed, the editions before it, and what readers get
of it (the last approved edition where approval is required:
:mod:`briefs.web.release`).

A request for a stale brief builds it through the one pipeline, with the
trigger ``http``. Concurrent requests for the same brief wait for one look
and one build (a lock per brief), then all take the edition it published.
A build that fails leaves the last good edition, which is served; the
failure is logged, and the brief is not built again until its inputs change.

The server reads the ledger without the state folder's lock: a build holds
that lock while it renders, and the page, the API and every brief already
current must keep answering meanwhile. SQLite's write-ahead log gives a
reader the last committed state, and an edition being published is not
listed until it is.

Asking whether a brief is current reads the ledger and every input's stat
(milliseconds); so does reading its edition and the PDF, and loading
briefs.yaml. Once a brief was found current (or refused by its inputs), the
answer and the PDF's bytes are kept with a stamp of the files it depends on
(:mod:`briefs.web.stamps`), and given again while the stamp holds, without
the lock. A request that waited for the brief's lock takes an answer found
after it arrived: the requests that wait for a build look once after it,
not once each.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from briefs.editions.digests import Digests
from briefs.editions.fresh import assess, inputs_keys
from briefs.editions.ledger import Edition, read_ledger
from briefs.errors import BriefsError, InvalidInput
from briefs.pipeline import build
from briefs.source.config import Project, load_project
from briefs.source.files import CONFIG_NAME, Folders
from briefs.web import stamps
from briefs.web.release import Copy, release
from briefs.web.stamps import Kept

log = logging.getLogger("briefs.web")


@dataclass(frozen=True)
class Served:
    """A PDF to send, and the edition its headers describe."""

    edition: Edition
    content: bytes
    sha256: str = ""
    """The content's SHA-256 when it is not the edition's (an approved PDF)."""
    draft: bool = False
    """An edition awaiting approval: only for author and approver tokens."""

    @property
    def etag(self) -> str:
        return self.sha256 or self.edition.sha256


@dataclass(frozen=True)
class Look:
    """Whether a brief must be built, and its dossier's inputs key now (None
    when current, or when there is no ledger to compare with)."""

    stale: bool
    inputs: str | None


class Shelf:
    """One project's briefs, as the server sees them."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        self._failed: dict[str, str] = {}
        """Brief → the inputs key its last build failed with."""
        self._last: Project | None = None
        self._broken: str | None = None
        """Why briefs.yaml does not load now, when it does not."""
        self._project: Kept[Project] | None = None
        self._current: dict[str, Kept[Served]] = {}
        """Briefs found current, or refused by their inputs."""
        self._released: dict[str, Kept[Served | None]] = {}
        """What readers get of each brief (None: nothing approved yet)."""
        self.renders = 0
        """Builds that published something, for tests and the bench."""

    def project(self) -> Project:
        """The project as briefs.yaml says now; while briefs.yaml does not load
        (an author's half-saved edit), the last one that did, and nothing is
        built until it loads again. Loaded again only when its stat moves."""
        kept = self._project
        if kept is not None and kept.holds():
            return kept.value
        taken, looked = time.time_ns(), time.monotonic()
        config = stamps.of([self.root / CONFIG_NAME])
        project = self._load()
        self._project = stamps.keep(project, config, taken, looked)
        return project

    def _load(self) -> Project:
        try:
            project = load_project(self.root)
        except BriefsError as exc:
            with self._guard:
                last, said, self._broken = self._last, self._broken, str(exc)
            if last is None:
                raise
            if said != str(exc):
                log.error("briefs.yaml: serving the last editions, building nothing: %s", exc)
            return last
        with self._guard:
            if self._broken is not None:
                log.info("briefs.yaml loads again")
            self._last, self._broken = project, None
        return project

    def _lock(self, brief: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(brief, threading.Lock())

    def kept(self, dossier: str, audience: str, lang: str) -> Served | None:
        """The answer kept for a brief while its stamp holds, else None: a few
        dozen stats, never a wait (no lock, no ledger, no build)."""
        kept = self._current.get(f"{dossier}/{audience}.{lang}")
        return kept.value if kept is not None and kept.holds() else None

    def current(self, project: Project, dossier: str, audience: str, lang: str) -> Served | None:
        """The current edition, built first if its inputs changed."""
        arrived = time.monotonic()
        served = self.kept(dossier, audience, lang)
        if served is not None:
            return served
        brief = f"{dossier}/{audience}.{lang}"
        folders = project.folders
        with self._lock(brief):  # one look and one build; the others wait, then take its answer
            kept = self._current.get(brief)
            if kept is not None and kept.looked >= arrived:  # looked at since we came
                return kept.value
            # Stamped before looking: an edit from now on changes the stamp.
            stamp = stamps.brief(folders, dossier, audience, lang)
            settled = True
            if self._broken is None:
                now = look(folders, dossier, audience, lang)
                if now.stale and (now.inputs is None or self._failed.get(brief) != now.inputs):
                    settled = self._build(project, brief, now.inputs, dossier, audience, lang)
            served = self.edition(project, dossier, audience, lang)
            if served is not None and settled:  # else the ledger moved, or a fault
                self._current[brief] = stamps.keep(served, *stamp)
            return served

    def _build(self, project: Project, brief: str, inputs: str | None, *names: str) -> bool:
        """Build one brief. When its inputs are at fault (invalid, or refused for
        a leak, its page budget or a template error), remember them, so that the
        next request serves the last edition instead of failing again; a fault
        of the machine (a full disk, say) is tried again. Whether the answer
        now holds until the inputs change (refused by them)."""
        dossier, audience, lang = names
        started = time.monotonic()
        failed = True
        try:
            report = build(project, [dossier], [audience], [lang], trigger="http", jobs=1)
        except InvalidInput as exc:
            log.error("%s: not rebuilt, serving the last edition: %s", brief, exc)
        except BriefsError as exc:
            log.error("%s: not rebuilt, serving the last edition: %s", brief, exc)
            inputs = None
        else:
            for problem in report.problems:
                log.error("%s: refused, serving the last edition: %s", brief, problem)
            failed = bool(report.problems)
            if report.built:
                self.renders += 1
                log.info("built %s in %.2f s", brief, time.monotonic() - started)
        # The key was taken before the build: an edit landing during it changes
        # the key, so the next request tries again.
        if failed and inputs is not None:
            self._failed[brief] = inputs
            return True
        self._failed.pop(brief, None)
        return False

    def kept_release(self, dossier: str, audience: str, lang: str) -> Kept[Served | None] | None:
        """What readers get of a brief, kept while its stamp holds, else None:
        stats only, so a released brief is answered on the event loop."""
        kept = self._released.get(f"{dossier}/{audience}.{lang}")
        return kept if kept is not None and kept.holds() else None

    def released(self, project: Project, dossier: str, audience: str, lang: str) -> Served | None:
        """What a reader gets of a brief: its last approved edition when its
        audience needs approval (None before any), else its newest. Kept
        while the brief's stamp holds (an approval writes the ledger)."""
        brief = f"{dossier}/{audience}.{lang}"
        kept = self._released.get(brief)
        if kept is not None and kept.holds():
            return kept.value
        stamp = stamps.brief(project.folders, dossier, audience, lang)
        got = release(project, dossier, audience, lang)
        served = None
        if got is not None:
            handed = Copy(got.edition, got.pdf, got.sha256, got.approval, False)
            served = self.handed(project, handed)
        if got is None or served is not None:
            self._released[brief] = stamps.keep(served, *stamp)
        return served

    def handed(self, project: Project, copy: Copy) -> Served | None:
        """The bytes of an edition's copy, only if their SHA-256 is the one recorded."""
        content = read_placed(project.folders, copy.pdf)
        if content is None or hashlib.sha256(content).hexdigest() != copy.sha256:
            return None
        return Served(copy.edition, content, copy.sha256, copy.draft)

    def edition(
        self, project: Project, dossier: str, audience: str, lang: str, number: int | None = None
    ) -> Served | None:
        """A published edition (the newest by default) whose PDF is on disk: the
        current one from the output folder, else from the archive, and a past
        one from the archive; always bytes whose SHA-256 is the edition's, so
        that the body and its ETag agree even while a build replaces the PDF."""
        editions = [
            e
            for e in published(project.folders, dossier)
            if e.audience == audience and e.lang == lang
        ]
        if number is not None:
            editions = [e for e in editions if e.number == number]
        if not editions:
            return None
        edition = editions[-1]
        places = [edition.archive] if number is not None else [edition.output, edition.archive]
        for place in places:
            content = read_placed(project.folders, place)
            if content is not None and hashlib.sha256(content).hexdigest() == edition.sha256:
                return Served(edition, content)
        return None


def read_placed(folders: Folders, place: str) -> bytes | None:
    """A PDF the ledger names, read only from the output folder or the archive."""
    path = (folders.root / place).resolve()
    inside = path.is_relative_to(folders.output.resolve()) or path.is_relative_to(
        (folders.state / "archive").resolve()
    )
    if not inside or not path.is_file():
        return None
    try:
        return path.read_bytes()
    except OSError:
        return None


def published(folders: Folders, dossier: str | None = None) -> list[Edition]:
    """Every published edition, read without the lock: never waits for a build."""
    with read_ledger(folders, settle=False) as ledger:
        return ledger.editions(dossier) if ledger is not None else []


def look(folders: Folders, dossier: str, audience: str, lang: str) -> Look:
    """Must the brief be built? Answered from file stats and the ledger, read
    without the lock; the digests it computes are not kept (a build keeps them)."""
    with read_ledger(folders, settle=False) as ledger:
        if ledger is None:
            return Look(True, None)
        digests = Digests(ledger)
        fresh = assess(folders, ledger, digests, [dossier], [audience], [lang])
        if fresh is not None and not fresh.stale:
            return Look(False, None)
        return Look(True, inputs_keys(folders, digests, [dossier])[dossier])
