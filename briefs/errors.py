"""The one exception hierarchy of briefs.

Every error a user can cause is a :class:`BriefsError`. Input problems are
collected as :class:`Problem` values and raised together as one
:class:`InvalidInput`, so an analyst sees every mistake at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input, located as precisely as we can."""

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"


def quoted(value: object, limit: int = 40) -> str:
    """``value`` as a message quotes it: its repr, cut to ``limit`` characters,
    so a message never echoes a file's content at length (a linked secret, say)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class BriefsError(Exception):
    """Base class: something the user can fix. The CLI maps these to exit codes."""

    exit_code = 1


class InvalidInput(BriefsError):
    """Data, configuration or templates are wrong; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(set(problems))
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"{count} {noun} found; nothing was written:\n{lines}")


class BriefsRefused(BriefsError):
    """Some briefs could not be published; the others were, and the refused
    ones kept their last good PDF."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(set(problems))
        lines = "\n".join(f"  {p}" for p in self.problems)
        # Each line says whether that brief's last PDF is unchanged or there was none.
        super().__init__(f"{len(self.problems)} brief(s) refused:\n{lines}")


@dataclass(frozen=True)
class Leak:
    """Words of an excluded item seen in a rendered brief, and where the item is written."""

    item: str
    phrase: str
    """The words found, shortened: enough to find them, not the whole secret."""
    file: str
    line: int | None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"« {self.phrase} » from excluded item {self.item} ({where})"


class LeakDetected(BriefsError):
    """A rendered brief contains text of an item its audience must not see.

    ``file`` and ``line`` point at the template when its own text holds the
    words, and otherwise at the first excluded item found in the data.
    """

    def __init__(
        self, brief: str, leaks: list[Leak], template: tuple[str, int | None] | None = None
    ) -> None:
        self.brief = brief
        self.leaks = leaks
        self.items = [leak.item for leak in leaks]
        found = "; ".join(str(leak) for leak in leaks)
        if template is not None:
            self.file, self.line = template
            self.reason = (
                f"refused to write: the template prints {found}. "
                "Remove those words from the template."
            )
        else:
            self.file, self.line = leaks[0].file, leaks[0].line
            self.reason = (
                f"refused to write: the rendered text contains {found}, which this audience "
                "may not see. The template's own text does not hold these words: check "
                "that item's classification and audiences, and the data this audience sees."
            )
        super().__init__(f"{brief}: {self.reason}")


class TemplateFailed(BriefsError):
    """A template stopped while rendering: an undefined name, or something the
    sandbox forbids. ``file`` and ``line`` say where, in the templates folder."""

    def __init__(self, file: str, line: int | None, reason: str) -> None:
        self.file = file
        self.line = line
        self.reason = reason
        where = file if line is None else f"{file}:{line}"
        super().__init__(f"{where}: {reason}")


class PageBudgetExceeded(BriefsError):
    """A brief is longer than its audience allows."""

    def __init__(self, brief: str, pages: int, budget: int) -> None:
        self.brief = brief
        self.pages = pages
        self.budget = budget
        self.reason = (
            f"{pages} pages, over the audience's page budget of {budget}; "
            "shorten the content selected for it or raise page_budget in briefs.yaml."
        )
        super().__init__(f"{brief}: {self.reason}")


class FetchRefused(BriefsError):
    """The renderer asked for a resource outside the shipped assets."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = f"refused to fetch {url!r}: {reason}"
        self._args = (url, reason)
        super().__init__(self.reason)

    def __reduce__(self) -> tuple[type, tuple[str, str]]:
        return (type(self), self._args)


class FontNotShipped(BriefsError):
    """A PDF would use a font that is not shipped with the templates."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class ProjectNotFound(BriefsError):
    """The folder given is not a briefs project."""

    def __init__(self, root: Path) -> None:
        super().__init__(f"{root}: no briefs.yaml here; run from a briefs project or pass -C DIR.")


class UnknownDossier(BriefsError):
    """A dossier name that is neither a folder under data/ nor in the ledger."""

    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(
            f"expected a dossier, found no {name!r} (dossiers: {', '.join(known) or 'none'})"
        )


class FolderNotWritable(BriefsError):
    """A build must write to the output or state folder, and may not."""

    def __init__(self, folder: str, reason: str) -> None:
        self.folder = folder
        super().__init__(
            f"{folder}: write permission needed ({reason}). Give the user running briefs "
            "write access to it (or remount it read-write), or set output: and state: in "
            "briefs.yaml to writable folders. The PDFs in place are unchanged."
        )


class LedgerDamaged(BriefsError):
    """The edition ledger cannot be read as a database."""

    def __init__(self, ledger: str, reason: str) -> None:
        self.ledger = ledger
        super().__init__(
            f"{ledger}: the edition ledger is damaged ({reason}). The archived PDFs are "
            "untouched. Move the ledger aside, with its -wal and -shm files if any, and "
            "build again: the next build starts a new ledger and numbers each brief's "
            "editions after the highest one in its archive."
        )


class DiskFull(BriefsError):
    """A write failed for want of space: the disk, a quota or ``ulimit -f``."""

    def __init__(self, path: str, cause: str) -> None:
        self.path = path
        super().__init__(
            f"could not write {path}: {cause}. Free some space or raise the limit, then "
            "build again: no PDF was left half-written, and the next build settles the "
            "edition left pending and publishes the rest."
        )


class ArchiveConflict(BriefsError):
    """Publishing would overwrite an archived edition."""

    def __init__(self, archive: str) -> None:
        self.archive = archive
        super().__init__(
            f"{archive}: an archived edition is already there; refusing to overwrite it. "
            "An archived PDF is never replaced: move it aside only once you know which "
            "edition it is, then build again."
        )


class ApprovalRefused(BriefsError):
    """``briefs approve`` will not approve this brief: nothing was recorded."""

    def __init__(self, brief: str, expected: str, found: str) -> None:
        self.brief, self.expected, self.found = brief, expected, found
        super().__init__(f"{brief}: not approved: expected {expected}, found {found}")


class AlreadyRunning(BriefsError):
    """Another ``briefs run`` keeps this project: two schedulers would run every job twice."""

    def __init__(self, state: str, pid: str) -> None:
        self.pid = pid
        who = f"process {pid}" if pid else "another process"
        super().__init__(
            f"briefs run is already running for this project ({who} holds {state}/run.lock); "
            "stop it first, or use `briefs build` and `briefs jobs run`, which are safe beside it"
        )


class UnknownJob(BriefsError):
    """A job id that is not a job file."""

    def __init__(self, name: str, known: list[str]) -> None:
        listed = ", ".join(known) or "none"
        super().__init__(f"no job {name!r} in the jobs folder (jobs: {listed})")


class MailSettingsInvalid(BriefsError):
    """The BRIEFS_SMTP_* environment variables are wrong; nothing was sent."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(
            f"the mail settings in the environment are wrong; nothing was sent:\n{lines}"
        )


class MailFailed(BriefsError):
    """One message could not be sent. ``temporary`` ones (4xx, a dropped
    connection, a timeout) are tried again later; the others are not."""

    def __init__(self, message: str, *, temporary: bool, connection: bool = False) -> None:
        super().__init__(message)
        self.temporary = temporary
        self.connection = connection
        """The server could not be reached or talked to at all: the other
        messages would fail the same way."""


class Unsendable(BriefsError):
    """A message failed its last check (a PDF that does not open, is blank or
    is not its edition's bytes): it is never sent, and its job's owner is told."""
