"""The documentation describes what exists: every setting and every command."""

from __future__ import annotations

import re

import click

from briefs.cli import main
from briefs.source.config import Audience, Settings
from conftest import REPO

DOCS = REPO / "docs"


def test_every_setting_is_documented() -> None:
    text = (DOCS / "configuration.md").read_text()
    for model in (Settings, Audience):
        for name in model.model_fields:
            assert f"`{name}`" in text, name


def test_every_command_and_option_is_documented() -> None:
    text = (DOCS / "operating.md").read_text()
    for name, command in main.commands.items():
        assert f"briefs {name}" in text, name
        for param in command.params:
            if isinstance(param, click.Option):
                assert any(opt in text for opt in param.opts), (name, param.opts)
    for param in main.params:
        if isinstance(param, click.Option) and param.name != "version":
            assert any(opt in text for opt in param.opts), param.opts


def test_readme_quick_start_is_the_two_commands() -> None:
    readme = (REPO / "README.md").read_text()
    block = re.search(r"## Quick start\s+```\w*\n(.*?)```", readme, re.S)
    assert block and block.group(1).split("\n")[:-1] == ["make demo", "make test"]
    assert "make test" in (REPO / ".ci" / "run").read_text()


def test_doc_links_resolve() -> None:
    for page in [REPO / "README.md", *DOCS.glob("*.md")]:
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", page.read_text()):
            assert (page.parent / target).exists(), (page.name, target)
