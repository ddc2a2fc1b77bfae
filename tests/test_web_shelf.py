"""The shelf of ``briefs serve`` keeps "this brief is current" per stamp of its
files (briefs/web/shelf.py): a request whose files did not move is answered
without asking the pipeline, and any change, in place and of the same size
included, is seen at the next request."""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import briefs.web.shelf as shelf_module
from briefs.editions.digests import RACY_NS
from briefs.pipeline import approve, build, list_editions
from briefs.source.config import load_project
from briefs.source.files import Folders
from briefs.web import stamps
from briefs.web.shelf import Look, Served, Shelf, look
from conftest import SAMPLE

FIGURES = Path("data") / SAMPLE / "figures.yaml"
VALUE = ("    value: 18\n", "    value: 19\n")
"""A public figure's value, and another of the same size."""


def age(root: Path, seconds: float = 10) -> None:
    """Date every file and folder of the project ``seconds`` back, as if the
    last edit were that old (the shelf trusts no stat younger than 2 s)."""
    past = time.time() - seconds
    for folder, _, files in os.walk(root):
        for name in [*files, "."]:
            os.utime(os.path.join(folder, name), (past, past))


@pytest.fixture
def shelf(project: Path, monkeypatch: pytest.MonkeyPatch) -> Shelf:
    """A shelf on a built copy of the sample, public.en looked at twice: the
    first look has the pipeline's stat cache take this copy's files (it writes
    the ledger). Stats are trusted however young (see the last test)."""
    monkeypatch.setattr(stamps, "RACY_NS", 0)
    age(project)
    shelf = Shelf(project)
    public_en(shelf)
    public_en(shelf)
    return shelf


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every time the shelf looks at the ledger and the inputs: is a brief current?"""
    calls: list[str] = []

    def counted(folders: Folders, *names: str) -> Look:
        calls.append("/".join(names))
        return look(folders, *names)

    monkeypatch.setattr(shelf_module, "look", counted)
    return calls


def public_en(shelf: Shelf) -> Served:
    served = shelf.current(shelf.project(), SAMPLE, "public", "en")
    assert served is not None
    return served


def rewrite_in_place(path: Path, old: str, new: str) -> None:
    """An edit that keeps the inode and the size, as some editors save."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    with path.open("r+", encoding="utf-8") as f:
        f.write(text.replace(old, new))


def test_a_current_brief_is_answered_from_its_stamp(shelf: Shelf, asked: list[str]) -> None:
    served = [public_en(shelf) for _ in range(5)]
    assert asked == []
    assert len({s.edition.sha256 for s in served}) == 1
    assert shelf.renders == 0


def test_a_same_size_edit_in_place_is_seen_at_once(
    shelf: Shelf, project: Path, asked: list[str]
) -> None:
    before = public_en(shelf)
    rewrite_in_place(project / FIGURES, *VALUE)
    after = public_en(shelf)
    assert shelf.renders == 1
    assert after.edition.number == before.edition.number + 1
    assert after.edition.sha256 != before.edition.sha256


