"""Bad input: one clear message per problem, all at once, exit 1, output untouched."""

from __future__ import annotations

import resource
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from briefs.cli import main
from conftest import SAMPLE, copy_templates, tree_state

FIGURE = """figures:
  - id: {id}
    classification: unclassified
    source: src-backgrounder
    label: {{en: A test figure, fr: Une donnée d'essai}}
    value: 3
"""

CASES: dict[str, tuple[str | bytes, list[str]]] = {
    "syntax": (
        "facts:\n  - id: broken\n    text: {en: 'a', fr: 'b'\n",
        ["bad.yaml:4", "YAML syntax error"],
    ),
    "duplicate key": (
        FIGURE.format(id="dup-key") + "    value: 4\n",
        ["bad.yaml:7", "figures[0].value", "duplicate key"],
    ),
    "wrong type": (
        FIGURE.format(id="typed").replace("value: 3", "value: lots"),
        ["bad.yaml:6", "figures[0].value", "expected a valid decimal", "'lots'"],
    ),
    "unknown key": (
        FIGURE.format(id="extra") + "    colour: red\n",
        [
            "bad.yaml:7",
            "figures[0].colour",
            "unknown key 'colour'",
            "expected one of: id, classification",
        ],
    ),
    "missing field": (
        FIGURE.format(id="nolabel").replace(
            "    label: {en: A test figure, fr: Une donnée d'essai}\n", ""
        ),
        ["bad.yaml:2", "figures[0].label", "missing required field"],
    ),
    "duplicate id": (
        FIGURE.format(id="trp-2015"),
        [
            "bad.yaml:2",
            "figures[0].id",
            "duplicate id 'trp-2015'",
            "first used at data/human-trafficking/figures.yaml:",
        ],
    ),
    "impossible date": (
        "milestones:\n  - id: leap\n    classification: unclassified\n"
        "    source: src-backgrounder\n    date: 2016-02-30\n"
        "    text: {en: Leap day, fr: Jour bissextile}\n",
        ["bad.yaml:5", "milestones[0].date", "expected a real calendar date, found '2016-02-30'"],
    ),
    "missing French": (
        "milestones:\n  - id: nofr\n    classification: unclassified\n"
        "    source: src-backgrounder\n    date: 2016\n"
        "    text:\n      en: English only\n",
        ["bad.yaml:7", "milestones[0].text.fr", "missing required field"],
    ),
    "unknown audience": (
        FIGURE.format(id="aud") + "    audiences: [minister, media]\n",
        ["bad.yaml:2", "figures[0].audiences", "found 'media'", "minister, partners, public"],
    ),
    "unknown classification": (
        FIGURE.format(id="cls").replace("unclassified", "secret"),
        ["bad.yaml:3", "figures[0].classification", "'protected_b'", "found 'secret'"],
    ),
    "bad id": (
        FIGURE.format(id="Bad_Id"),
        ["zz-bad.yaml:2", "figures[0].id", "'^[a-z0-9][a-z0-9-]*$'", "found 'Bad_Id'"],
    ),
    "explicit tag": (
        FIGURE.format(id="tagged").replace("value: 3", "value: !!float abc"),
        ["zz-bad.yaml:6", "found the YAML tag '!!float'; remove the tag"],
    ),
    "huge number": (
        FIGURE.format(id="huge").replace("value: 3", "value: 1e400"),
        ["zz-bad.yaml:6", "figures[0].value", "less than or equal to"],
    ),
    "not UTF-8": (
        "facts:\n  - id: caf\xe9\n".encode("latin-1"),
        ["bad.yaml:2", "expected UTF-8 text, found byte 0xe9"],
    ),
    "figure published after as_of": (
        FIGURE.format(id="later") + "    published: 2018-06\n",
        [
            "bad.yaml:2",
            "figures[0].published",
            "expected a figure published on or before the dossier's as_of (2017-02-09)",
            "found '2018-06'",
        ],
    ),
    "series from a later source": (
        "sources:\n  - id: src-later\n    classification: unclassified\n"
        "    title: {en: Later, fr: Plus tard}\n    publisher: {en: P, fr: P}\n"
        "    date: 2018-06-27\n"
        "series:\n  - id: later-series\n    classification: unclassified\n"
        "    source: src-later\n    title: {en: T, fr: T}\n"
        "    points: [{period: 2015, value: 1}, {period: 2016, value: 2}]\n",
        [
            "bad.yaml:8",
            "series[0].source",
            "on or before the dossier's as_of (2017-02-09)",
            "found 'src-later, published 2018-06-27'",
            "sources[0].date",
        ],
    ),
    "figure with no publication date": (
        FIGURE.format(id="undated").replace("src-backgrounder", "src-ps-progress"),
        [
            "bad.yaml:2",
            "figures[0].published",
            "expected a publication date: published: on the item, or date: on its source",
            "found 'src-ps-progress with no date'",
        ],
    ),
    "missing reference": (
        FIGURE.format(id="ref").replace("src-backgrounder", "src-nowhere"),
        ["bad.yaml:2", "figures[0].source", "found 'src-nowhere'"],
    ),
}


def run(root: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["-C", str(root), *args])
    return result.exit_code, result.output


def _prime_output(root: Path) -> dict[str, bytes]:
    """Stand-in for the last good PDFs, which a failed build must not touch."""
    out = root / "output" / SAMPLE
    out.mkdir(parents=True)
    (out / "public.en.pdf").write_bytes(b"%PDF-1.7 last good edition")
    return tree_state(root / "output")


