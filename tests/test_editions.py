"""Editions: rebuild only what changed, keep every edition, say what changed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from pypdf import PdfReader

import briefs.editions.software
from briefs import InvalidInput, build, list_editions, load_project
from briefs.cli import main
from briefs.editions.fresh import up_to_date
from conftest import SAMPLE, copy_templates, write_project

FIRST = datetime(2017, 3, 1, 15, 0, tzinfo=UTC)
SECOND = datetime(2017, 3, 8, 15, 0, tzinfo=UTC)
ALL = {f"{a}.{lang}" for a in ("minister", "partners", "public") for lang in ("en", "fr")}
Edit = Callable[[Path, str, str], None]


@pytest.fixture(scope="session")
def prebuilt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with its own templates, built once as edition 1 of every brief."""
    base = tmp_path_factory.mktemp("prebuilt")
    root = write_project(base / "project", templates=copy_templates(base))
    config = root / "briefs.yaml"
    config.write_text(config.read_text().replace(str(base / "templates"), "../templates"))
    build(load_project(root), now=FIRST)
    return base


@pytest.fixture
def project(prebuilt: Path, tmp_path: Path) -> Path:
    """A private copy of the prebuilt project, ledger and archive included."""
    shutil.copytree(prebuilt, tmp_path / "copy", symlinks=True)
    return tmp_path / "copy" / "project"


def rebuild(root: Path, **options: object) -> set[str]:
    report = build(load_project(root), now=SECOND, **options)  # type: ignore[arg-type]
    assert report.problems == []
    return {p.name.removesuffix(".pdf") for p in report.built}


def reclassify(project: Path, edit: Edit, item: str, level: str) -> Path:
    """Move a sample fact from Unclassified to ``level``; returns the file."""
    facts = project / "data" / SAMPLE / "facts.yaml"
    edit(
        facts,
        f"  - id: {item}\n    classification: unclassified",
        f"  - id: {item}\n    classification: {level}",
    )
    return facts


def text(root: Path, name: str) -> str:
    pdf = PdfReader(root / "output" / SAMPLE / f"{name}.pdf")
    return " ".join(" ".join(page.extract_text().split()) for page in pdf.pages)


# -- selectivity: one test per kind of input ---------------------------------------


def test_public_figure_rebuilds_every_brief(project: Path, edit: Edit) -> None:
    edit(project / "data" / SAMPLE / "figures.yaml", "value: 44\n", "value: 45\n")
    assert rebuild(project) == ALL


def test_protected_b_item_rebuilds_only_minister_in_that_language(
    project: Path, edit: Edit
) -> None:
    edit(
        project / "data" / SAMPLE / "analysis.yaml",
        "ask officials for options",
        "ask officials for two options",
    )
    assert rebuild(project) == {"minister.en"}


def test_protected_a_item_rebuilds_partners_and_minister(project: Path, edit: Edit) -> None:
    edit(project / "data" / SAMPLE / "analysis.yaml", "Bill C-38 has been", "Bill C-38 was")
    assert rebuild(project) == {"minister.en", "partners.en"}


def test_item_the_minister_note_does_not_print_leaves_it_alone(project: Path, edit: Edit) -> None:
    """Its sections: in briefs.yaml say the minister note prints no contacts."""
    edit(project / "data" / SAMPLE / "dossier.yaml", "613-555-0142", "613-555-0143")
    assert rebuild(project) == {"partners.en", "partners.fr"}


def test_minister_template_rebuilds_only_minister(project: Path) -> None:
    template = project.parent / "templates" / "minister.html.j2"
    template.write_text(template.read_text() + "{# reviewed #}\n")
    assert rebuild(project) == {"minister.en", "minister.fr"}


def test_imported_template_rebuilds_all_that_import_it(project: Path) -> None:
    parts = project.parent / "templates" / "_parts.html.j2"
    parts.write_text(parts.read_text() + "{# reviewed #}\n")
    assert rebuild(project) == ALL


def test_stylesheet_rebuilds_all(project: Path) -> None:
    css = project.parent / "templates" / "assets" / "brief.css"
    css.write_text(css.read_text() + "\n/* reviewed */\n")
    assert rebuild(project) == ALL


