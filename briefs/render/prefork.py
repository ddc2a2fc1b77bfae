"""Imported by the render workers' fork server before it forks any worker.

Importing it loads WeasyPrint and prepares a warm Renderer for the assets
named in the environment (see :func:`briefs.render.workers.start_early`), so that
this costly part is done once per build instead of once per worker.
"""

from __future__ import annotations

import os
from pathlib import Path

from briefs.render.workers import ASSETS_VARIABLE, prepare

if os.environ.get(ASSETS_VARIABLE):
    prepare(Path(os.environ[ASSETS_VARIABLE]))
