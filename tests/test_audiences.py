"""Selection is default-deny and happens before templates; audiences are configuration."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from briefs import InvalidInput, build, check, load_project, plan
from briefs.audience.selection import select
from briefs.cli import main
from briefs.render.catalogue import catalogue
from briefs.render.context import build_context
from briefs.source.model import Classification
from conftest import FIXTURES, REPO, SAMPLE, copy_templates, load_one, write_project

DRIVING = "impaired-driving"


def _selected(root: Path, dossier: str, audience: str) -> set[str]:
    project = load_project(root)
    loaded = load_one(project, dossier)
    selection, problems = select(loaded, audience, project.settings.audiences[audience])
    assert problems == []
    return {item.id for item in selection.dossier.items()}


def test_selection_follows_clearance(project_dir: Path) -> None:
    project = load_project(project_dir)
    loaded = load_one(project, SAMPLE)
    for name, audience in project.settings.audiences.items():
        selection, _ = select(loaded, name, audience)
        kept = selection.dossier.items()
        assert kept and all(i.classification.rank <= audience.clearance.rank for i in kept)
        assert all(
            i.classification.rank > audience.clearance.rank
            or (i.audiences is not None and name not in i.audiences)
            for i in selection.excluded
        )
        assert len(kept) + len(selection.excluded) == len(loaded.dossier.items())
    public = _selected(project_dir, SAMPLE, "public")
    partners = _selected(project_dir, SAMPLE, "partners")
    minister = _selected(project_dir, SAMPLE, "minister")
    # The sample narrows a few items away from the two-page minister note.
    narrowed = {
        i.id
        for i in loaded.dossier.items()
        if i.audiences is not None and "minister" not in i.audiences
    }
    assert narrowed and public < partners and partners - narrowed < minister


def test_audiences_list_narrows_even_a_higher_clearance(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", dossiers={DRIVING: FIXTURES / DRIVING})
    assert "fact-test-partners-only" in _selected(root, DRIVING, "partners")
    assert "fact-test-partners-only" not in _selected(root, DRIVING, "minister")
    assert "fact-test-partners-only" not in _selected(root, DRIVING, "public")


def test_visible_item_citing_hidden_figure_is_an_error(project_dir: Path, edit: object) -> None:
    figures = project_dir / "data" / SAMPLE / "figures.yaml"
    text = figures.read_text()
    start = text.index("  - id: trp-2015")
    block = text[start : text.index("  - id:", start + 5)]
    figures.write_text(text.replace(block, block.replace("unclassified", "protected_a", 1)))
    with pytest.raises(InvalidInput) as caught:
        check(load_project(project_dir))
    messages = [str(p) for p in caught.value.problems]
    assert any("visible to 'public' but cites figure 'trp-2015'" in m for m in messages), messages
    assert not any("'partners' but cites figure 'trp-2015'" in m for m in messages)


def test_second_dossier_needs_only_yaml(tmp_path: Path) -> None:
    """Another policy file builds with the same code and templates."""
    root = write_project(tmp_path / "p", dossiers={DRIVING: FIXTURES / DRIVING})
    written = build(load_project(root)).built
    assert sorted(p.name for p in written) == sorted(
        f"{a}.{lang}.pdf" for a in ("minister", "partners", "public") for lang in ("en", "fr")
    )
    texts = {p.stem: " ".join(pg.extract_text() for pg in PdfReader(p).pages) for p in written}
    assert "Impaired Driving" in texts["public.en"]
    assert "Conduite avec facultés affaiblies" in texts["public.fr"]
    assert "12,345" in texts["public.en"] and "12 345" in texts["public.fr"].replace("\xa0", " ")
    assert "TEST — Unclassified, but listed for partners only" in texts["partners.en"]
    for name in ("minister.en", "public.en"):
        assert "listed for partners only" not in texts[name]
    assert "PROTECTED B / PROTÉGÉ B" in texts["minister.en"]
    assert "PROTECTED" not in texts["public.en"]


MEDIA = """{% extends "base.html.j2" %}
{% import "_parts.html.j2" as parts with context %}
{% block body %}
<h1>{{ brief.title }}</h1>
<p class="lead">{{ brief.summary }}</p>
{% if brief.key_figures %}{{ parts.figures_table(brief.key_figures, _("Key figures")) }}{% endif %}
{{ LABEL }}
{{ parts.contacts(brief.contacts) }}
{{ parts.sources() }}
{% endblock %}
"""


def _media_project(tmp_path: Path, label: str = "") -> Path:
    templates = copy_templates(tmp_path)
    (templates / "media.html.j2").write_text(MEDIA.replace("{{ LABEL }}", label))
    import yaml

    config = yaml.safe_load((REPO / "briefs.yaml").read_text())["audiences"]
    config["media"] = {
        "clearance": "unclassified",
        "template": "media.html.j2",
        "title": {"en": "Media brief", "fr": "Note aux médias"},
        "page_budget": 3,
    }
    return write_project(tmp_path / "p", audiences=config, templates=templates)


def test_new_audience_is_configuration_and_a_template(tmp_path: Path) -> None:
    root = _media_project(tmp_path)
    written = build(load_project(root), audiences=["media"]).built
    assert [p.name for p in written] == ["media.en.pdf", "media.fr.pdf"]
    text = " ".join(pg.extract_text() for pg in PdfReader(written[1]).pages)
    assert "Note aux médias" in text and "Chiffres clés" in text


def test_new_label_without_french_is_reported(tmp_path: Path) -> None:
    root = _media_project(tmp_path, '<h2>{{ _("Media lines") }}</h2>')
    result = CliRunner().invoke(main, ["-C", str(root), "check"])
    assert result.exit_code == 1
    assert "briefs.po: msgid 'Media lines': expected a fr translation" in result.output
    assert "media.html.j2:" in result.output


def test_over_page_budget_is_refused_and_keeps_last_pdf(project_dir: Path) -> None:
    config = project_dir / "briefs.yaml"
    config.write_text(config.read_text().replace("page_budget: 2", "page_budget: 1"))
    out = project_dir / "output" / SAMPLE
    out.mkdir(parents=True)
    (out / "minister.en.pdf").write_bytes(b"%PDF last good")
    result = CliRunner().invoke(main, ["-C", str(project_dir), "build"])
    assert result.exit_code == 1
    assert "2 brief(s) refused:" in result.output
    assert "human-trafficking/minister.en: 2 pages, over the audience's page budget of 1" in (
        result.output
    )
    assert "briefs.yaml. The last PDF is unchanged." in result.output  # minister.en had one
    assert "briefs.yaml. No PDF was written." in result.output  # minister.fr had none
    assert (out / "minister.en.pdf").read_bytes() == b"%PDF last good"
    assert not (out / "minister.fr.pdf").exists()
    assert (out / "public.fr.pdf").read_bytes().startswith(b"%PDF-1.7")


def test_marking_level_is_what_is_included(project_dir: Path) -> None:
    project = load_project(project_dir)
    loaded = load_one(project, SAMPLE)
    levels = {
        name: select(loaded, name, a)[0].level for name, a in project.settings.audiences.items()
    }
    assert levels == {
        "minister": Classification.protected_b,
        "partners": Classification.protected_a,
        "public": Classification.unclassified,
    }


def test_a_template_gets_only_the_sections_its_audience_prints(project_dir: Path) -> None:
    """The minister note declares analysis, milestones and key figures: facts,
    programs, series and contacts it may see never reach its template."""
    project = load_project(project_dir)
    (brief,) = plan(project, [SAMPLE], ["minister"], ["en"])
    labels = catalogue(project.folders.templates, "en")
    context = build_context(brief.selection, "en", labels)
    assert context.contacts == [] and context.programs == [] and context.series == []
    assert all(topic.facts == [] for topic in context.topics)
    assert context.milestones and context.key_figures and context.analysis["recommendation"]
    assert brief.selection.dossier.facts  # the audience may see them, but does not print them
    cited = {m.source for m in context.milestones} | {f.source for f in context.figures}
    assert set(context.cite.sources) == cited  # sources come with what cites them


def test_unknown_section_is_reported(project_dir: Path, edit: object) -> None:
    edit(project_dir / "briefs.yaml", "- key_figures", "- key_figure")  # type: ignore[operator]
    result = CliRunner().invoke(main, ["-C", str(project_dir), "check"])
    assert result.exit_code == 1
    assert "briefs.yaml:" in result.output and "audiences.minister.sections" in result.output
    assert "unknown section 'key_figure'; expected any of: sources, figures" in result.output
