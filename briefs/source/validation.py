"""Turn pydantic's errors into problems an analyst can act on.

Each problem names the file, the YAML line, the field path, what was expected
and what was found, in the spirit of copier's one line per field path.
"""

from __future__ import annotations

import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from briefs.errors import Problem, quoted
from briefs.source.yamlfile import Location, YamlDocument, dotted

RETIRED = {
    "approved_by": "approvals are recorded in the ledger with `briefs approve`, not in "
    "the data (the note prints the ledger's approver); remove this field",
}
"""Keys that were once valid, and what replaced them."""


def problems_from(
    error: ValidationError, document: YamlDocument, shown: str, root: type[BaseModel]
) -> list[Problem]:
    """One :class:`Problem` per pydantic error, located in the YAML file."""
    problems = []
    for item in error.errors():
        location: Location = tuple(item["loc"])
        message = _message(item, location, root)
        line = document.line_of(location)
        problems.append(Problem(shown, line, dotted(location), message))
    return problems


def _message(item: Any, location: Location, root: type[BaseModel]) -> str:
    kind = item["type"]
    found = _found(item.get("input"))
    if kind == "missing":
        return "missing required field"
    if kind == "extra_forbidden" and location[-1] in RETIRED:
        return f"{quoted(location[-1])} is no longer read: {RETIRED[str(location[-1])]}"
    if kind == "extra_forbidden":
        allowed = _allowed_keys(root, location[:-1])
        hint = f"; expected one of: {', '.join(allowed)}" if allowed else ""
        return f"unknown key {quoted(location[-1])}{hint}"
    msg = str(item["msg"]).removeprefix("Value error, ")
    msg = msg.replace("Input should be", "expected").replace("String should", "text should")
    if kind.startswith("enum"):
        return f"{msg}; found {found}"
    if "found" in msg:
        return msg
    return f"{msg}; found {found}"


def _found(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (empty value)"
    return quoted(value)


def _allowed_keys(root: type[BaseModel], location: Location) -> list[str]:
    """Walk the model along ``location`` to list the keys allowed there."""
    current: Any = root
    for part in location:
        current = _unwrap(current)
        if isinstance(part, int):
            args = typing.get_args(current)
            current = args[0] if args else None
        elif isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(part)
            current = field.annotation if field else None
        else:
            return []
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _unwrap(annotation: Any) -> Any:
    """``X | None`` → ``X``."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        return members[0] if len(members) == 1 else annotation
    return annotation
