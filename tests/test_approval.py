"""Approval before release (issue #13), read from real PDFs: drafts carry the
bilingual mark, ``briefs approve`` publishes the approved PDF and records it in
the ledger, any change makes a new draft, a stale edition is refused."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from pypdf import PdfReader

import briefs.editions.approvals as approvals_module
from briefs import ApprovalRefused, InvalidInput, approve, build, load_project
from briefs.cli import main
from briefs.editions.approvals import approvals, drafts, released, settle, waiting
from briefs.editions.fresh import up_to_date
from briefs.editions.ledger import open_ledger
from briefs.editions.publish import next_number
from conftest import SAMPLE, Built, write_project

Edit = Callable[[Path, str, str], None]
FIRST = datetime(2017, 3, 1, 15, 0, tzinfo=UTC)
APPROVED = datetime(2017, 3, 2, 15, 0, tzinfo=UTC)
LATER = datetime(2017, 3, 8, 15, 0, tzinfo=UTC)
ADM = "Sample Assistant Deputy Minister (sample)"
MARK = {"en": "DRAFT / ÉBAUCHE", "fr": "ÉBAUCHE / DRAFT"}
DRAFTS = ("minister", "public")


@pytest.fixture(scope="module")
def drafted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample built once as edition 1 of every brief: drafts where approval is required."""
    root = write_project(tmp_path_factory.mktemp("drafted") / "project")
    build(load_project(root), now=FIRST)
    return root


@pytest.fixture
def project(drafted: Path, tmp_path: Path) -> Path:
    """A private copy of the drafted project, ledger and archive included."""
    shutil.copytree(drafted, tmp_path / "project")
    return tmp_path / "project"


