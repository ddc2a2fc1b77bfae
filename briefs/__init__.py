"""briefs: audience-tailored, bilingual PDF briefs from one YAML source of truth.

This module is the public API; everything else is internal.
"""

from briefs.build import build, check, plan
from briefs.config import Project, load_project
from briefs.errors import (
    BriefsError,
    FetchRefused,
    InvalidInput,
    LeakDetected,
    PageBudgetExceeded,
    Problem,
    ProjectNotFound,
)

__all__ = [
    "BriefsError",
    "FetchRefused",
    "InvalidInput",
    "LeakDetected",
    "PageBudgetExceeded",
    "Problem",
    "Project",
    "ProjectNotFound",
    "build",
    "check",
    "load_project",
    "plan",
]
