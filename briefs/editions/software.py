"""What renders the bytes: a new version of any of it makes every brief stale."""

from __future__ import annotations

import os
import sys
from functools import cache

from briefs.render.engine import hb_subset_installed
from briefs.version import __version__

RENDERING_PACKAGES = (
    "weasyprint",
    "pydyf",
    "fonttools",
    "tinycss2",
    "jinja2",
    "babel",
    "pypdfium2",
)
"""Packages whose version can change a brief's bytes or its leak check."""


@cache
def _installed_versions() -> dict[str, str]:
    """Versions read from ``*.dist-info`` folder names: one directory listing
    per path entry, where importlib.metadata takes tens of milliseconds."""
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            if name.endswith(".dist-info"):
                package, _, version = name[: -len(".dist-info")].partition("-")
                found.setdefault(package.lower().replace("_", "-"), version)
    return found


@cache
def software() -> str:
    """The versions of briefs and of every rendering package, as one string.

    Includes whether HarfBuzz's subsetter is present, since fonts are subset
    differently without it.
    """
    from importlib import metadata  # tens of milliseconds; only for the odd missing one

    installed = _installed_versions()
    versions = [f"briefs {__version__}"]
    versions += [
        f"{name} {installed.get(name) or metadata.version(name)}" for name in RENDERING_PACKAGES
    ]
    versions.append("hb-subset" if hb_subset_installed() else "no hb-subset")
    return "; ".join(versions)
