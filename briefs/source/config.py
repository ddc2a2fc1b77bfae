"""Project configuration: ``briefs.yaml`` at the root of a briefs project.

Audiences are configuration, not code: adding one ("media", say) needs an
entry here and a template, nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator

from briefs.errors import InvalidInput, Problem, ProjectNotFound, quoted
from briefs.source.files import CONFIG_NAME, Folders
from briefs.source.model import SECTIONS, Classification, Id, Lang, Text
from briefs.source.validation import problems_from
from briefs.source.yamlfile import read_yaml

DOMAIN = r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$"
"""A mail domain as an allow-list names it, in lower case: ``gc.ca``."""
PRINTABLE = (*SECTIONS, "key_figures")
"""What ``sections:`` may name: a dossier section, or only its ``key: true`` figures."""


def _path_text(value: str) -> str:
    """A file or folder name the operating system can take: a name it refuses
    (too long, a NUL byte) would otherwise surface as a crash, not a problem."""
    parts = value.replace("\\", "/").split("/")
    if not value or "\0" in value or any(len(part.encode()) > 255 for part in parts):
        raise ValueError(
            f"expected a path whose every name has 1 to 255 bytes and no NUL, found {quoted(value)}"
        )
    return value


PathText = Annotated[str, Field(max_length=1024), AfterValidator(_path_text)]
"""A path in briefs.yaml, relative to the project root."""


class _Config(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Citations(StrEnum):
    """The house citation styles (docs/data-format.md, "Citing sources")."""

    numbered = "numbered"
    listed = "listed"


class ReadingLevel(_Config):
    """Reading-level targets of a plain-language audience, per language."""

    en: Annotated[float, Field(gt=0)] | None = None
    """Highest Flesch-Kincaid grade for English, e.g. ``8``."""
    fr: Annotated[float, Field(ge=0, le=120)] | None = None
    """Lowest Kandel-Moles reading ease for French (higher is easier), e.g. ``60``."""


class Audience(_Config):
    """One readership and what it may see."""

    clearance: Classification
    """Highest classification this audience may read."""
    template: PathText
    """Template file under the templates folder, e.g. ``minister.html.j2``."""
    title: Text
    """Document title shown on the brief, e.g. "Briefing note for the Minister";
    also the brief's name in mail and on the web page."""
    addressee: Literal["minister"] | None = None
    """``minister``: the brief is addressed to the dossier's ``minister:``, whose
    title (and gender, in French) makes the document title on the brief."""
    languages: Annotated[list[Lang], Field(min_length=1)] = ["en", "fr"]
    """Languages to build, in order."""
    page_budget: Annotated[int, Field(gt=0)] = 10
    """Most pages a brief may have; more is an error."""
    plain_language: bool = False
    """Prefer an item's ``plain`` text where it has one."""
    sections: list[str] | None = None
    """The dossier sections its template prints (default: all). Its fingerprint
    and change section follow these only; the template gets nothing else."""

    citations: Citations = Citations.numbered
    """How the brief cites its sources: ``numbered`` ([1] after each sourced
    line, a numbered list at the end) or ``listed`` (no markers: a "Source:"
    line under each table and chart, and the sources listed at the end)."""

    reading_level: ReadingLevel | None = None
    """Reading-level targets ``briefs check`` reports against; a warning only."""

    approval: Literal["required", "none"] = "none"
    """``required``: every edition is a draft, printed with a DRAFT mark and
    released only once ``briefs approve`` approves it (docs/approval.md)."""

    email_domains: list[Annotated[str, Field(pattern=DOMAIN)]] | None = None
    """Mail domains its briefs may be emailed to (``gc.ca`` allows
    ``justice.gc.ca`` too). Unset: any domain for an Unclassified audience,
    none for a Protected one. Protected C briefs are never emailed."""

    @field_validator("sections")
    @classmethod
    def _printable(cls, value: list[str] | None) -> list[str] | None:
        for name in value or []:
            if name not in PRINTABLE:
                raise ValueError(
                    f"unknown section {name!r}; expected any of: {', '.join(PRINTABLE)}"
                )
        if value is not None and len(set(value)) != len(value):
            raise ValueError(f"expected each section once, found {value}")
        return value

    @field_validator("languages")
    @classmethod
    def _unique(cls, value: list[Lang]) -> list[Lang]:
        if len(set(value)) != len(value):
            raise ValueError(f"expected each language once, found {value}")
        return value

    @property
    def marked(self) -> bool:
        """Briefs above Unclassified carry a security marking on every page."""
        return self.clearance is not Classification.unclassified


class RunSettings(_Config):
    """How ``briefs run`` keeps the briefs current; times are in seconds."""

    grace: Annotated[float, Field(ge=0)] = 3600
    """A scheduled run missed while briefs run was stopped still fires (once) at
    start-up if it is at most this old."""
    scan: Annotated[float, Field(gt=0)] = 180
    """Between two reconciliation scans of the files, which catch what file
    events miss (network file systems)."""
    settle: Annotated[float, Field(ge=0, le=60)] = 0.1
    """Quiet time after a save before rebuilding, so a burst of saves gives one build."""
    workers: Annotated[int, Field(ge=1)] | None = None
    """Render processes kept warm between builds; default one per core."""