def test_a_young_stamp_is_not_trusted(
    shelf: Shelf, project: Path, asked: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file modified within 2 s of the look may change again without its
    stat changing (same clock tick, same size): the pipeline is asked again."""
    monkeypatch.setattr(stamps, "RACY_NS", RACY_NS)
    (project / FIGURES).touch()
    for _ in range(3):
        public_en(shelf)
    assert len(asked) == 3


def test_an_edition_published_by_another_process_is_served(
    shelf: Shelf, project: Path, edit: Callable[[Path, str, str], None]
) -> None:
    before = public_en(shelf)
    edit(project / FIGURES, *VALUE)
    build(load_project(project), [SAMPLE], ["public"], ["en"])  # briefs build, elsewhere
    after = public_en(shelf)
    assert shelf.renders == 0
    assert after.edition.number == before.edition.number + 1
    editions = list_editions(load_project(project), SAMPLE)
    assert after.edition == [e for e in editions if (e.audience, e.lang) == ("public", "en")][-1]


def test_a_deleted_pdf_is_put_back(shelf: Shelf, project: Path) -> None:
    served = public_en(shelf)
    pdf = project / served.edition.output
    pdf.unlink()
    again = public_en(shelf)
    assert again == served
    assert pdf.read_bytes() == served.content


def test_a_refused_brief_is_not_tried_again_until_its_data_changes(
    shelf: Shelf, project: Path, asked: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    last = public_en(shelf)
    builds: list[str] = []
    real = build

    def counted(*args: object, **options: object) -> object:
        builds.append("build")
        return real(*args, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(shelf_module, "build", counted)
    figures = project / FIGURES
    good = figures.read_text(encoding="utf-8")
    figures.write_text(good.replace(VALUE[0], "    value: [not a number]\n"), encoding="utf-8")
    age(project)  # else the pipeline hashes it again each time, racy as it is
    # The first try writes the pipeline's stat cache into the ledger, which
    # is then not as stamped: tried twice at most.
    for _ in range(2):
        assert public_en(shelf).edition == last.edition  # the last good one
    tried = len(builds)
    assert 1 <= tried <= 2
    for _ in range(3):
        assert public_en(shelf).edition == last.edition
    assert len(builds) == tried
    figures.write_text(good.replace(*VALUE), encoding="utf-8")
    assert public_en(shelf).edition.number == last.edition.number + 1
    assert len(builds) == tried + 1


def test_requests_waiting_for_a_build_look_once_after_it(
    shelf: Shelf, project: Path, asked: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each request looks before it waits; after the build, one look answers
    all those that waited, not one each."""
    public_en(shelf)
    rewrite_in_place(project / FIGURES, *VALUE)
    looks_then: list[int] = []

    def counted(*args: Any, **options: Any) -> Any:
        try:
            return build(*args, **options)
        finally:
            looks_then.append(len(asked))

    monkeypatch.setattr(shelf_module, "build", counted)
    served: list[Served] = []
    start = threading.Barrier(8)

    def one() -> None:
        start.wait(10)
        served.append(public_en(shelf))

    threads = [threading.Thread(target=one) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(served) == 8
    assert shelf.renders == 1 and len(looks_then) == 1
    assert len({s.edition.sha256 for s in served}) == 1
    assert len(asked) - looks_then[0] <= 2  # one after the build, and a straggler at most


def test_briefs_yaml_is_loaded_again_when_it_changes(shelf: Shelf, project: Path) -> None:
    first = shelf.project()
    assert shelf.project() is first
    config = project / "briefs.yaml"
    config.write_text(config.read_text().replace("page_budget: 6", "page_budget: 7"))
    assert shelf.project().settings.audiences["public"].page_budget == 7


def test_kept_answers_without_waiting_and_only_while_the_stamp_holds(
    shelf: Shelf, project: Path
) -> None:
    """What the server answers on its event loop: never blocked by a build."""
    served = public_en(shelf)
    with shelf._lock(f"{SAMPLE}/public.en"):  # as while a build runs
        assert shelf.kept(SAMPLE, "public", "en") == served
    rewrite_in_place(project / FIGURES, *VALUE)
    assert shelf.kept(SAMPLE, "public", "en") is None


def test_what_readers_get_is_kept_until_an_approval_moves_the_ledger(
    shelf: Shelf, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before any approval nothing is released, and that answer is kept too;
    an approval (it writes the ledger and the output PDF) is seen at once."""
    looked: list[str] = []
    real = shelf_module.release

    def counted(project: Any, *names: str) -> Any:
        looked.append("/".join(names))
        return real(project, *names)

    monkeypatch.setattr(shelf_module, "release", counted)
    for _ in range(3):
        assert shelf.released(shelf.project(), SAMPLE, "public", "en") is None
    assert len(looked) == 1
    assert shelf.kept_release(SAMPLE, "public", "en") is not None

    approve(
        load_project(project), SAMPLE, "public", "en", "Sample Assistant Deputy Minister (sample)"
    )
    age(project)
    served = [shelf.released(shelf.project(), SAMPLE, "public", "en") for _ in range(3)]
    assert len(looked) == 2
    first = served[0]
    assert first is not None and first.edition.number == 1
    assert first.etag == hashlib.sha256(first.content).hexdigest() != first.edition.sha256
