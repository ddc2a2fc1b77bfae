"""A build holds a dossier or two at a time, not all of them: every dossier is
validated first, then each is loaded again in its turn and let go once its
briefs are rendered (issue #9: a long-running process holds only what it needs)."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

from briefs import build, load_project
from briefs.source.loading import Loaded
from conftest import REPO, SAMPLE, write_project


def test_a_build_lets_each_dossier_go(tmp_path: Path) -> None:
    names = [f"d{index}" for index in range(4)]
    root = write_project(tmp_path / "p", dossiers={n: REPO / "data" / SAMPLE for n in names})
    held: list[set[str]] = []
    seen: list[weakref.ref[Loaded]] = []

    def progress(brief: str, done: int, total: int) -> None:
        gc.collect()
        loaded = [o for o in gc.get_objects() if isinstance(o, Loaded)]
        held.append({o.dossier.name for o in loaded})
        seen.extend(weakref.ref(o) for o in loaded)

    report = build(
        load_project(root), audiences=["public"], langs=["en"], jobs=1, progress=progress
    )
    assert len(report.built) == len(names)
    assert held and all(len(dossiers) <= 2 for dossiers in held), held
    gc.collect()
    assert [ref() for ref in seen] == [None] * len(seen)
