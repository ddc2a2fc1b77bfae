"""Render workers kept warm between the builds of ``briefs run``."""

from __future__ import annotations

import logging
from pathlib import Path

from briefs.render.workers import RenderPool, default_jobs
from briefs.source.config import Project
from briefs.source.files import tree_digest

log = logging.getLogger("briefs.run")


class WarmPool:
    """One pool of render workers, remade when the stylesheet or fonts change:
    a warm renderer is made from the assets it started with."""

    def __init__(self) -> None:
        self.pool: RenderPool | None = None
        self.assets = ""

    def open(self, project: Project) -> None:
        f = project.folders
        workers = project.settings.run.workers or default_jobs()
        self.pool = RenderPool(f.assets, workers, f.cache).__enter__()
        self.assets = _stat_key(f.assets)

    def renew(self, project: Project) -> None:
        if _stat_key(project.folders.assets) != self.assets:
            log.info("assets changed; starting fresh render workers")
            self.close()
            self.open(project)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.__exit__(None, None, None)
            self.pool = None


def _stat_key(folder: Path) -> str:
    def signature(path: Path) -> str:
        st = path.stat()
        return f"{st.st_mtime_ns}:{st.st_size}:{st.st_ino}"

    return tree_digest(folder, signature)
