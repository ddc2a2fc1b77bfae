"""Job files: ``jobs/<id>.yaml``, each saying what to build and when.

They are read with the same YAML reader and validation as the data, so a
mistake is reported with its file, line, field, what was expected and what
was found. One bad job file is reported and skipped; the others still run.
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from briefs.errors import InvalidInput, Problem, UnknownJob, quoted
from briefs.mail.letter import template_problems
from briefs.mail.recipients import DISTRIBUTION, Deliver, Lists, deliver_problems, read_lists
from briefs.source.config import Project
from briefs.source.files import DOSSIER_NAME
from briefs.source.model import Id, Lang
from briefs.source.validation import problems_from
from briefs.source.yamlfile import YamlDocument, read_yaml


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Scope(_Spec):
    """What a job builds; an empty list means all of them."""

    dossiers: list[Id] = []
    audiences: list[Id] = []
    languages: list[Lang] = []


class Every(_Spec):
    """An interval; the parts add up."""

    weeks: Annotated[int, Field(ge=0)] = 0
    days: Annotated[int, Field(ge=0)] = 0
    hours: Annotated[int, Field(ge=0)] = 0
    minutes: Annotated[int, Field(ge=0)] = 0
    seconds: Annotated[int, Field(ge=0)] = 0

    @model_validator(mode="after")
    def _positive(self) -> Every:
        if self.span <= timedelta(0):
            raise ValueError("expected an interval longer than zero, e.g. {hours: 24}")
        return self

    @property
    def span(self) -> timedelta:
        return timedelta(
            weeks=self.weeks,
            days=self.days,
            hours=self.hours,
            minutes=self.minutes,
            seconds=self.seconds,
        )


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


class Triggers(_Spec):
    """When a job runs: on cron times, every interval, on a change, or several."""

    cron: Annotated[list[str], BeforeValidator(_as_list)] = []
    """Crontab lines (minute hour day month weekday), e.g. ``0 7 * * mon``."""
    timezone: str | None = None
    """The cron times' time zone; default: briefs.yaml's ``timezone``."""
    interval: Every | None = None
    on_change: bool = False
    """Run when the data, templates or configuration change."""

    @field_validator("cron")
    @classmethod
    def _crontab(cls, value: list[str]) -> list[str]:
        for line in value:
            try:
                CronTrigger.from_crontab(line, timezone="UTC")
            except ValueError as exc:
                raise ValueError(
                    f"expected a crontab line (minute hour day month weekday), e.g. "
                    f"'0 7 * * mon'; found {quoted(line)} ({exc})"
                ) from None
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        try:
            if value is not None:
                ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"expected an IANA time zone such as America/Toronto, found {quoted(value)}"
            ) from None
        return value

    @model_validator(mode="after")
    def _some(self) -> Triggers:
        if not (self.cron or self.interval or self.on_change):
            raise ValueError("expected at least one of cron, interval or on_change: true")
        return self


class JobFile(_Spec):
    """The whole of one job file."""

    description: str = ""
    build: Scope = Scope()
    triggers: Triggers
    deliver: Deliver | None = None
    """Who is emailed the briefs after each run (docs/mail.md)."""


class Job(_Spec):
    """A valid job: its file's content, its id (the file name) and its cron zone."""

    id: str
    spec: JobFile
    timezone: str

    @property
    def digest(self) -> str:
        """Changes when anything that decides its runs or its scope changes."""
        text = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def job_files(folder: Path) -> list[Path]:
    """The job files: ``*.yaml`` directly in the jobs folder, hidden ones and the
    distribution lists aside."""
    if not folder.is_dir():
        return []
    return sorted(
        p for p in folder.glob("*.yaml") if not p.name.startswith(".") and p.name != DISTRIBUTION
    )


def load_jobs(project: Project) -> tuple[dict[str, Job], list[Problem]]:
    """Every valid job by id, and every problem of the others, all at once."""
    folder = project.root / project.settings.jobs
    jobs: dict[str, Job] = {}
    lists = read_lists(project, folder)
    problems: list[Problem] = list(lists.problems)
    for path in job_files(folder):
        job, found = read_job(project, path, lists)
        problems += found
        if job is not None:
            jobs[job.id] = job
    if any(job.spec.deliver for job in jobs.values()):
        templates = project.folders.templates
        problems += template_problems(templates, project.folders.show(templates))
    return jobs, problems


def find_job(project: Project, job_id: str) -> Job:
    """The job named ``job_id``; raise :class:`UnknownJob` or, for an invalid
    file, :class:`InvalidInput` with its problems."""
    files = {p.stem: p for p in job_files(project.root / project.settings.jobs)}
    if job_id not in files:
        raise UnknownJob(job_id, sorted(files))
    job, problems = read_job(project, files[job_id])
    if job is None:
        raise InvalidInput(problems)
    return job


def read_job(
    project: Project, path: Path, lists: Lists | None = None
) -> tuple[Job | None, list[Problem]]:
    """One job file, validated against the project (its audiences exist) and
    the distribution lists (read from beside it unless given)."""
    shown = project.folders.show(path)
    if not DOSSIER_NAME.fullmatch(path.stem):
        why = f"expected a file name of lowercase letters, digits and dashes, found {path.name!r}"
        return None, [Problem(shown, None, "", why)]
    document, problems = read_yaml(path, shown)
    if document is None or problems:
        return None, problems
    spec = None
    try:
        spec = JobFile.model_validate(document.data)
    except ValidationError as exc:
        problems = problems_from(exc, document, shown, JobFile)
    known = project.settings.audiences
    build = document.data.get("build") if isinstance(document.data, dict) else None
    named = build.get("audiences") if isinstance(build, dict) else None
    for index, name in enumerate(named if isinstance(named, list) else []):
        if isinstance(name, str) and name not in known:
            where = document.line_of(("build", "audiences", index))
            why = f"expected an audience of briefs.yaml ({', '.join(known)}), found {name!r}"
            problems.append(Problem(shown, where, f"build.audiences.{index}", why))
    if spec is not None and spec.deliver is not None:
        if lists is None:
            lists = read_lists(project, path.parent)
        problems += deliver_problems(spec.deliver, lists, project, document, shown)
        problems += _outside_scope(spec, document, shown)
    if problems or spec is None:
        return None, problems
    zone = spec.triggers.timezone or project.settings.timezone
    return Job(id=path.stem, spec=spec, timezone=zone), []


def _outside_scope(spec: JobFile, document: YamlDocument, shown: str) -> list[Problem]:
    """A job mails only what it builds."""
    assert spec.deliver is not None
    built = spec.build.audiences
    return [
        Problem(
            shown,
            document.line_of(("deliver", "to", name)),
            f"deliver.to.{name}",
            f"expected an audience this job builds ({', '.join(built)}), found {name!r}",
        )
        for name in spec.deliver.to
        if built and name not in built
    ]
