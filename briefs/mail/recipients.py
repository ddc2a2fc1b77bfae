"""Who may receive a job's briefs: its ``deliver`` section and the named lists.

Every recipient is tied to an audience, by the key it is listed under in the
job and by the audience its distribution list declares, so nobody is sent a
brief above their audience's clearance. Each audience's allowed mail domains
are enforced here, when the job is read: a job that would send a Protected
brief outside them is invalid, and ``briefs check`` says so with its line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

from email_validator import EmailNotValidError, validate_email
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from briefs.errors import Problem, quoted
from briefs.source.config import Audience, Project
from briefs.source.model import Classification, Id
from briefs.source.validation import problems_from
from briefs.source.yamlfile import YamlDocument, read_yaml

DISTRIBUTION = "distribution.yaml"
"""The file of named lists in the jobs folder; no job may be called this."""
NEVER_EMAILED = Classification.protected_c


def normal_address(text: str) -> str:
    """The address as it is sent to, or ValueError saying what is wrong with it.
    Syntax only: nothing is looked up in the DNS."""
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValueError(f"expected an email address, found {quoted(text)}: {exc}") from None


Address = Annotated[str, Field(min_length=3)]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Deliver(_Spec):
    """A job's ``deliver`` section."""

    owner: Address
    """Told once of every refusal and permanent failure of this job's mail."""
    to: Annotated[dict[Id, Annotated[list[str], Field(min_length=1)]], Field(min_length=1)]
    """Audience → addresses, or names of lists in distribution.yaml."""
    only_if_changed: bool = True
    """Send only when a recipient's briefs have a new edition since the last
    message to them; false sends at every scheduled run."""

    @field_validator("owner")
    @classmethod
    def _owner(cls, value: str) -> str:
        return normal_address(value)


class MailingList(_Spec):
    audience: Id
    """The highest audience the people on the list may read."""
    description: str = ""
    addresses: Annotated[list[Address], Field(min_length=1)]


class Distribution(_Spec):
    """The whole of ``jobs/distribution.yaml``."""

    lists: dict[Id, MailingList] = {}


@dataclass
class Lists:
    """The distribution file as read: its lists, or why it could not be."""

    lists: dict[str, MailingList] = field(default_factory=dict)
    document: YamlDocument | None = None
    shown: str = DISTRIBUTION
    problems: list[Problem] = field(default_factory=list)


def read_lists(project: Project, folder: Path) -> Lists:
    """``distribution.yaml`` in the jobs folder; empty when there is none."""
    path = folder / DISTRIBUTION
    shown = project.folders.show(path)
    if not path.is_file():
        return Lists(shown=shown)
    document, problems = read_yaml(path, shown)
    if document is None or problems:
        return Lists(shown=shown, problems=problems)
    try:
        spec = Distribution.model_validate(document.data or {})
    except ValidationError as exc:
        return Lists(shown=shown, problems=problems_from(exc, document, shown, Distribution))
    lists = Lists(spec.lists, document, shown)
    known = project.settings.audiences
    for name, entry in spec.lists.items():
        if entry.audience not in known:
            lists.problems.append(
                Problem(
                    shown,
                    document.line_of(("lists", name, "audience")),
                    f"lists.{name}.audience",
                    f"expected an audience of briefs.yaml ({', '.join(known)}), "
                    f"found {entry.audience!r}",
                )
            )
        for index, address in enumerate(entry.addresses):
            try:
                normal_address(address)
            except ValueError as exc:
                where = document.line_of(("lists", name, "addresses", index))
                lists.problems.append(
                    Problem(shown, where, f"lists.{name}.addresses.{index}", str(exc))
                )
    return lists


def recipients(deliver: Deliver, lists: Lists) -> dict[str, list[str]]:
    """Each address and the audiences whose briefs it gets (a valid job's)."""
    found: dict[str, list[str]] = {}
    for audience, entries in deliver.to.items():
        for entry in entries:
            named = [entry] if "@" in entry else lists.lists[entry].addresses
            for address in named:
                audiences = found.setdefault(normal_address(address), [])
                if audience not in audiences:
                    audiences.append(audience)
    return found


def refusal(address: str, name: str, audience: Audience) -> str | None:
    """Why ``address`` may not be sent a brief of this audience, if it may not."""
    if audience.clearance.rank >= NEVER_EMAILED.rank:
        return f"{name} briefs are {audience.clearance.value}: they are never emailed"
    domain = address.rpartition("@")[2].lower()
    allowed = audience.email_domains
    if allowed is None:
        if audience.clearance is Classification.unclassified:
            return None
        return (
            f"{name} briefs are {audience.clearance.value}: they go only to the domains in "
            f"briefs.yaml audiences.{name}.email_domains, which is not set"
        )
    if any(domain == d or domain.endswith("." + d) for d in allowed):
        return None
    return (
        f"{address} may not receive {name} briefs: expected an address at "
        f"{' or '.join(allowed)} (briefs.yaml audiences.{name}.email_domains)"
    )


def deliver_problems(
    deliver: Deliver, lists: Lists, project: Project, document: YamlDocument, shown: str
) -> list[Problem]:
    """Everything wrong with a job's recipients, each at its line: unknown
    audiences or lists, bad addresses, lists of a lower audience, domains
    outside an audience's allow-list."""
    known = project.settings.audiences
    problems = []
    for name, entries in deliver.to.items():
        if name not in known:
            where = document.line_of(("deliver", "to", name))
            why = f"expected an audience of briefs.yaml ({', '.join(known)}), found {name!r}"
            problems.append(Problem(shown, where, f"deliver.to.{name}", why))
            continue
        audience = known[name]
        for index, entry in enumerate(entries):
            where = document.line_of(("deliver", "to", name, index))
            at = f"deliver.to.{name}.{index}"
            for why in _entry_problems(entry, name, audience, lists, project):
                problems.append(Problem(shown, where, at, why))
    return problems


def _entry_problems(
    entry: str, name: str, audience: Audience, lists: Lists, project: Project
) -> list[str]:
    if "@" in entry:
        try:
            address = normal_address(entry)
        except ValueError as exc:
            return [str(exc)]
        why = refusal(address, name, audience)
        return [why] if why else []
    if entry not in lists.lists:
        if lists.problems:
            return [f"list {entry!r} could not be read: {lists.shown} has problems"]
        known = ", ".join(lists.lists) or "none"
        return [f"expected an address or a list of {lists.shown} ({known}), found {entry!r}"]
    listed = lists.lists[entry]
    theirs = project.settings.audiences.get(listed.audience)
    if theirs is None:
        return []  # said once, at the list
    if theirs.clearance.rank < audience.clearance.rank:
        return [
            f"list {entry!r} is for the {listed.audience} audience "
            f"({theirs.clearance.value}): it may not receive {name} briefs "
            f"({audience.clearance.value})"
        ]
    found = []
    for address in listed.addresses:
        try:
            why = refusal(normal_address(address), name, audience)
        except ValueError:
            continue  # said at the list
        if why:
            found.append(f"list {entry!r}: {why}")
    return found