@pytest.mark.parametrize("case", list(CASES))
def test_each_bad_input(project_dir: Path, case: str) -> None:
    content, expected = CASES[case]
    bad = project_dir / "data" / SAMPLE / "zz-bad.yaml"
    bad.write_bytes(content if isinstance(content, bytes) else content.encode())
    before = _prime_output(project_dir)
    for command in ("build", "check"):
        code, output = run(project_dir, command)
        assert code == 1, output
        assert f"data/{SAMPLE}/" in output
        for snippet in expected:
            assert snippet in output, (case, snippet, output)
    assert tree_state(project_dir / "output") == before


def test_every_problem_reported_at_once(project_dir: Path) -> None:
    folder = project_dir / "data" / SAMPLE
    (folder / "bad1.yaml").write_text(FIGURE.format(id="trp-2015") + "    colour: red\n")
    (folder / "bad2.yaml").write_bytes(b"facts:\n  - \xff\n")
    (folder / "bad3.yaml").write_text("milestones:\n  - id: x\n    date: 2016-13\n")
    before = _prime_output(project_dir)
    code, output = run(project_dir, "build")
    assert code == 1
    assert "bad1.yaml:7: figures[0].colour" in output
    assert "bad2.yaml:2" in output
    assert "bad3.yaml:3: milestones[0].date" in output
    assert "bad3.yaml:2: milestones[0].text: missing required field" in output
    assert "problems found; nothing was written" in output
    assert tree_state(project_dir / "output") == before


def test_alias_bomb_refused_quickly_in_bounded_memory(project_dir: Path) -> None:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 12)]
    (project_dir / "data" / SAMPLE / "bomb.yaml").write_text("\n".join(lines) + "\n")
    before_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.process_time()
    code, output = run(project_dir, "check")
    spent = time.process_time() - started
    assert code == 1
    assert "bomb.yaml:2" in output and "aliases" in output
    # Expanded, this document holds 9**12 strings; refusing it costs next to nothing.
    growth_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before_rss
    assert growth_kib < 50_000 and spent < 5


@pytest.mark.parametrize(
    "value",
    [
        '<img src="file:///etc/passwd">',
        '<link rel=attachment href="file:///etc/passwd">',
        '<a rel="attachment" href="file:///etc/hostname">x</a>',
        "https://example.com/x.css",
    ],
)
def test_markup_in_data_is_literal_text(project_dir: Path, value: str, edit: object) -> None:
    facts = project_dir / "data" / SAMPLE / "injected.yaml"
    quoted = value.replace("'", "''")
    facts.write_text(
        "facts:\n  - id: injected\n    classification: unclassified\n    topic: context\n"
        "    source: src-backgrounder\n"
        f"    text: {{en: 'Injected {quoted}', fr: 'Injecté {quoted}'}}\n"
    )
    code, output = run(project_dir, "build", "--audience", "public", "--lang", "en")
    assert code == 0, output
    pdf = (project_dir / "output" / SAMPLE / "public.en.pdf").read_bytes()
    from pypdf import PdfReader

    reader = PdfReader(project_dir / "output" / SAMPLE / "public.en.pdf")
    text = " ".join(p.extract_text() for p in reader.pages)
    assert value.split()[0] in text
    assert b"/EmbeddedFiles" not in pdf and b"/FileAttachment" not in pdf
    assert b"root:x:0:0" not in pdf


def test_unknown_figure_in_header_text(project_dir: Path, edit: Callable[..., None]) -> None:
    dossier = project_dir / "data" / SAMPLE / "dossier.yaml"
    edit(dossier, 'en: "Department of Justice Canada"', 'en: "Department of Justice {nope}"')
    code, output = run(project_dir, "check")
    assert code == 1
    assert (
        "dossier.yaml:14: dossier.lead.en: expected {id} naming an entry under figures:" in output
    )


@pytest.mark.parametrize(
    ("broken", "expected"),
    [
        ("{{ caption }", "_parts.html.j2:"),
        ('{% include "missing-footer.html.j2" %}', "expected a template named"),
    ],
)
def test_broken_shared_template_is_found_by_check(
    tmp_path: Path, broken: str, expected: str
) -> None:

    from conftest import write_project

    templates = copy_templates(tmp_path)
    parts = templates / "_parts.html.j2"
    parts.write_text(parts.read_text() + "\n" + broken + "\n")
    root = write_project(tmp_path / "p", templates=templates)
    for command in ("check", "build"):
        code, output = run(root, command)
        assert code == 1, output
        assert expected in output
        assert "Traceback" not in output


@pytest.mark.parametrize("key", ["template", "templates"])
def test_a_path_the_system_refuses_is_a_problem_not_a_crash(project_dir: Path, key: str) -> None:
    """A name over 255 bytes made the OS raise ENAMETOOLONG from inside the
    check (found by test_fuzz_input); it is now refused with the setting's line."""
    config = project_dir / "briefs.yaml"
    settings = yaml.safe_load(config.read_text())
    if key == "template":
        settings["audiences"]["public"]["template"] = "x" * 300 + ".html.j2"
    else:
        settings["templates"] = "t" * 300
    config.write_text(yaml.safe_dump(settings, allow_unicode=True))
    code, output = run(project_dir, "check")
    assert code == 1, output
    assert "expected a path whose every name has 1 to 255 bytes and no NUL" in output, output