def pages(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def output(root: Path, name: str) -> Path:
    return root / "output" / SAMPLE / f"{name}.pdf"


def archive(root: Path, name: str) -> Path:
    return root / "output" / ".state" / "archive" / SAMPLE / name


def released_of(root: Path, name: str) -> approvals_module.Released | None:
    audience, lang = name.split(".")
    project = load_project(root)
    with open_ledger(project.folders) as ledger:
        return released(ledger, SAMPLE, audience, lang, required=audience != "partners")


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_drafts_carry_the_mark_on_every_page_partners_none(sample: Built, lang: str) -> None:
    for audience in ("minister", "public"):
        texts = pages(sample.paths[f"{audience}.{lang}"])
        assert all(MARK[lang] in text for text in texts), (audience, texts)
    assert not any("DRAFT" in t or "ÉBAUCHE" in t for t in pages(sample.paths[f"partners.{lang}"]))
    minister = " ".join(pages(sample.paths[f"minister.{lang}"]))
    waiting_text = "Awaiting approval" if lang == "en" else "En attente d’approbation"
    assert waiting_text in minister


def test_the_ledger_records_drafts(project: Path) -> None:
    with open_ledger(load_project(project).folders) as ledger:
        assert drafts(ledger) == {
            (SAMPLE, audience, lang, 1) for audience in DRAFTS for lang in ("en", "fr")
        }
    approve(load_project(project), SAMPLE, "minister", "fr", ADM, now=APPROVED)
    with open_ledger(load_project(project).folders) as ledger:
        assert (SAMPLE, "minister", "fr", 1) not in drafts(ledger)
        assert (SAMPLE, "minister", "en", 1) in drafts(ledger)


def test_approve_publishes_the_approved_pdf_and_keeps_both(project: Path) -> None:
    done = approve(load_project(project), SAMPLE, "minister", None, ADM, now=APPROVED)
    assert [(a.lang, a.number, new) for a, new in done] == [("en", 1, True), ("fr", 1, True)]
    for lang in ("en", "fr"):
        name = f"minister.{lang}"
        text = " ".join(" ".join(t.split()) for t in pages(output(project, name)))
        assert "DRAFT" not in text and "ÉBAUCHE" not in text
        # Name, then title (briefs.yaml's approvers:), then date, as Prepared by reads.
        said = {
            "en": f"APPROVED BY {ADM} Assistant Deputy Minister, Policy Sector (sample) "
            "March 2, 2017",
            "fr": f"APPROUVÉ PAR {ADM} Sous-ministre adjoint, Secteur des politiques (exemple) "
            "2 mars 2017",
        }
        assert said[lang] in text
        assert {p.name for p in archive(project, name).iterdir()} == {
            "0001.pdf",
            "0001.approved.pdf",
        }
        assert MARK[lang] in pages(archive(project, name) / "0001.pdf")[0]
        assert (
            output(project, name).read_bytes()
            == (archive(project, name) / "0001.approved.pdf").read_bytes()
        )
        got = released_of(project, name)
        assert got is not None and got.edition.number == 1 and got.approval is not None
        assert got.pdf.endswith("0001.approved.pdf") and got.approval.approved_by == ADM
    # Public is still waiting, and released nothing; partners release their newest.
    assert released_of(project, "public.en") is None
    partners = released_of(project, "partners.en")
    assert partners is not None and partners.pdf.endswith("0001.pdf")
    with open_ledger(load_project(project).folders) as ledger:
        assert [e.brief for e in waiting(ledger, load_project(project))] == [
            f"{SAMPLE}/public.en",
            f"{SAMPLE}/public.fr",
        ]
    # Approving again is a no-op that says so.
    again = approve(load_project(project), SAMPLE, "minister", "en", ADM, now=LATER)
    assert [(a.approved_by, a.approved_at[:10], new) for a, new in again] == [
        (ADM, "2017-03-02", False)
    ]
    # The archive numbering ignores the approved PDF.
    (target,) = [b.target for b in _briefs(project, "minister", "en")]
    assert next_number(load_project(project).folders, target, None) == 2


def _briefs(root: Path, audience: str, lang: str) -> list:  # type: ignore[type-arg]
    from briefs import plan

    return plan(load_project(root), [SAMPLE], [audience], [lang])


def test_rebuilding_unchanged_inputs_keeps_the_approval(project: Path) -> None:
    approve(load_project(project), SAMPLE, "minister", "en", ADM, now=APPROVED)
    approved = output(project, "minister.en").read_bytes()
    # The quick check (file stats and the ledger) knows the approved PDF is current.
    assert up_to_date(load_project(project).folders, [], [], []) == 6
    assert build(load_project(project), now=LATER).built == []
    assert output(project, "minister.en").read_bytes() == approved
    report = build(load_project(project), now=LATER, force=True)
    assert output(project, "minister.en") in report.built
    assert output(project, "minister.en").read_bytes() == approved
    output(project, "minister.en").unlink()
    report = build(load_project(project), now=LATER)
    assert report.restored == [output(project, "minister.en")]
    assert output(project, "minister.en").read_bytes() == approved


def test_a_change_makes_a_new_draft_and_the_approved_edition_stays_released(
    project: Path, edit: Edit
) -> None:
    approve(load_project(project), SAMPLE, "minister", None, ADM, now=APPROVED)
    edit(project / "data" / SAMPLE / "figures.yaml", "value: 44\n", "value: 45\n")
    # Stale: the inputs changed since edition 1, and no build made edition 2 yet.
    with pytest.raises(ApprovalRefused, match="inputs changed since"):
        approve(load_project(project), SAMPLE, "minister", "en", ADM, now=LATER)
    report = build(load_project(project), now=LATER)
    assert output(project, "minister.en") in report.built
    assert all(MARK["en"] in t for t in pages(output(project, "minister.en")))
    got = released_of(project, "minister.en")
    assert got is not None and got.edition.number == 1  # still what doors release
    assert (project / got.pdf).is_file()
    assert {p.name for p in archive(project, "minister.en").iterdir()} == {
        "0001.pdf",
        "0001.approved.pdf",
        "0002.pdf",
    }
    # Only the current edition can be approved.
    with pytest.raises(ApprovalRefused, match="edition 2, the current one"):
        approve(load_project(project), SAMPLE, "minister", "en", ADM, edition=1, now=LATER)
    done = approve(load_project(project), SAMPLE, "minister", "en", ADM, edition=2, now=LATER)
    assert [(a.number, new) for a, new in done] == [(2, True)]
    got = released_of(project, "minister.en")
    assert got is not None and got.edition.number == 2
    result = CliRunner().invoke(main, ["-C", str(project), "editions", SAMPLE])
    assert result.exit_code == 0, result.output
    rows = [line for line in result.output.splitlines() if "minister.en" in line]
    assert "superseded" in rows[0] and "approved" in rows[1], rows
    assert "draft" in " ".join(line for line in result.output.splitlines() if "public.en" in line)


def test_refusals_name_the_brief_and_write_nothing(project: Path) -> None:
    before = sorted(p for p in (project / "output").rglob("*") if p.is_file())
    runner = CliRunner()
    args = ["-C", str(project), "approve", SAMPLE, "--audience", "partners", "--by", ADM]
    result = runner.invoke(main, args)
    assert result.exit_code == 1
    assert f"{SAMPLE}/partners.en: not approved: expected an audience with" in result.output
    assert "approval: none" in result.output
    args = ["-C", str(project), "approve", SAMPLE, "--audience", "public", "--by", ADM]
    result = runner.invoke(main, [*args, "--edition", "3"])
    assert result.exit_code == 1
    assert "expected edition 1, the current one, found --edition 3" in result.output
    assert sorted(p for p in (project / "output").rglob("*") if p.is_file()) == before


def test_the_approved_pdf_is_reproducible(project: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    shutil.copytree(project, other)
    for root in (project, other):
        approve(load_project(root), SAMPLE, "public", "fr", ADM, now=APPROVED)
    mine, theirs = output(project, "public.fr"), output(other, "public.fr")
    assert mine.read_bytes() == theirs.read_bytes()
    assert "ÉBAUCHE" not in " ".join(pages(mine))


def test_status_lists_waiting_editions_without_failing(project: Path) -> None:
    approve(load_project(project), SAMPLE, "minister", None, ADM, now=APPROVED)
    result = CliRunner().invoke(main, ["-C", str(project), "status"])
    assert result.exit_code == 0, result.output
    assert "waiting for approval (2;" in result.output
    assert f"- {SAMPLE}/public.en edition 1, built 2017-03-01" in result.output
    assert re.search(r"built 2017-03-01\S* \(\d+ years? ago\)", result.output), result.output
    assert "minister" not in result.output.split("waiting for approval")[1]


def test_a_crash_while_approving_is_settled(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Killed after archiving the approved PDF, before it reached the output path:
    the approval is discarded with its archived PDF, and the draft stays."""
    writes: list[Path] = []
    real = approvals_module.write_atomic

    def crash_on_output(target: Path, data: bytes) -> None:
        writes.append(target)
        if len(writes) == 2:
            raise KeyboardInterrupt
        real(target, data)

    monkeypatch.setattr(approvals_module, "write_atomic", crash_on_output)
    draft = output(project, "minister.en").read_bytes()
    with pytest.raises(KeyboardInterrupt):
        approve(load_project(project), SAMPLE, "minister", "en", ADM, now=APPROVED)
    assert (archive(project, "minister.en") / "0001.approved.pdf").is_file()
    monkeypatch.undo()
    with open_ledger(load_project(project).folders) as ledger:
        assert settle(ledger, project) == [f"{SAMPLE}/minister.en #1 approval: discarded"]
        assert approvals(ledger) == {}
        assert (SAMPLE, "minister", "en", 1) in drafts(ledger)
    assert not (archive(project, "minister.en") / "0001.approved.pdf").exists()
    assert output(project, "minister.en").read_bytes() == draft
    approve(load_project(project), SAMPLE, "minister", "en", ADM, now=APPROVED)
    assert "DRAFT" not in " ".join(pages(output(project, "minister.en")))


def test_approved_by_in_the_data_is_an_error(project_dir: Path, edit: Edit) -> None:
    """An approval cannot be forged from the data: the old key is refused, located."""
    dossier = project_dir / "data" / SAMPLE / "dossier.yaml"
    edit(dossier, "  topics:\n", f"  approved_by:\n    name: {ADM}\n  topics:\n")
    line = dossier.read_text().splitlines().index("  approved_by:") + 2  # its value's line
    for command in ("check", "build"):
        result = CliRunner().invoke(main, ["-C", str(project_dir), command])
        assert result.exit_code == 1, result.output
        assert f"data/{SAMPLE}/dossier.yaml:{line}: dossier.approved_by:" in result.output
        assert "approvals are recorded in the ledger with `briefs approve`" in result.output


def _approvers(root: Path, approvers: list[dict[str, object]] | None) -> None:
    """Set (or, with None, remove) ``approvers:`` in the project's briefs.yaml."""
    config = yaml.safe_load((root / "briefs.yaml").read_text())
    config.pop("approvers", None)
    if approvers is not None:
        config["approvers"] = approvers
    (root / "briefs.yaml").write_text(yaml.safe_dump(config, allow_unicode=True))


DIRECTOR = {
    "name": "Sample Director General (sample)",
    "title": {"en": "Director General (sample)", "fr": "Directrice générale (exemple)"},
    "audiences": ["public"],
}


def test_only_a_listed_approver_cleared_for_the_audience_may_approve(project: Path) -> None:
    config = yaml.safe_load((project / "briefs.yaml").read_text())
    _approvers(project, [*config["approvers"], DIRECTOR])
    before = {p: p.read_bytes() for p in (project / "output").rglob("*") if p.is_file()}
    runner = CliRunner()
    base = ["-C", str(project), "approve", SAMPLE, "--audience", "minister", "--by"]
    unlisted = runner.invoke(main, [*base, "Someone Else"])
    assert unlisted.exit_code == 1
    assert (
        f"{SAMPLE}/minister: not approved: expected an approver of minister listed in "
        f"briefs.yaml `approvers:` ({ADM}), found 'Someone Else', not listed"
    ) in " ".join(unlisted.output.split())
    elsewhere = runner.invoke(main, [*base, str(DIRECTOR["name"])])
    assert elsewhere.exit_code == 1
    assert "listed, but not cleared for minister" in " ".join(elsewhere.output.split())
    after = {p: p.read_bytes() for p in (project / "output").rglob("*") if p.is_file()}
    assert after == before  # nothing written, nothing recorded
    with open_ledger(load_project(project).folders) as ledger:
        assert approvals(ledger) == {}
    # Cleared for the public backgrounder, the director may approve it.
    done = approve(load_project(project), SAMPLE, "public", "en", str(DIRECTOR["name"]))
    assert [a.approved_by for a, _ in done] == [DIRECTOR["name"]]


def test_without_approvers_any_name_approves_with_no_title(project: Path) -> None:
    _approvers(project, None)
    approve(load_project(project), SAMPLE, "minister", None, "Someone Else", now=APPROVED)
    for lang, said in (
        ("en", "Approved by Someone Else, March 2, 2017"),
        ("fr", "Approuvé par Someone Else, le 2 mars 2017"),
    ):
        text = " ".join(" ".join(t.split()) for t in pages(output(project, f"minister.{lang}")))
        assert said in text
        assert "Assistant Deputy Minister, Policy Sector" not in text


def test_adding_approvers_makes_no_new_edition(tmp_path: Path) -> None:
    root = write_project(tmp_path / "project")
    config = yaml.safe_load((root / "briefs.yaml").read_text())
    _approvers(root, None)
    build(load_project(root), now=FIRST)
    _approvers(root, config["approvers"])
    report = build(load_project(root), now=LATER)
    assert (report.built, report.restored, report.current) == ([], [], 6)


def test_approvers_must_name_known_audiences(project_dir: Path) -> None:
    _approvers(project_dir, [{**DIRECTOR, "audiences": ["public", "media"]}])
    with pytest.raises(InvalidInput) as raised:
        load_project(project_dir)
    (problem,) = raised.value.problems
    lines = (project_dir / "briefs.yaml").read_text().splitlines()
    assert problem.line is not None and lines[problem.line - 1].strip() == "- media"
    assert "expected an audience of briefs.yaml (minister, partners, public), found 'media'" in str(
        problem
    )
