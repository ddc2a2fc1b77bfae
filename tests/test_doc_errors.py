"""The error messages quoted in docs/data-format.md are real.

Each scenario below breaks a copy of the sample project the way the page
describes, and runs ``briefs check``. Every line quoted in a code block of the
page's "Errors you may see" section must be printed, word for word, by one of
them. When a message changes, this test names the quoted line that is no
longer printed; run this module directly to see what the scenarios print:
``python tests/test_doc_errors.py``.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest
from click.testing import CliRunner

from briefs.cli import main
from conftest import REPO, SAMPLE, write_project

PAGE = REPO / "docs" / "data-format.md"
DATA = f"data/{SAMPLE}"

Edit = tuple[str, str, str]
"""(file under the project, old text, new text): one exact replacement."""


def fact(fid: str = "fact-taskforce", **fields: str) -> str:
    """A fact as an analyst writes it, one field a line; ``None``-like "" drops a field."""
    values = {
        "id": fid,
        "classification": "unclassified",
        "source": "src-backgrounder",
        "topic": "coordination",
        "text": '{en: "The Taskforce leads.", fr: "Le Groupe de travail dirige."}',
        **fields,
    }
    lines = [f"{key}: {value}" for key, value in values.items() if value]
    return "  - " + "\n    ".join(lines) + "\n"


def figure(**fields: str) -> str:
    values = {
        "id": "fig-x",
        "classification": "unclassified",
        "source": "src-backgrounder",
        "label": '{en: "A figure", fr: "Une donnée"}',
        "value": "18",
        **fields,
    }
    lines = [f"{key}: {value}" for key, value in values.items() if value]
    return "figures:\n  - " + "\n    ".join(lines) + "\n"


def milestone(mid: str, date: str) -> str:
    return (
        f"  - id: {mid}\n    classification: unclassified\n    source: src-backgrounder\n"
        f"    date: {date}\n    text: {{en: An event, fr: Un événement}}\n"
    )


TEXT = "    text:\n      en: >-\n        {}\n      fr: >-\n        {}\n"

SCENARIOS: dict[str, dict[str, str | bytes] | list[Edit]] = {
    "misspelt key": {
        "facts.yaml": "facts:\n"
        + fact(classification="").replace("\n", "\n    clasification: protected_a\n", 1)
    },
    "unclosed quote": {
        "facts.yaml": "facts:\n"
        + fact(text="")
        + '    text:\n      en: "Most victims are Canadian women and girls.\n'
        + '      fr: "La plupart des victimes sont des Canadiennes."\n'
    },
    "colon in text": {
        "facts.yaml": "facts:\n" + fact(text="") + "    text:\n      en: The goals\n"
        "      fr: Les buts: prévenir\n"
    },
    "tab": {"facts.yaml": "facts:\n  - id: fact-taskforce\n\tclassification: unclassified\n"},
    "duplicate key": {"facts.yaml": "facts:\n" + fact() + "    classification: protected_a\n"},
    "missing label": {"figures.yaml": figure(label="")},
    "missing as_of": [(f"{DATA}/dossier.yaml", '  as_of: "2017-02-09"\n', "")],
    "wrong types": {
        "figures.yaml": figure(label="A label for it", value="4M", key="maybe", unit="dollars")
    },
    "thousands separator": {"figures.yaml": figure(value="1,234")},
    "cut short": {
        "milestones.yaml": "".join(
            (REPO / DATA / "milestones.yaml").read_text().splitlines(keepends=True)[:5]
        )
    },
    "a bare list": {"contacts.yaml": "- id: contact-x\n  name: X\n"},
    "bad id": {"figures.yaml": figure(id="Fig_X")},
    "dates": {
        "milestones.yaml": "milestones:\n"
        + milestone("ms-a", '"2016-02-30"')
        + milestone("ms-b", "March 2016"),
        "figures.yaml": figure(period='"2020/2012"'),
    },
    "as_of a month": [(f"{DATA}/dossier.yaml", 'as_of: "2017-02-09"', 'as_of: "2017-02"')],
    "no minister": [
        (
            f"{DATA}/dossier.yaml",
            (REPO / DATA / "dossier.yaml")
            .read_text()
            .split("  minister:\n")[1]
            .split("  prepared_by")[0],
            "",
        ),
        (f"{DATA}/dossier.yaml", "  minister:\n", ""),
    ],
    "minister neuter": [(f"{DATA}/dossier.yaml", "gender: feminine", "gender: neuter")],
    "missing French": {
        "facts.yaml": "facts:\n"
        + fact("fact-a", text="")
        + "    text:\n      en: Only English.\n"
        + fact("fact-b", text='{en: "Both.", fr: ""}')
    },
    "unknown classification": {"facts.yaml": "facts:\n" + fact(classification="secret")},
    "unknown audience and topic": {
        "facts.yaml": "facts:\n" + fact(audiences="[minister, media]", topic="nowhere")
    },
    "duplicate id": {"coordination.yaml": "facts:\n" + fact("fact-taskforce")},
    "not UTF-8": {
        "facts.yaml": ("facts:\n" + fact(text="") + "    text: {en: Coffee, fr: Café}\n").encode(
            "latin-1"
        )
    },
    "alias": {
        "facts.yaml": "facts:\n"
        + fact("fact-a", text="")
        + "    text: &same {en: Same, fr: Pareil}\n"
        + fact("fact-b", text="*same")
    },
    "anchor": {"facts.yaml": "facts:\n" + fact("fact-a", text="&same {en: Same, fr: Pareil}")},
    "tag": {"figures.yaml": figure(value="!!float 44")},
    "too deep": {"facts.yaml": "facts:\n" + fact(text="[" * 60 + "]" * 60)},
    "unknown references": {
        "facts.yaml": "facts:\n"
        + fact(
            source="src-nowhere",
            text='{en: "{no-such-figure} in all", fr: "{no-such-figure} en tout"}',
        )
    },
    "not visible": {
        "facts.yaml": "sources:\n"
        "  - id: src-internal-x\n    classification: protected_a\n"
        "    title: {en: Notes, fr: Notes}\n    publisher: {en: Justice, fr: Justice}\n"
        "    date: 2016\n"
        "figures:\n"
        "  - id: fig-secret\n    classification: protected_b\n    source: src-internal-x\n"
        "    label: {en: Secret, fr: Secret}\n    value: 3\n"
        "facts:\n"
        + fact("fact-a", source="src-internal-x")
        + fact(
            "fact-b", classification="protected_a", text='{en: "{fig-secret}", fr: "{fig-secret}"}'
        )
    },
    "after as_of": {
        "milestones.yaml": "milestones:\n" + milestone("ms-late", '"2017-03"'),
    },
    "source after as_of": [(f"{DATA}/dossier.yaml", 'date: "2017-02"', 'date: "2018-01"')],
    "two headers": {
        "header-copy.yaml": (REPO / DATA / "dossier.yaml").read_text().split("\nsources:")[0],
    },
    "no header": {
        "dossier.yaml": "sources:"
        + (REPO / DATA / "dossier.yaml").read_text().split("\nsources:")[1],
    },
    "empty file": {"facts.yaml": "# Facts, grouped by topic.\n"},
    "no items": {"facts.yaml": "facts: []\n"},
    "template missing": [("briefs.yaml", "template: public.html.j2", "template: media.html.j2")],
    "label untranslated": [
        ("templates/locale/fr/LC_MESSAGES/briefs.po", 'msgstr "Dates clés"', 'msgstr ""')
    ],
}


def _link_out(root: Path) -> None:
    (root / DATA / "facts.yaml").unlink()
    (root / DATA / "facts.yaml").symlink_to("/etc/passwd")


MAKERS: dict[str, Callable[[Path], None]] = {
    "link out": _link_out,
    "folder": lambda root: (root / DATA / "notes.yaml").mkdir(),
    "FIFO": lambda root: os.mkfifo(root / DATA / "notes.yaml"),
    "folder name": lambda root: (root / DATA).rename(root / "data" / "Human-Trafficking"),
}


def _project(root: Path) -> Path:
    """The sample project as an analyst has it: briefs.yaml and templates inside."""
    write_project(root)
    shutil.copy(REPO / "briefs.yaml", root / "briefs.yaml")
    shutil.copytree(REPO / "templates", root / "templates")
    return root


def _apply(root: Path, scenario: dict[str, str | bytes] | list[Edit]) -> None:
    if isinstance(scenario, dict):
        for name, content in scenario.items():
            path = root / DATA / name
            path.write_bytes(content if isinstance(content, bytes) else content.encode())
        return
    for name, old, new in scenario:
        path = root / name
        text = path.read_text()
        assert old in text, (name, old)
        path.write_text(text.replace(old, new, 1))


@cache
def printed(base: Path) -> dict[str, list[str]]:
    """What ``briefs check`` prints for each scenario, line by line."""
    outputs = {}
    for name in [*SCENARIOS, *MAKERS]:
        root = _project(base / re.sub(r"\W+", "-", name))
        if name in MAKERS:
            MAKERS[name](root)
        else:
            _apply(root, SCENARIOS[name])
        result = CliRunner().invoke(main, ["-C", str(root), "check"])
        outputs[name] = [f"exit {result.exit_code}"]
        outputs[name] += [line.strip() for line in result.output.splitlines()]
    return outputs


def quoted_messages() -> list[str]:
    """Every line of every code block in the page's "Errors you may see"."""
    section = PAGE.read_text().split("## Errors you may see", 1)[1]
    blocks = re.findall(r"^```\n(.*?)^```", section, re.S | re.M)
    lines = [line.strip() for block in blocks for line in block.splitlines()]
    return [line for line in lines if line and not line.startswith("briefs ")]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    return printed(tmp_path_factory.mktemp("doc-errors"))


@pytest.mark.parametrize("message", quoted_messages(), ids=lambda m: m[:70])
def test_quoted_message_is_printed_by_a_real_run(
    outputs: dict[str, list[str]], message: str
) -> None:
    assert any(message in lines for lines in outputs.values()), message


def test_every_scenario_is_refused_and_quoted(outputs: dict[str, list[str]]) -> None:
    """Each scenario is a mistake; one whose problems the page does not quote
    is a leftover."""
    quoted = set(quoted_messages())
    assert not [name for name, lines in outputs.items() if lines[0] != "exit 1"]
    assert not [name for name, lines in outputs.items() if not quoted & set(lines)]


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        for name, lines in printed(Path(folder)).items():
            print(f"# {name}", *lines, sep="\n  ")
