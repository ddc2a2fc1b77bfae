"""Templates run sandboxed, on plain view data: a hostile template is refused,
naming its file and line, and reaches nothing its audience may not see."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from click.testing import CliRunner
from markupsafe import Markup

from briefs import load_project, plan
from briefs.cli import main
from briefs.render import addressee, approval, citations
from briefs.render import context as views
from briefs.render.catalogue import catalogue
from conftest import SAMPLE, copy_templates, write_project

HOSTILE = [
    "{{ brief.__class__.__init__.__globals__ }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ cite.__call__.__globals__['__builtins__']['__import__']('gc').get_objects() }}",
    "{{ _.__globals__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ '{0.__class__.__init__.__globals__}'.format(brief) }}",
    "{{ cite.used.append(brief) }}",
    "{{ self._TemplateReference__context }}",
]


def _hostile_project(tmp_path: Path, payload: str) -> tuple[Path, int]:
    """The sample project with ``payload`` on its own line in public.html.j2."""
    templates = copy_templates(tmp_path)
    public = templates / "public.html.j2"
    lines = public.read_text().splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if "{% block body %}" in line) + 1
    lines.insert(at, f"<p>{payload}</p>\n")
    public.write_text("".join(lines))
    return write_project(tmp_path / "p", templates=templates), at + 1


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_template_is_refused_with_its_file_and_line(tmp_path: Path, payload: str) -> None:
    root, line = _hostile_project(tmp_path, payload)
    out = root / "output" / SAMPLE
    out.mkdir(parents=True)
    (out / "public.en.pdf").write_bytes(b"%PDF last good")
    result = CliRunner().invoke(main, ["-C", str(root), "build", "--audience", "public"])
    assert result.exit_code == 1, result.output
    assert "2 brief(s) refused:" in result.output
    for lang in ("en", "fr"):
        assert f"public.html.j2:{line}: {SAMPLE}/public.{lang}: refused to render:" in (
            result.output
        )
        assert "is unsafe" in result.output or "immutable" in result.output
    assert "The last PDF is unchanged." in result.output  # public.en had one
    assert "No PDF was written." in result.output  # public.fr had none
    assert "uid=" not in result.output
    assert (out / "public.en.pdf").read_bytes() == b"%PDF last good"
    assert not (out / "public.fr.pdf").exists()


def test_hostile_macro_is_named_where_it_fails_and_others_are_built(tmp_path: Path) -> None:
    templates = copy_templates(tmp_path)
    parts = templates / "_parts.html.j2"
    text = parts.read_text()
    marker = '<h2>{{ _("Sources") }}</h2>\n'
    parts.write_text(text.replace(marker, marker + "{{ cite.__class__ }}\n"))
    line = text[: text.index(marker)].count("\n") + 2
    root = write_project(tmp_path / "p", templates=templates)
    result = CliRunner().invoke(main, ["-C", str(root), "build", "--lang", "en"])
    assert result.exit_code == 1, result.output
    for audience in ("minister", "partners", "public"):
        assert f"_parts.html.j2:{line}: {SAMPLE}/{audience}.en: refused to render" in (
            result.output
        )
    assert "No PDF was written." in result.output
    assert "last PDF" not in result.output  # there was none to keep


def test_undefined_name_names_the_template_line(tmp_path: Path) -> None:
    root, line = _hostile_project(tmp_path, "{{ brief.sumary }}")
    asked = ["--audience", "public", "--lang", "en"]
    result = CliRunner().invoke(main, ["-C", str(root), "build", *asked])
    assert result.exit_code == 1
    assert f"public.html.j2:{line}: {SAMPLE}/public.en: " in result.output
    assert "has no attribute 'sumary'" in result.output


VIEW_MODULES = {views.__name__, citations.__name__, addressee.__name__, approval.__name__}
"""Where the render context's view classes live."""


def test_view_data_is_plain(project_dir: Path) -> None:
    """Every value a template receives is text, a number, a flag, or a view of
    them: no model object, module, or function that leads back to either."""
    project = load_project(project_dir)
    for brief in plan(project, [SAMPLE]):
        labels = catalogue(project.folders.templates, brief.lang)
        context = views.build_context(brief.selection, brief.lang, labels)
        assert list(_leaves(context)), brief.name


def _leaves(value: object) -> list[object]:
    if value is None or isinstance(value, (str, Markup, int, bool)):
        return [value]
    if isinstance(value, list):
        return [leaf for entry in value for leaf in _leaves(entry)]
    if isinstance(value, dict):
        assert all(isinstance(k, str) for k in value)
        return [leaf for entry in value.values() for leaf in _leaves(entry)]
    assert dataclasses.is_dataclass(value), type(value)
    assert type(value).__module__ in VIEW_MODULES, type(value)
    calls = {n for n in vars(type(value)) if not n.startswith("_") and _is_call(value, n)}
    # The one deliberate exception: citing records what a brief relies on, in order.
    assert calls == ({"line"} if type(value) is citations.Citations else set()), calls
    return [leaf for f in dataclasses.fields(value) for leaf in _leaves(getattr(value, f.name))]


def _is_call(value: object, name: str) -> bool:
    """A public method a template could call (properties are data, and fine)."""
    return not isinstance(getattr(type(value), name), property) and callable(getattr(value, name))