class MailSettings(_Config):
    """How briefs are emailed. The SMTP server itself is set only by
    environment variables (docs/mail.md), never in a committed file."""

    max_attachments: Annotated[int, Field(gt=0)] = 10_000_000
    """Most bytes of PDF one message may carry (10 MB); base64 makes the
    message about 1.37 times this. A larger message is refused, never cut."""
    timeout: Annotated[float, Field(gt=0)] = 30
    """Seconds any one exchange with the SMTP server may take."""
    retries: Annotated[int, Field(ge=0)] = 6
    """Tries after the first, for a temporary failure (4xx, a dropped connection)."""
    backoff: Annotated[float, Field(ge=0)] = 30
    """Seconds before the first retry; each next one waits twice as long
    (at most an hour), give or take a random quarter."""


class Approver(_Config):
    """Someone with authority to approve the briefs of some audiences
    (docs/approval.md): the name ``briefs approve --by`` gives, and the title
    printed under it on the approved brief."""

    name: Annotated[str, Field(min_length=1, max_length=200, pattern=r"\S")]
    """Their name, exactly as ``--by`` (or an approver token's label) gives it."""
    title: Text
    """Their title, printed under their name: "Assistant Deputy Minister, …"."""
    audiences: Annotated[list[Id], Field(min_length=1)]
    """The audiences whose briefs they may approve."""


class Settings(_Config):
    """The whole of briefs.yaml."""

    audiences: Annotated[dict[Id, Audience], Field(min_length=1)]
    """Audiences by name; each is built for every dossier."""
    data: PathText = "data"
    """Folder of dossiers, one sub-folder each."""
    templates: PathText = "templates"
    """Folder of templates, catalogues and assets (stylesheet, fonts)."""
    output: PathText = "output"
    """Folder the PDFs are written to."""
    jobs: PathText = "jobs"
    """Folder of job files for ``briefs run`` (see docs/jobs.md)."""
    state: PathText = "output/.state"
    """Folder of the edition ledger (SQLite) and the archive of past PDFs."""
    timezone: str = "America/Toronto"
    """Time zone in which an edition's date is stated ("the edition of March 3, 2017"),
    and the default of jobs' cron times."""
    stale_after_months: Annotated[int, Field(gt=0)] | None = 36
    """``briefs check`` warns about a figure or series published more than this
    many months before its dossier's as_of; ``null`` turns the warning off."""
    run: RunSettings = RunSettings()
    mail: MailSettings = MailSettings()
    approvers: list[Approver] | None = None
    """Who may approve which audience's briefs; unset: anyone named by
    ``--by``, printed without a title. Not printed on drafts, so not in any
    fingerprint: adding it makes no new edition."""

    @field_validator("approvers")
    @classmethod
    def _distinct(cls, value: list[Approver] | None) -> list[Approver] | None:
        names = [a.name for a in value or []]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"expected each approver once, found {', '.join(twice)} twice")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"expected an IANA time zone such as America/Toronto, found {quoted(value)}"
            ) from None
        return value

    def approver(self, audience: str, name: str) -> Approver | None:
        """The listed approver of this name cleared for the audience, if any."""
        found = [a for a in self.approvers or [] if a.name == name and audience in a.audiences]
        return found[0] if found else None

    def not_cleared(self, audience: str, name: str) -> tuple[str, str] | None:
        """Why ``name`` may not approve the audience's briefs, as (expected,
        found); None when they may: they are a listed approver cleared for it,
        or briefs.yaml lists no ``approvers:`` (anyone may)."""
        if self.approvers is None or self.approver(audience, name) is not None:
            return None
        cleared = [a.name for a in self.approvers if audience in a.audiences]
        expected = (
            f"an approver of {audience} listed in briefs.yaml `approvers:` ({'; '.join(cleared)})"
            if cleared
            else f"an approver of {audience}, and briefs.yaml `approvers:` lists none"
        )
        listed = any(a.name == name for a in self.approvers)
        why = f"listed, but not cleared for {audience}" if listed else "not listed"
        return expected, f"{quoted(name, 120)}, {why}"


@dataclass(frozen=True)
class Project:
    """A loaded project: its root folder and its settings."""

    root: Path
    settings: Settings

    @cached_property
    def folders(self) -> Folders:
        """Where things are, for the stages that need no more than that."""
        s = self.settings
        places = {"data": s.data, "templates": s.templates, "output": s.output, "state": s.state}
        return Folders.under(self.root, places)


def load_project(root: Path) -> Project:
    """Read and validate ``briefs.yaml``; raise :class:`InvalidInput` listing every problem."""
    root = root.resolve()
    path = root / CONFIG_NAME
    if not path.is_file():
        raise ProjectNotFound(root)
    document, problems = read_yaml(path, CONFIG_NAME)
    if document is None or problems:
        raise InvalidInput(problems)
    try:
        settings = Settings.model_validate(document.data)
    except ValidationError as exc:
        raise InvalidInput(problems_from(exc, document, CONFIG_NAME, Settings)) from None
    folders = Project(root, settings).folders
    missing = [
        Problem(
            CONFIG_NAME,
            document.line_of(("audiences", name, "template")),
            f"audiences.{name}.template",
            f"expected a template file in {folders.show(folders.templates)}, "
            f"found no {audience.template!r}",
        )
        for name, audience in settings.audiences.items()
        if not (folders.templates / audience.template).is_file()
    ]
    missing += [
        Problem(
            CONFIG_NAME,
            document.line_of(("approvers", i, "audiences", j)),
            f"approvers.{i}.audiences.{j}",
            f"expected an audience of briefs.yaml ({', '.join(settings.audiences)}), "
            f"found {quoted(name)}",
        )
        for i, approver in enumerate(settings.approvers or [])
        for j, name in enumerate(approver.audiences)
        if name not in settings.audiences
    ]
    if missing:
        raise InvalidInput(missing)
    return Project(root, settings)
