"""Shared fixtures: real projects in tmp_path, built with the real pipeline."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from briefs import Project, build, load_project
from briefs.source.loading import Loaded, load_dossiers

REPO = Path(__file__).resolve().parent.parent
SAMPLE = "human-trafficking"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def copy_templates(folder: Path) -> Path:
    """A copy of the repo's templates in ``folder``/templates, for a test to edit."""
    templates = folder / "templates"
    shutil.copytree(REPO / "templates", templates)
    return templates


def load_one(project: Project, dossier: str = SAMPLE) -> Loaded:
    """One dossier of ``project``, loaded and validated as a build would."""
    (loaded,) = load_dossiers(project.folders, project.settings.audiences, [dossier])
    return loaded


def write_project(
    root: Path,
    *,
    dossiers: dict[str, Path] | None = None,
    audiences: dict[str, dict[str, object]] | None = None,
    templates: Path | None = None,
) -> Path:
    """A briefs project in ``root``: copies of dossiers, the repo's templates by default."""
    config = yaml.safe_load((REPO / "briefs.yaml").read_text())
    if audiences is not None:
        config["audiences"] = audiences
        # Approvers may name only audiences the project has: keep those.
        approvers = [
            {**a, "audiences": [x for x in a["audiences"] if x in audiences]}
            for a in config.get("approvers", [])
        ]
        config["approvers"] = [a for a in approvers if a["audiences"]]
    config["templates"] = str(templates or REPO / "templates")
    root.mkdir(parents=True, exist_ok=True)
    (root / "briefs.yaml").write_text(yaml.safe_dump(config, allow_unicode=True))
    for name, source in (dossiers or {SAMPLE: REPO / "data" / SAMPLE}).items():
        shutil.copytree(source, root / "data" / name)
    return root


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    """A copy of the sample project that a test may break."""
    return write_project(tmp_path / "project")


@dataclass
class Built:
    root: Path
    paths: dict[str, Path]

    def reader(self, name: str) -> PdfReader:
        return PdfReader(self.paths[name])

    def text(self, name: str) -> str:
        return "\n".join(page.extract_text() for page in self.reader(name).pages)

    def pages(self, name: str) -> list[str]:
        return [page.extract_text() for page in self.reader(name).pages]


@pytest.fixture(scope="session")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The six sample briefs, built once for the whole session."""
    root = write_project(tmp_path_factory.mktemp("sample"))
    report = build(load_project(root), html=True)
    paths = {f"{p.stem}": p for p in report.built}
    return Built(root, paths)


CHARTED = "trafficking-statistics"
"""A fixture dossier dated after June 2018 with one series: the sample's own
dossier (as of February 2017) may show no chart of data published later."""


@pytest.fixture(scope="session")
def charted(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The chart fixture's partners and public briefs, built once (with HTML)."""
    root = write_project(tmp_path_factory.mktemp("charted"), dossiers={CHARTED: FIXTURES / CHARTED})
    report = build(load_project(root), audiences=["partners", "public"], html=True)
    return Built(root, {f"{p.stem}": p for p in report.built})


def tree_state(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes, to prove nothing changed.
    The edition ledger's own folder (``.state``) is not a brief and is left out."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".state" not in p.relative_to(folder).parts
    }


@pytest.fixture
def edit() -> Callable[[Path, str, str], None]:
    """Replace one exact snippet in a file, failing loudly if it is not there."""

    def _edit(path: Path, old: str, new: str) -> None:
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {path}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return _edit


# -- briefs run and mail: the sample built once, a copy per test ---------------------

QUICK = {"scan": 600, "settle": 0.2, "workers": 1, "grace": 3600}
"""briefs.yaml's ``run:`` for the tests: events, not the scan, drive rebuilds."""


def configure(root: Path, **run: object) -> None:
    """Set ``run:`` settings in the project's briefs.yaml."""
    config = root / "briefs.yaml"
    settings = yaml.safe_load(config.read_text())
    settings["run"] = {**settings.get("run", {}), **run}
    config.write_text(yaml.safe_dump(settings, allow_unicode=True))


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample project with quick run settings, built once: PDFs, ledger, archive."""
    root = write_project(tmp_path_factory.mktemp("run") / "project")
    configure(root, **QUICK)
    build(load_project(root))
    return root


@pytest.fixture
def project(built: Path, tmp_path: Path) -> Path:
    """A private copy of the built project (output/.state included), with an
    empty jobs folder."""
    root = tmp_path / "project"
    shutil.copytree(built, root)
    (root / "jobs").mkdir()
    return root
