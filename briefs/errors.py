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
        super().__init__(
            f"{len(self.problems)} brief(s) refused; their last PDFs are unchanged:\n{lines}"
        )


class LeakDetected(BriefsError):
    """A rendered brief contains text of an item its audience must not see."""

    def __init__(self, brief: str, items: list[str]) -> None:
        self.brief = brief
        self.items = items
        self.reason = (
            f"refused to write: the rendered text contains excluded item(s) "
            f"{', '.join(items)}. Check the template for hard-coded or mis-selected content."
        )
        super().__init__(f"{brief}: {self.reason}")


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


class ProjectNotFound(BriefsError):
    """The folder given is not a briefs project."""

    def __init__(self, root: Path) -> None:
        super().__init__(f"{root}: no briefs.yaml here; run from a briefs project or pass -C DIR.")
