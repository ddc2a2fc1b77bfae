"""Golden HTML: what the templates produce for the second dossier, reviewed in diffs.

Regenerate after an intended template change with ``make golden`` and read the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from briefs import load_project, plan
from briefs.editions.todo import Draft, html_for
from conftest import FIXTURES, write_project

GOLDEN = Path(__file__).parent / "golden"
DRIVING = "impaired-driving"


@pytest.mark.parametrize("name", ["minister.en", "minister.fr", "partners.fr", "public.en"])
def test_html_matches_golden(tmp_path: Path, name: str) -> None:
    root = write_project(tmp_path / "p", dossiers={DRIVING: FIXTURES / DRIVING})
    audience, lang = name.split(".")
    (brief,) = plan(load_project(root), [DRIVING], [audience], [lang])
    html = html_for(Draft.first(brief), load_project(root).folders.templates)
    golden = GOLDEN / f"{DRIVING}.{name}.html"
    if os.environ.get("BRIEFS_UPDATE_GOLDEN"):
        golden.write_text(html, encoding="utf-8")
    assert golden.exists(), "run `make golden` to create it"
    assert html == golden.read_text(encoding="utf-8")
