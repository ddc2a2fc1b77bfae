"""``briefs run``: the real scheduler, real file events, real PDFs.

The Runner runs in a thread of this process with short settings; the CLI and
signals are tested on real subprocesses. No assertion is about how long
anything took: each test waits for a condition (with a generous deadline),
then asserts. Rebuilds are counted in the run log and the edition ledger.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from itertools import count
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import psutil
import pytest
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from click.testing import CliRunner
from pypdf import PdfReader

from briefs import list_editions, load_project
from briefs.cli import main
from briefs.editions.ledger import Edition
from briefs.errors import AlreadyRunning
from briefs.schedule.attempt import INPUT
from briefs.schedule.jobs import load_jobs, read_job
from briefs.schedule.lock import holder
from briefs.schedule.loop import Runner
from briefs.schedule.runlog import Run, open_runlog
from briefs.schedule.timers import STORE_NAME, next_time, slot, timed
from briefs.source.files import sha256_file
from conftest import QUICK, REPO, SAMPLE, configure

T = TypeVar("T")
Edit = Callable[[Path, str, str], None]
ALL = [f"{a}.{lang}" for a in ("minister", "partners", "public") for lang in ("en", "fr")]
TORONTO = ZoneInfo("America/Toronto")
ANALYSIS = Path("data", SAMPLE, "analysis.yaml")
FIGURES = Path("data", SAMPLE, "figures.yaml")
MINISTER_EN = ("ask officials for options", "ask officials for two options")
"""An edit of a Protected B item's English text: only minister.en prints it."""
EVERYONE = ("value: 44\n", "value: 45\n")
"""An edit of a public figure: every brief prints it."""
ON_CHANGE = "triggers:\n  on_change: true\n"
DEADLINE = 30.0
LOOKED = "watching for changes"
"""Logged once the start-up look at what changed while stopped is done."""


# -- projects ----------------------------------------------------------------------