def test_font_rebuilds_all(project: Path) -> None:
    fonts = project.parent / "templates" / "assets" / "fonts"
    with (fonts / "Lato-Bold.ttf").open("ab") as font:  # still Lato bold: padding at the end
        font.write(b"\0\0\0\0")
    assert rebuild(project) == ALL


def test_audience_config_rebuilds_only_that_audience(project: Path, edit: Edit) -> None:
    edit(project / "briefs.yaml", "page_budget: 6", "page_budget: 7")
    assert rebuild(project) == {"public.en", "public.fr"}


def test_catalogue_rebuilds_only_its_language(project: Path, edit: Edit) -> None:
    po = project.parent / "templates" / "locale" / "fr" / "LC_MESSAGES" / "briefs.po"
    edit(po, 'msgstr "Dates clés"', 'msgstr "Dates importantes"')
    assert rebuild(project) == {"minister.fr", "partners.fr", "public.fr"}


def test_software_versions_rebuild_all(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = briefs.editions.software._installed_versions()
    briefs.editions.software.software.cache_clear()
    monkeypatch.setattr(briefs.editions.software, "__version__", "99.0.0")
    assert rebuild(project) == ALL
    briefs.editions.software.software.cache_clear()
    monkeypatch.setattr(
        briefs.editions.software, "_installed_versions", lambda: {**real, "babel": "9.9"}
    )
    assert rebuild(project) == ALL
    monkeypatch.undo()
    briefs.editions.software.software.cache_clear()


def test_touch_or_comment_rebuilds_nothing(project: Path) -> None:
    for path in (project / "data" / SAMPLE).glob("*.yaml"):
        path.touch()
    (project.parent / "templates" / "minister.html.j2").touch()
    assert rebuild(project) == set()
    facts = project / "data" / SAMPLE / "facts.yaml"
    facts.write_text(facts.read_text() + "# a comment an analyst left\n")
    report = build(load_project(project), now=SECOND)
    assert report.built == [] and report.current == 6


def test_same_size_edit_within_the_racy_window_is_seen(project: Path, edit: Edit) -> None:
    figures = project / "data" / SAMPLE / "figures.yaml"
    figures.touch()
    assert rebuild(project) == set()  # hashed now, within two seconds of its mtime
    stat = figures.stat()
    edit(figures, "value: 44\n", "value: 45\n")  # same size
    os.utime(figures, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert figures.stat().st_size == stat.st_size
    assert rebuild(project) == ALL


def test_missing_pdf_is_restored_from_the_archive(project: Path) -> None:
    pdf = project / "output" / SAMPLE / "public.fr.pdf"
    original = pdf.read_bytes()
    pdf.unlink()
    report = build(load_project(project), now=SECOND)
    assert report.restored == [pdf] and report.built == []
    assert pdf.read_bytes() == original


# -- editions ----------------------------------------------------------------------


def test_forced_rebuild_is_byte_identical_and_not_a_new_edition(project: Path) -> None:
    before = {p.name: p.read_bytes() for p in (project / "output" / SAMPLE).glob("*.pdf")}
    assert rebuild(project, force=True) == ALL
    after = {p.name: p.read_bytes() for p in (project / "output" / SAMPLE).glob("*.pdf")}
    assert after == before
    assert {e.number for e in list_editions(load_project(project))} == {1}


def test_editions_are_recorded_archived_and_listed(project: Path, edit: Edit) -> None:
    edit(project / "data" / SAMPLE / "figures.yaml", "value: 44\n", "value: 45\n")
    build(load_project(project), now=SECOND, trigger="schedule")
    editions = list_editions(load_project(project), SAMPLE)
    assert len(editions) == 12
    second = [e for e in editions if e.number == 2]
    assert {e.trigger for e in second} == {"schedule"}
    for e in second:
        assert (project / e.archive).read_bytes() == (project / e.output).read_bytes()
        assert e.edition_date == "2017-03-08" and e.built_at.startswith("2017-03-08T10:00:00")
    first = next(e for e in editions if e.number == 1 and e.brief.endswith("public.en"))
    assert (project / first.archive).read_bytes() != (project / first.output).read_bytes()
    result = CliRunner().invoke(main, ["-C", str(project), "editions", SAMPLE])
    assert result.exit_code == 0
    assert "human-trafficking/public.en" in result.output and "schedule" in result.output
    assert "0002.pdf" in result.output


def test_serial_and_parallel_builds_are_byte_identical(prebuilt: Path, tmp_path: Path) -> None:
    outputs = []
    for jobs in (1, 2):
        root = write_project(tmp_path / f"jobs{jobs}")
        build(load_project(root), jobs=jobs, now=FIRST)
        outputs.append({p.name: p.read_bytes() for p in (root / "output" / SAMPLE).glob("*")})
    assert outputs[0] == outputs[1] and len(outputs[0]) == 6


def test_no_op_build_imports_neither_weasyprint_nor_the_pipeline(project: Path) -> None:
    code = (
        "import sys\nfrom briefs.cli import main\n"
        "try: main(['-C', sys.argv[1], 'build'])\n"
        "except SystemExit as e: assert not e.code, e.code\n"
        "heavy = {'weasyprint', 'jinja2', 'pydantic', 'briefs.pipeline'} & set(sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(project)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "6 brief(s) up to date; nothing to build" in done.stderr


# -- what changed ------------------------------------------------------------------


def test_changed_value_is_listed_old_to_new(project: Path, edit: Edit) -> None:
    edit(project / "data" / SAMPLE / "figures.yaml", "value: 44\n", "value: 45\n")
    rebuild(project)
    en, fr = text(project, "partners.en"), text(project, "partners.fr")
    assert "Changes since the edition of March 1, 2017" in en
    assert "Temporary Residence Permits issued to trafficking victims: 44 (2015) → 45 (2015)" in en
    assert "Changements depuis l’édition du 1er mars 2017" in fr
    assert "Modifications" in fr and "44 (2015) → 45 (2015)" in fr


def test_added_and_removed_items_are_listed(project: Path, edit: Edit) -> None:
    milestones = project / "data" / SAMPLE / "milestones.yaml"
    text_before = milestones.read_text()
    start = text_before.index("  - id: ms-northern-spotlight-2016")
    end = text_before.index("  - id:", start + 5)
    milestones.write_text(
        text_before[:start]
        + text_before[end:]
        + (
            # for partners and the public: the two-page minister note is full
            "\n  - id: ms-sample-added\n    classification: unclassified\n"
            "    audiences: [partners, public]\n"
            "    source: src-backgrounder\n    date: 2016\n"
            "    text: {en: A sample milestone added for the test, "
            "fr: Un jalon d’exemple ajouté pour l’essai}\n"
        )
    )
    rebuild(project)
    en = text(project, "public.en")
    assert "Added 2016: A sample milestone added for the test" in en
    assert "Removed October 2016: RCMP co-leads the fifth edition of Operation Northern" in en
    fr = text(project, "public.fr")
    assert "Ajouts 2016 : Un jalon d’exemple ajouté pour l’essai" in fr
    assert "Retraits octobre 2016 : La GRC codirige" in fr


def test_a_change_section_lists_only_what_its_brief_prints(project: Path, edit: Edit) -> None:
    """A new fact rebuilds and is listed by the briefs that print facts; the
    minister note prints none, so it is rebuilt only for its own (English)
    edit, and says nothing of the fact."""
    facts = project / "data" / SAMPLE / "facts.yaml"
    facts.write_text(
        facts.read_text() + "\n  - id: fact-sample-added\n    classification: unclassified\n"
        "    source: src-backgrounder\n    topic: operations\n"
        "    text: {en: A sample fact added for this test of printing, "
        "fr: Un fait d’exemple ajouté pour cet essai d’impression}\n"
    )
    edit(project / "data" / SAMPLE / "analysis.yaml", "Bill C-38 has been", "Bill C-38 was")
    assert rebuild(project) == ALL - {"minister.fr"}
    assert "Added A sample fact added for this test of printing" in text(project, "partners.en")
    assert "Ajouts Un fait d’exemple ajouté pour cet essai" in text(project, "public.fr")
    minister = text(project, "minister.en")
    assert "Only the wording or layout changed since that edition." in minister
    assert "Added" not in minister and "sample fact" not in minister


def test_declaring_what_a_template_prints_is_not_called_a_content_change(project: Path) -> None:
    """As when upgrading to sections: the minister note's snapshot loses the
    facts it never printed; its PDF prints the same, and says so."""
    config = project / "briefs.yaml"
    declared = config.read_text()
    settings = yaml.safe_load(declared)
    del settings["audiences"]["minister"]["sections"]  # its change section lists every fact
    settings["audiences"]["minister"]["page_budget"] = 10
    config.write_text(yaml.safe_dump(settings, allow_unicode=True))
    assert rebuild(project) == {"minister.en", "minister.fr"}
    config.write_text(declared)
    assert rebuild(project) == {"minister.en", "minister.fr"}
    minister = text(project, "minister.en")
    assert "Only the wording or layout changed since that edition." in minister
    assert "Some content was revised" not in minister


def test_reclassified_item_is_never_named_to_the_audience_it_left(
    project: Path, edit: Edit
) -> None:
    reclassify(project, edit, "fact-cbsa-risk-assessment", "protected_a")
    rebuild(project)
    public = text(project, "public.en")
    assert "Changes since the edition of March 1, 2017" in public
    assert "Border Services" not in public and "pre-arrival" not in public
    assert "Removed" not in public
    assert "Border Services" in text(project, "partners.en")


def test_an_item_that_left_is_not_called_a_wording_change(project: Path, edit: Edit) -> None:
    """Nothing listed, but something left: the section says so neutrally, in
    both languages, and never that only the wording changed."""
    reclassify(project, edit, "fact-cbsa-risk-assessment", "protected_a")
    assert {"public.en", "public.fr"} <= rebuild(project)
    en, fr = text(project, "public.en"), text(project, "public.fr")
    assert "Some content was revised since that edition." in en
    assert "Une partie du contenu a été révisée depuis cette édition." in fr
    for said in (en, fr):
        assert "Only the wording" not in said and "Seuls le libellé" not in said
        assert "Removed" not in said and "Retraits" not in said
    assert "Border Services" not in en and "frontalier" not in fr.lower()


def test_wording_only_change_says_so(project: Path, edit: Edit) -> None:
    edit(
        project / "data" / SAMPLE / "facts.yaml",
        "conducts pre-arrival risk",
        "carries out pre-arrival risk",
    )
    assert rebuild(project) == {"partners.en"}  # public prints the plain text, minister no facts
    en = text(project, "partners.en")
    assert "Only the wording or layout changed since that edition." in en
    assert "Added" not in en and "Removed" not in en
    assert "carries out pre-arrival risk" in en


def test_guard_looks_for_the_old_words_of_an_item_that_left(project: Path, edit: Edit) -> None:
    """A template that still prints what the audience saw before is refused,
    even though the item's current words differ."""
    facts = reclassify(project, edit, "fact-cbsa-risk-assessment", "protected_a")
    edit(
        facts,
        "Before passengers arrive in Canada, the Canada Border Services Agency",
        "Before travellers land, the border agency",
    )
    template = project.parent / "templates" / "public.html.j2"
    old = (
        "<p>Before passengers arrive in Canada, the Canada Border Services Agency assesses them</p>"
    )
    template.write_text(template.read_text().replace("{% block body %}", "{% block body %}" + old))
    report = build(load_project(project), now=SECOND, audiences=["public"], langs=["en"])
    assert [p.field for p in report.problems] == ["human-trafficking/public.en"]
    assert "fact-cbsa-risk-assessment" in report.problems[0].message
    pdf = project / "output" / SAMPLE / "public.en.pdf"
    assert "Border Services" in text(project, "public.en")  # still edition 1, untouched
    assert len(list_editions(load_project(project), SAMPLE)) == 6
    assert pdf.exists()


def test_guard_looks_for_old_words_in_both_languages_for_every_edition(
    project: Path, edit: Edit
) -> None:
    """The item left the public at edition 2 with new words; at edition 3 a
    stale template that prints its edition-1 French is still refused, in the
    English brief too."""
    facts = reclassify(project, edit, "fact-cbsa-risk-assessment", "protected_b")
    old_fr = "Avant l’arrivée des passagers au Canada, l’Agence des services frontaliers"
    edit(facts, old_fr, "Avant l’atterrissage, l’agence frontalière")
    edit(facts, "Before passengers arrive in Canada", "Before travellers land")
    assert {"public.en", "public.fr"} <= rebuild(project)  # edition 2: the fact left
    template = project.parent / "templates" / "public.html.j2"
    stale = "<p>Avant l’arrivée des passagers au Canada, tout est prêt.</p>"  # edition 1's
    template.write_text(
        template.read_text().replace("{% block body %}", "{% block body %}" + stale)
    )
    report = build(load_project(project), now=SECOND, audiences=["public"])
    refused = sorted(p.field for p in report.problems)
    assert refused == ["human-trafficking/public.en", "human-trafficking/public.fr"]
    assert all("fact-cbsa-risk-assessment" in p.message for p in report.problems)
    assert [e.number for e in list_editions(load_project(project), SAMPLE)].count(3) == 0


def test_edit_during_a_build_is_seen_by_the_next(
    project: Path, edit: Edit, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inputs are keyed before they are read: an edit landing after a build read
    the data it renders makes the next build look again instead of trusting it."""
    import briefs.pipeline

    figures = project / "data" / SAMPLE / "figures.yaml"
    original = briefs.pipeline.briefs_of

    def load_then_edit(*args: object, **kwargs: object) -> object:
        loaded = original(*args, **kwargs)  # type: ignore[arg-type]
        edit(figures, "value: 45\n", "value: 46\n")
        return loaded

    edit(figures, "value: 44\n", "value: 45\n")
    monkeypatch.setattr(briefs.pipeline, "briefs_of", load_then_edit)
    assert rebuild(project) == ALL  # built from 45
    monkeypatch.setattr(briefs.pipeline, "briefs_of", original)
    assert rebuild(project) == ALL  # 46 is seen, not "up to date"
    assert "45 (2015) → 46 (2015)" in text(project, "partners.en")


def _edit_after_deciding(monkeypatch: pytest.MonkeyPatch, change: Callable[[], None]) -> None:
    """Make the next build call ``change`` between validating every dossier and
    loading each again to render it."""
    import briefs.pipeline

    original = briefs.pipeline.decide

    def decide_then_edit(*args: object, **kwargs: object) -> object:
        decision = original(*args, **kwargs)  # type: ignore[arg-type]
        change()
        return decision

    monkeypatch.setattr(briefs.pipeline, "decide", decide_then_edit)


def test_edit_between_validating_and_rendering_is_what_is_rendered(
    project: Path, edit: Edit, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build validates every dossier, then loads each one again to render it.
    An edit landing in between is rendered and recorded as what it is, and the
    key, taken before both, makes the next build look again."""
    figures = project / "data" / SAMPLE / "figures.yaml"
    edit(figures, "value: 44\n", "value: 45\n")
    _edit_after_deciding(monkeypatch, lambda: edit(figures, "value: 45\n", "value: 46\n"))
    assert rebuild(project) == ALL
    assert "44 (2015) → 46 (2015)" in text(project, "partners.en")
    monkeypatch.undo()
    assert up_to_date(load_project(project).folders, [], [], []) is None  # looks again
    assert rebuild(project) == set()  # and finds the PDFs of 46 current
    assert up_to_date(load_project(project).folders, [], [], []) == len(ALL)


def test_dossier_broken_between_validating_and_rendering_is_refused(
    project: Path, edit: Edit, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the dossier loaded again no longer validates, its briefs are refused
    and keep their last PDFs; the next build reports the problem as bad input."""
    figures = project / "data" / SAMPLE / "figures.yaml"
    edit(figures, "value: 44\n", "value: 45\n")
    before = text(project, "partners.en")
    _edit_after_deciding(monkeypatch, lambda: edit(figures, "value: 45\n", "value: lots\n"))
    report = build(load_project(project), now=SECOND)
    assert report.built == []
    assert {p.field for p in report.problems} == {f"{SAMPLE}/{name}" for name in ALL}
    for problem in report.problems:
        assert problem.file == f"data/{SAMPLE}/figures.yaml"
        assert "changed during the build and no longer validates" in problem.message
        assert problem.message.endswith("The last PDF is unchanged.")
    assert text(project, "partners.en") == before
    monkeypatch.undo()
    with pytest.raises(InvalidInput):
        build(load_project(project), now=SECOND)


def test_hidden_files_are_neither_loaded_nor_hashed(project: Path) -> None:
    hidden = project / "data" / SAMPLE / ".backup.yaml"
    hidden.write_text(
        "facts:\n  - id: hidden-fact\n    classification: unclassified\n"
        "    topic: context\n    source: src-backgrounder\n"
        "    text: {en: A hidden sentence nobody should print, fr: Une phrase cachée}\n"
    )
    assert rebuild(project) == set()
    assert "hidden sentence" not in text(project, "public.en")


@pytest.mark.parametrize("jobs", [1, 2])
def test_renderers_pick_up_a_changed_stylesheet(project: Path, jobs: int) -> None:
    """A long-running process (the scheduler, a web server) must not keep a
    stale stylesheet, whether it renders in-process or in workers forked from
    a fork server that prepared its Renderer earlier. The file's time is set
    back, so that only its changed content can tell."""
    css = project.parent / "templates" / "assets" / "brief.css"
    for size, expected in (("A4", (595, 842)), ("letter", (612, 792))):
        text = css.read_text()
        css.write_text(
            text.replace("size: letter;" if size == "A4" else "size: A4;", f"size: {size};")
        )
        old = css.stat().st_mtime - 3600
        os.utime(css, (old, old))
        assert rebuild(project, jobs=jobs) == ALL
        box = PdfReader(project / "output" / SAMPLE / "public.en.pdf").pages[0].mediabox
        assert (round(float(box.width)), round(float(box.height))) == expected


def test_forced_rebuild_with_different_bytes_makes_a_new_edition(project: Path) -> None:
    """A published edition is never rewritten: if the same inputs now give other
    bytes (say, upgraded system libraries), they become the next edition."""
    import sqlite3

    ledger = project / "output" / ".state" / "ledger.sqlite3"
    with sqlite3.connect(ledger) as db:  # pretend edition 1 was made by older libraries
        db.execute(
            "UPDATE editions SET sha256 = ? WHERE audience = 'public' AND lang = 'en'", ("0" * 64,)
        )
    first = project / "output" / ".state" / "archive" / SAMPLE / "public.en" / "0001.pdf"
    kept = first.read_bytes()
    report = build(
        load_project(project), now=SECOND, force=True, audiences=["public"], langs=["en"]
    )
    assert [p.name for p in report.built] == ["public.en.pdf"]
    numbers = [
        e.number
        for e in list_editions(load_project(project), SAMPLE)
        if e.brief.endswith("public.en")
    ]
    assert numbers == [1, 2]
    assert first.read_bytes() == kept
    assert "Only the wording or layout changed" in text(project, "public.en")


def test_forced_rebuild_after_a_deletion_still_does_not_name_a_withdrawn_item(
    project: Path, edit: Edit
) -> None:
    facts = reclassify(project, edit, "fact-cbsa-risk-assessment", "protected_b")
    rebuild(project)  # edition 2 of public: the fact left it, unnamed
    pdf = project / "output" / SAMPLE / "public.en.pdf"
    second = pdf.read_bytes()
    text_now = facts.read_text()
    start = text_now.index("  - id: fact-cbsa-risk-assessment")
    facts.write_text(text_now[:start] + text_now[text_now.index("  - id:", start + 5) :])
    assert "public.en" not in rebuild(project)  # public's content did not change
    rebuild(project, force=True)
    assert pdf.read_bytes() == second
    assert "Border Services" not in text(project, "public.en")


def test_a_ledger_from_an_earlier_briefs_is_upgraded(project: Path) -> None:
    import sqlite3

    ledger = project / "output" / ".state" / "ledger.sqlite3"
    with sqlite3.connect(ledger) as db:  # the schema before editions recorded item ids
        db.execute(
            "CREATE TABLE old AS SELECT dossier, audience, lang, number, built_at, "
            "edition_date, fingerprint, sha256, trigger, snapshot, output, archive, "
            "state FROM editions"
        )
        db.execute("DROP TABLE editions")
        db.execute("ALTER TABLE old RENAME TO editions")
    editions = list_editions(load_project(project))
    assert len(editions) == 6 and {e.existing for e in editions} == {"[]"}
    assert rebuild(project, force=True) == ALL
