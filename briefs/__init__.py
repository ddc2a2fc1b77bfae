"""briefs: audience-tailored, bilingual PDF briefs from one YAML source of truth.

This module is the public API; everything else is internal. Names are loaded
on first use, so that ``briefs --help`` and a build with nothing to do start
fast and never import WeasyPrint.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.2.0"

_EXPORTS = {
    "build": "briefs.builder",
    "Report": "briefs.builder",
    "Request": "briefs.builder",
    "check": "briefs.planning",
    "plan": "briefs.planning",
    "Project": "briefs.config",
    "load_project": "briefs.config",
    "list_editions": "briefs.ledger",
    "BriefsError": "briefs.errors",
    "BriefsRefused": "briefs.errors",
    "FetchRefused": "briefs.errors",
    "InvalidInput": "briefs.errors",
    "LeakDetected": "briefs.errors",
    "PageBudgetExceeded": "briefs.errors",
    "Problem": "briefs.errors",
    "ProjectNotFound": "briefs.errors",
}

__all__ = [
    "BriefsError",
    "BriefsRefused",
    "FetchRefused",
    "InvalidInput",
    "LeakDetected",
    "PageBudgetExceeded",
    "Problem",
    "Project",
    "ProjectNotFound",
    "Report",
    "Request",
    "build",
    "check",
    "list_editions",
    "load_project",
    "plan",
]

if TYPE_CHECKING:
    from briefs.builder import Report, Request, build
    from briefs.config import Project, load_project
    from briefs.errors import (
        BriefsError,
        BriefsRefused,
        FetchRefused,
        InvalidInput,
        LeakDetected,
        PageBudgetExceeded,
        Problem,
        ProjectNotFound,
    )
    from briefs.ledger import list_editions
    from briefs.planning import check, plan


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'briefs' has no attribute {name!r}")
    return getattr(import_module(_EXPORTS[name]), name)
