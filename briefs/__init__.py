"""briefs: audience-tailored, bilingual PDF briefs from one YAML source of truth.

This module is the public API; everything else is internal. Names are loaded
on first use, so that ``briefs --help`` and a build with nothing to do start
fast and never import WeasyPrint.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from briefs.version import __version__

_EXPORTS = {
    "approve": "briefs.pipeline",
    "build": "briefs.pipeline",
    "check": "briefs.pipeline",
    "list_editions": "briefs.pipeline",
    "plan": "briefs.pipeline",
    "Report": "briefs.request",
    "Request": "briefs.request",
    "Project": "briefs.source.config",
    "load_project": "briefs.source.config",
    "ApprovalRefused": "briefs.errors",
    "ArchiveConflict": "briefs.errors",
    "BriefsError": "briefs.errors",
    "BriefsRefused": "briefs.errors",
    "DiskFull": "briefs.errors",
    "FetchRefused": "briefs.errors",
    "FolderNotWritable": "briefs.errors",
    "InvalidInput": "briefs.errors",
    "Leak": "briefs.errors",
    "LedgerDamaged": "briefs.errors",
    "LeakDetected": "briefs.errors",
    "PageBudgetExceeded": "briefs.errors",
    "Problem": "briefs.errors",
    "ProjectNotFound": "briefs.errors",
    "TemplateFailed": "briefs.errors",
    "UnknownDossier": "briefs.errors",
}

__all__ = [
    "ApprovalRefused",
    "ArchiveConflict",
    "BriefsError",
    "BriefsRefused",
    "DiskFull",
    "FetchRefused",
    "FolderNotWritable",
    "InvalidInput",
    "Leak",
    "LeakDetected",
    "LedgerDamaged",
    "PageBudgetExceeded",
    "Problem",
    "Project",
    "ProjectNotFound",
    "Report",
    "Request",
    "TemplateFailed",
    "UnknownDossier",
    "__version__",
    "approve",
    "build",
    "check",
    "list_editions",
    "load_project",
    "plan",
]

if TYPE_CHECKING:
    from briefs.errors import (
        ApprovalRefused,
        ArchiveConflict,
        BriefsError,
        BriefsRefused,
        DiskFull,
        FetchRefused,
        FolderNotWritable,
        InvalidInput,
        Leak,
        LeakDetected,
        LedgerDamaged,
        PageBudgetExceeded,
        Problem,
        ProjectNotFound,
        TemplateFailed,
        UnknownDossier,
    )
    from briefs.pipeline import approve, build, check, list_editions, plan
    from briefs.request import Report, Request
    from briefs.source.config import Project, load_project


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'briefs' has no attribute {name!r}")
    return getattr(import_module(_EXPORTS[name]), name)