def write_job(root: Path, name: str, text: str) -> Path:
    path = root / "jobs" / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def save(path: Path, text: str) -> None:
    """Save as an editor does: write a temporary file, then rename it over the old."""
    temporary = path.with_name(f".{path.name}.swp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


def pdfs(root: Path) -> dict[str, tuple[bytes, int]]:
    """Each brief's bytes and mtime, to prove which ones were written."""
    folder = root / "output" / SAMPLE
    return {
        n: ((folder / f"{n}.pdf").read_bytes(), (folder / f"{n}.pdf").stat().st_mtime_ns)
        for n in ALL
    }


def pdf_text(root: Path, name: str) -> str:
    reader = PdfReader(root / "output" / SAMPLE / f"{name}.pdf")
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def editions(root: Path) -> list[Edition]:
    return list_editions(load_project(root))


def new_editions(root: Path) -> list[tuple[str, int, str]]:
    """(brief, number, trigger) of every edition after the first."""
    return [(e.brief.split("/")[1], e.number, e.trigger) for e in editions(root) if e.number > 1]


def runs(root: Path, job: str) -> list[Run]:
    with open_runlog(root / "output" / ".state") as runlog:
        return runlog.runs(job)


def failing(root: Path) -> dict[str, str]:
    with open_runlog(root / "output" / ".state") as runlog:
        return {what: reason for what, _, reason in runlog.failing()}


def briefs_command(root: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "briefs", "-C", str(root), *args]


def invoke(root: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["-C", str(root), *args])
    return result.exit_code, result.output


# -- waiting -----------------------------------------------------------------------


def wait_for(condition: Callable[[], T], what: str, timeout: float = DEADLINE) -> T:
    """Poll ``condition`` until it is truthy; fail saying ``what`` did not happen."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"gave up after {timeout:.0f} s waiting for {what}")
        time.sleep(0.05)


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger="briefs.run")
    return caplog


def said(logs: pytest.LogCaptureFixture, text: str, level: int = logging.DEBUG) -> list[str]:
    """The run log lines (``briefs.run``) that contain ``text``."""
    return [
        r.getMessage()
        for r in list(logs.records)
        if r.name == "briefs.run" and r.levelno >= level and text in r.getMessage()
    ]


_markers = count()


def drain(runner: Runner, logs: pytest.LogCaptureFixture) -> None:
    """Wait until the build loop has handled everything queued so far.

    A fire for a job that does not exist goes through the loop's one queue,
    behind what is already there, and the loop logs that it skipped it."""
    marker = f"drain-{next(_markers)}"
    runner.due(marker, "drain", datetime.now(UTC))
    wait_for(lambda: said(logs, f"job {marker} fired but is no longer defined"), "the loop")


@contextmanager
def running(root: Path) -> Iterator[Runner]:
    """``briefs run`` in a thread of this process, stopped and joined at the end."""
    runner = Runner(root)
    ready = threading.Event()
    failed: list[BaseException] = []

    def serve() -> None:
        try:
            runner.serve(ready)
        except BaseException as exc:
            failed.append(exc)
            ready.set()

    thread = threading.Thread(target=serve, name="briefs-run", daemon=True)
    thread.start()
    assert ready.wait(DEADLINE), "briefs run did not start"
    assert not failed, failed
    try:
        yield runner
    finally:
        runner.stop()
        thread.join(DEADLINE)
    assert not thread.is_alive(), "briefs run did not stop"
    assert not failed, failed


@contextmanager
def subprocess_run(root: Path, log: Path, *options: str) -> Iterator[subprocess.Popen[bytes]]:
    """A real ``briefs run``, its standard error in ``log``; killed if a test fails."""
    with log.open("wb") as err:
        process = subprocess.Popen(
            briefs_command(root, "run", *options), stdout=subprocess.DEVNULL, stderr=err
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(DEADLINE)


# -- rebuilds on change --------------------------------------------------------------


def test_a_save_rebuilds_only_the_brief_it_changes(
    project: Path, edit: Edit, logs: pytest.LogCaptureFixture
) -> None:
    write_job(project, "on-change", ON_CHANGE)
    before = pdfs(project)
    with running(project) as runner:
        wait_for(lambda: said(logs, LOOKED), "the start-up look at the files")
        edit(project / ANALYSIS, *MINISTER_EN)
        wait_for(lambda: [r for r in runs(project, "on-change") if r.built], "a rebuild")
        drain(runner, logs)
    assert [(r.trigger, r.state, r.built) for r in runs(project, "on-change")] == [
        ("change", "done", 1)
    ]
    after = pdfs(project)
    assert [n for n in ALL if after[n] != before[n]] == ["minister.en"]
    assert "ask officials for two options" in pdf_text(project, "minister.en")
    assert new_editions(project) == [("minister.en", 2, "change")]
    assert said(logs, f"rebuilt output/{SAMPLE}/minister.en.pdf (change, job on-change)")


def test_a_burst_of_saves_gives_one_rebuild(project: Path, logs: pytest.LogCaptureFixture) -> None:
    configure(project, settle=1.0)
    write_job(project, "on-change", ON_CHANGE)
    path = project / ANALYSIS
    text = path.read_text(encoding="utf-8")
    with running(project) as runner:
        wait_for(lambda: said(logs, LOOKED), "the start-up look at the files")
        for words in ("two", "three", "four", "five", "six"):
            saved = text.replace(MINISTER_EN[0], f"ask officials for {words} options")
            path.write_text(saved, encoding="utf-8")
            time.sleep(0.05)  # separate saves, each its own file event
        wait_for(
            lambda: "officials for six options" in pdf_text(project, "minister.en"),
            "the last save to be built",
        )
        drain(runner, logs)
    assert [(r.state, r.built) for r in runs(project, "on-change")] == [("done", 1)]
    assert new_editions(project) == [("minister.en", 2, "change")]


def test_an_invalid_save_keeps_the_last_pdf_and_is_reported_once(
    project: Path, logs: pytest.LogCaptureFixture
) -> None:
    """A half-written save (truncated, then empty) is an invalid edit like any
    other; a job firing every second proves the loop kept looking."""
    write_job(project, "on-change", ON_CHANGE)
    write_job(
        project, "tick", "build: {audiences: [public]}\ntriggers:\n  interval: {seconds: 1}\n"
    )
    path = project / ANALYSIS
    good = path.read_text(encoding="utf-8")
    before = pdfs(project)

    def failed_ticks(reason: str) -> int:
        return sum(r.state == "failed" and reason in r.message for r in runs(project, "tick"))

    with running(project):
        save(path, good[: good.index("protected_b") + 4])  # cut short mid-line
        wait_for(lambda: "analysis.yaml:8" in failing(project).get(INPUT, ""), "the report")
        wait_for(lambda: failed_ticks("analysis.yaml:8") >= 2, "two more looks")
        assert len(said(logs, "analysis.yaml", logging.ERROR)) == 1

        code, output = invoke(project, "status")
        assert code == 1, output
        assert f"briefs run: running (pid {os.getpid()})" in output
        assert "- input, since" in output and "analysis[0].classification" in output

        save(path, "")
        wait_for(lambda: "the file is empty" in failing(project).get(INPUT, ""), "the report")
        wait_for(lambda: failed_ticks("the file is empty") >= 2, "two more looks")
        assert len(said(logs, "analysis.yaml", logging.ERROR)) == 2  # one per new error
        assert pdfs(project) == before

        save(path, good.replace(*MINISTER_EN))
        wait_for(lambda: new_editions(project), "the good save to be built")
        wait_for(lambda: not failing(project), "the failure to clear")
    assert new_editions(project) == [("minister.en", 2, "change")]
    assert "ask officials for two options" in pdf_text(project, "minister.en")
    assert len(said(logs, "valid again")) == 1
    assert invoke(project, "status")[0] == 0


# -- jobs ------------------------------------------------------------------------------


def test_job_files_added_changed_and_removed_while_running(
    project: Path, logs: pytest.LogCaptureFixture
) -> None:
    write_job(project, "on-change", ON_CHANGE)
    tick = "build: {audiences: [public]}\ntriggers:\n  interval: {seconds: 1}\n"

    def ticks() -> int:
        return sum(r.finished_at is not None for r in runs(project, "tick"))

    def scheduled(runner: Runner) -> set[str]:
        return {job.id for job in runner.scheduler.get_jobs()}

    with running(project) as runner:
        assert scheduled(runner) == set()
        write_job(project, "tick", tick)
        wait_for(lambda: ticks() >= 1, "the added job to run")
        assert {(r.trigger, r.state) for r in runs(project, "tick") if r.finished_at} == {
            ("schedule", "done")
        }

        write_job(project, "broken", 'triggers:\n  cron: "0 25 * * *"\n')
        reason = wait_for(lambda: failing(project).get("job broken", ""), "the job file's report")
        assert "jobs/broken.yaml:2: triggers.cron: expected a crontab line" in reason
        assert "found '0 25 * * *'" in reason
        assert len(said(logs, "job broken skipped, its file is invalid", logging.ERROR)) == 1
        seen = ticks()
        wait_for(lambda: ticks() >= seen + 2, "the other jobs to keep running")

        write_job(project, "tick", tick + "colour: blue\n")  # invalid: keeps its last good self
        reason = wait_for(lambda: failing(project).get("job tick", ""), "the job file's report")
        assert "jobs/tick.yaml:4: colour: unknown key 'colour'" in reason
        seen = ticks()
        wait_for(lambda: ticks() >= seen + 2, "the job to keep its last good definition")

        (project / "jobs" / "tick.yaml").unlink()
        (project / "jobs" / "broken.yaml").unlink()
        wait_for(lambda: "tick@interval" not in scheduled(runner), "the removed job to go")
        wait_for(lambda: not failing(project), "the reports to clear")
        drain(runner, logs)
        assert set(runner.jobs) == {"on-change"}
    assert said(logs, "job tick: no longer scheduled")


def rewind(root: Path, job: str, when: datetime) -> None:
    """Make the schedule's store say ``job`` was next due at ``when``, as if
    briefs run had been stopped since before then."""
    store = SQLAlchemyJobStore(url=f"sqlite:///{root / 'output' / '.state' / STORE_NAME}")
    store.start(BackgroundScheduler(timezone=UTC), "default")  # the store only, no clock
    try:
        stored = store.lookup_job(job)
        stored.next_run_time = when
        store.update_job(stored)
    finally:
        store.shutdown()


@pytest.mark.parametrize(("grace", "fires"), [(3600, True), (60, False)], ids=["within", "older"])
def test_a_run_missed_while_stopped_fires_once_within_the_grace_period(
    project: Path, edit: Edit, logs: pytest.LogCaptureFixture, grace: int, fires: bool
) -> None:
    configure(project, grace=grace)
    missed = (datetime.now(TORONTO) - timedelta(minutes=10)).replace(second=0, microsecond=0)
    cron = f"{missed.minute} {missed.hour} * * *"
    write_job(project, "daily", f'build: {{audiences: [minister]}}\ntriggers:\n  cron: "{cron}"\n')
    with running(project):
        pass  # scheduled: its next run is tomorrow
    rewind(project, "daily", missed - timedelta(days=3))  # stopped for three days
    edit(project / ANALYSIS, *MINISTER_EN)
    before = pdfs(project)
    with running(project) as runner:
        if fires:
            wait_for(lambda: [r for r in runs(project, "daily") if r.finished_at], "the run")
        else:
            wait_for(lambda: said(logs, "job daily: a run was missed"), "the missed run's report")
        drain(runner, logs)
    if fires:  # four missed runs, coalesced into the last one
        [run] = runs(project, "daily")
        assert (run.slot, run.trigger, run.state, run.built) == (
            missed.strftime("at %Y-%m-%d %H:%M"),
            "schedule",
            "done",
            1,
        )
        assert new_editions(project) == [("minister.en", 2, "schedule")]
    else:
        assert runs(project, "daily") == []
        assert pdfs(project) == before and new_editions(project) == []


def test_the_fall_back_day_gives_one_edition_of_a_1_30_job(
    project: Path, edit: Edit, logs: pytest.LogCaptureFixture
) -> None:
    """On 2026-11-01 Toronto's clocks go from 01:59 EDT back to 01:00 EST, so
    01:30 comes twice. The trigger says so; the run log runs it once."""
    path = write_job(
        project,
        "nightly",
        'build: {audiences: [minister]}\ntriggers:\n  cron: "30 1 * * *"\n'
        "  timezone: America/Toronto\n",
    )
    job, problems = read_job(load_project(project), path)
    assert job is not None and problems == []
    [(sid, trigger)] = timed(job).items()  # what the scheduler is given
    assert isinstance(trigger, CronTrigger)
    fires: list[datetime] = []
    now = datetime(2026, 10, 31, 12, tzinfo=TORONTO)
    for _ in range(3):
        fires.append(trigger.get_next_fire_time(fires[-1] if fires else None, now))
        now = fires[-1].astimezone(UTC) + timedelta(seconds=1)
    first, again, next_day = fires
    assert [f.astimezone(UTC).hour for f in fires] == [5, 6, 6]  # 01:30 EDT, EST, EST
    assert slot(sid, first, job.timezone) == slot(sid, again, job.timezone)

    with running(project) as runner:
        edit(project / ANALYSIS, *MINISTER_EN)
        runner.due(job.id, slot(sid, first, job.timezone), first)
        wait_for(lambda: [r for r in runs(project, "nightly") if r.finished_at], "the first run")
        edit(project / ANALYSIS, "two options", "three options")
        runner.due(job.id, slot(sid, again, job.timezone), again)
        wait_for(lambda: said(logs, "job nightly: already ran at 2026-11-01 01:30"), "the skip")
        assert new_editions(project) == [("minister.en", 2, "schedule")]
        runner.due(job.id, slot(sid, next_day, job.timezone), next_day)
        wait_for(lambda: len(runs(project, "nightly")) == 2, "the next day's run")
        drain(runner, logs)
    assert [(r.slot, r.built) for r in runs(project, "nightly")] == [
        ("at 2026-11-01 01:30", 1),
        ("at 2026-11-02 01:30", 1),
    ]
    assert new_editions(project) == [("minister.en", 2, "schedule"), ("minister.en", 3, "schedule")]
    code, output = invoke(project, "editions", SAMPLE)
    assert code == 0 and output.count("schedule") == 2, output


# -- one instance, stopping -------------------------------------------------------------


def test_a_second_instance_is_refused(project: Path) -> None:
    with running(project):
        with pytest.raises(AlreadyRunning, match=f"process {os.getpid()} holds"):
            Runner(project).serve()
        second = subprocess.run(
            briefs_command(project, "run"), capture_output=True, text=True, timeout=DEADLINE
        )
    assert second.returncode == 1, second.stderr
    assert "briefs run is already running for this project" in second.stderr
    assert holder(project / "output" / ".state") is None


def test_a_lock_left_by_a_killed_run_does_not_block_the_next(project: Path, tmp_path: Path) -> None:
    write_job(project, "on-change", ON_CHANGE)
    configure(project, **{**QUICK, "workers": 2})
    state = project / "output" / ".state"
    log = tmp_path / "run.log"
    with subprocess_run(project, log) as process:
        wait_for(lambda: "started (pid" in log.read_text(), "briefs run to start")
        assert holder(state) == str(process.pid)
        assert f"running (pid {process.pid})" in invoke(project, "status")[1]
        main = psutil.Process(process.pid)
        # The fork server, the resource tracker and two workers.
        helpers = wait_for(
            lambda: len(main.children(recursive=True)) >= 4 and main.children(recursive=True),
            "the render workers",
        )
        process.kill()
        process.wait(DEADLINE)
        # None outlives it: the workers watch it, and the fork server ends with them.
        wait_for(
            lambda: (
                not [p for p in helpers if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
            ),
            "its helpers to end",
        )
    assert (state / "run.lock").read_text().strip() == str(process.pid)  # the file stays
    assert holder(state) is None
    assert "briefs run: not running" in invoke(project, "status")[1]
    with running(project):
        assert holder(state) == str(os.getpid())


def test_sigterm_finishes_the_brief_in_progress_and_stops(
    project: Path, edit: Edit, tmp_path: Path, logs: pytest.LogCaptureFixture
) -> None:
    """With --json-logs, standard error is one JSON object per line."""
    write_job(project, "on-change", ON_CHANGE)
    log = tmp_path / "run.log"

    def lines() -> list[dict[str, Any]]:
        return [json.loads(line) for line in log.read_text().splitlines()]

    def messages() -> list[str]:
        return [line["message"] for line in lines()]

    before = pdfs(project)
    with subprocess_run(project, log, "--json-logs") as process:
        wait_for(lambda: any(LOOKED in m for m in messages()), "briefs run to start")
        edit(project / FIGURES, *EVERYONE)  # six briefs to rebuild
        wait_for(lambda: pdfs(project) != before, "a first brief to be published")
        process.send_signal(signal.SIGTERM)
        assert process.wait(DEADLINE) == 0
    records = lines()
    assert all({"time", "level", "logger", "message"} <= set(r) for r in records)
    assert any(r["message"].startswith("stopping (SIGTERM)") for r in records)
    assert records[-1]["message"] == "stopped"
    assert not list(project.rglob("*.tmp"))
    assert holder(project / "output" / ".state") is None
    stopped_at = len(new_editions(project))
    assert 1 <= stopped_at < len(ALL)
    with running(project) as runner:  # the next start builds what the stop left
        wait_for(lambda: len(new_editions(project)) == len(ALL), "the other briefs")
        drain(runner, logs)
    assert sorted(new_editions(project)) == [(n, 2, "change") for n in ALL]


def test_a_build_by_hand_beside_briefs_run_publishes_each_edition_once(
    project: Path, edit: Edit, logs: pytest.LogCaptureFixture
) -> None:
    write_job(project, "on-change", ON_CHANGE)
    with running(project) as runner:
        wait_for(lambda: said(logs, LOOKED), "the start-up look at the files")
        edit(project / FIGURES, *EVERYONE)
        by_hand = subprocess.run(
            briefs_command(project, "build"), capture_output=True, text=True, timeout=60
        )
        assert by_hand.returncode == 0, by_hand.stderr
        wait_for(lambda: len(new_editions(project)) >= len(ALL), "every brief's new edition")
        drain(runner, logs)
    new = new_editions(project)
    assert sorted(brief for brief, _, _ in new) == ALL
    assert {number for _, number, _ in new} == {2}
    assert {trigger for _, _, trigger in new} <= {"cli", "change"}
    latest = {e.brief: e.sha256 for e in editions(project)}  # oldest first: the last wins
    for name in ALL:
        pdf = project / "output" / SAMPLE / f"{name}.pdf"
        assert latest[f"{SAMPLE}/{name}"] == sha256_file(pdf)
    assert not list(project.rglob("*.tmp"))


# -- the commands -----------------------------------------------------------------------


@pytest.fixture
def cli_logging() -> Iterator[None]:
    """``briefs jobs run`` sets up logging as a command does; undo it afterwards."""
    names = [None, "briefs.run", "apscheduler"]
    root = logging.getLogger()
    handlers, levels = list(root.handlers), [logging.getLogger(n).level for n in names]
    yield
    root.handlers[:] = handlers
    for name, level in zip(names, levels, strict=True):
        logging.getLogger(name).setLevel(level)


def test_jobs_lists_jobs_with_next_run_times_and_problems(project_dir: Path) -> None:
    shutil.copytree(REPO / "jobs", project_dir / "jobs")
    code, output = invoke(project_dir, "jobs")
    assert code == 0, output
    jobs, problems = load_jobs(load_project(project_dir))
    assert sorted(jobs) == ["minister-weekly", "on-change", "public-daily"] and problems == []
    for job in jobs.values():
        at = next_time(job, datetime.now(UTC))
        assert job.id in output
        assert (at.isoformat(timespec="minutes") if at else "on change") in output
    assert "cron 0 7 * * mon (America/Toronto)" in output

    write_job(project_dir, "broken", 'build: {audiences: [media]}\ntriggers:\n  cron: "0 7"\n')
    code, output = invoke(project_dir, "jobs")
    assert code == 1
    assert "public-daily" in output  # the valid jobs are still listed
    assert "error: 2 problems found" in output  # every problem of the file, at once
    assert "jobs/broken.yaml:1: build.audiences.0: expected an audience of briefs.yaml" in output
    assert "jobs/broken.yaml:3: triggers.cron: expected a crontab line" in output
    assert "found '0 7'" in output


@pytest.mark.parametrize(
    ("text", "where", "expected", "found"),
    [
        (
            'triggers:\n  cron: "0 25 * * *"\n',
            "2: triggers.cron:",
            "a crontab line",
            "'0 25 * * *'",
        ),
        (
            "build:\n  audiences: [public, media]\ntriggers: {on_change: true}\n",
            "2: build.audiences.1:",
            "an audience of briefs.yaml (minister, partners, public)",
            "'media'",
        ),
        (
            "build:\n  audience: [public]\ntriggers: {on_change: true}\n",
            "2: build.audience:",
            "one of: dossiers, audiences, languages",
            "unknown key 'audience'",
        ),
        (
            "description: never\ntriggers: {}\n",
            "2: triggers:",
            "at least one of cron, interval or on_change: true",
            "a mapping",
        ),
        (
            'triggers:\n  cron: "0 7 * * *"\n  timezone: Ottawa\n',
            "3: triggers.timezone:",
            "an IANA time zone",
            "'Ottawa'",
        ),
    ],
    ids=["cron", "audience", "key", "no-triggers", "zone"],
)
def test_job_file_problems_name_file_line_field_expected_and_found(
    project_dir: Path, text: str, where: str, expected: str, found: str
) -> None:
    (project_dir / "jobs").mkdir()
    path = write_job(project_dir, "bad", text)
    job, problems = read_job(load_project(project_dir), path)
    assert job is None and len(problems) == 1
    message = str(problems[0])
    assert message.startswith(f"jobs/bad.yaml:{where} ")
    assert f"expected {expected}" in message and found in message


def test_jobs_run_builds_and_records_and_status_says_what_fails(
    project: Path, edit: Edit, cli_logging: None
) -> None:
    shutil.copytree(REPO / "jobs", project / "jobs", dirs_exist_ok=True)
    edit(project / ANALYSIS, *MINISTER_EN)
    code, output = invoke(project, "jobs", "run", "minister-weekly")
    assert code == 0, output
    assert f"output/{SAMPLE}/minister.en.pdf" in output and "1 built, 1 up to date" in output
    assert new_editions(project) == [("minister.en", 2, "cli")]
    [run] = runs(project, "minister-weekly")
    assert (run.trigger, run.state, run.built, run.current) == ("cli", "done", 1, 1)

    code, output = invoke(project, "status")
    assert code == 0, output
    assert "briefs run: not running" in output and "nothing is failing" in output
    assert "minister-weekly" in output and "done" in output

    edit(project / "briefs.yaml", "page_budget: 2", "page_budget: 1")
    code, output = invoke(project, "jobs", "run", "minister-weekly")
    assert code == 1, output
    code, output = invoke(project, "status")
    assert code == 1, output
    assert "failing (2):" in output
    for lang in ("en", "fr"):
        assert f"- brief {SAMPLE}/minister.{lang}, since" in output
    assert "over the audience's page budget of 1" in output
    assert "The last PDF is unchanged." in output
    assert new_editions(project) == [("minister.en", 2, "cli")]

    code, output = invoke(project, "jobs", "run", "nope")
    assert code == 1
    assert "no job 'nope' in the jobs folder (jobs: minister-weekly, on-change, public-daily)" in (
        output
    )
