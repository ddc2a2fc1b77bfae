"""Read one YAML file safely, remembering the line of every value.

PyYAML's safe loader is used at the node level so that we can refuse what an
analyst never needs and an attacker would use: aliases (billion-laughs bombs),
anchors, tags, nesting deeper than any dossier needs (which would exhaust the
stack), duplicate keys (silently last-wins in PyYAML), non-UTF-8 bytes, huge
files, empty files and anything that is not a regular file. Timestamps stay
strings so that impossible dates reach the model's validator, which can say
what was expected.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    NodeEvent,
)
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from briefs.errors import Problem, quoted
from briefs.source.files import MAX_BYTES, SpecialFile, not_regular, read_regular

MAX_DEPTH = 50
"""Deepest nesting accepted; a dossier needs about six levels. Deeper input is
refused before anything recursive (composer, constructor, pydantic) sees it."""
EMPTY = (
    "the file is empty (nothing but blank lines or comments); "
    "restore its content, or delete the file if it is not needed"
)
ALIAS = "YAML aliases (*name) are not allowed in briefs data; write the value out in full"
ANCHOR = "YAML anchors (&name) are not allowed in briefs data; remove the anchor"
Location = tuple[str | int, ...]


_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[misc]
    """libyaml's safe loader (when present), keeping dates as text."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass
class YamlDocument:
    """The plain data of a file and the 1-based line of each value in it."""

    path: Path
    data: Any
    lines: dict[Location, int] = field(default_factory=dict)

    def line_of(self, location: Location) -> int | None:
        """The line of the value at ``location``, or of its nearest parent."""
        for end in range(len(location), -1, -1):
            line = self.lines.get(tuple(location[:end]))
            if line is not None:
                return line
        return None


def read_yaml(path: Path, shown: str) -> tuple[YamlDocument | None, list[Problem]]:
    """Parse ``path``; on failure return the problems instead of raising."""
    try:
        raw = read_regular(path, MAX_BYTES)
    except SpecialFile as special:
        return None, [Problem(shown, None, "", not_regular(special.kind))]
    except OSError as exc:
        return None, [Problem(shown, None, "", f"could not read the file: {exc.strerror}")]
    if len(raw) > MAX_BYTES:
        return None, [
            Problem(shown, None, "", f"expected a file under {MAX_BYTES} bytes, found more")
        ]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [
            Problem(
                shown,
                line,
                "",
                f"expected UTF-8 text, found byte 0x{raw[exc.start]:02x} at offset {exc.start}; "
                "save the file as UTF-8",
            )
        ]
    loader = _Loader(text)
    try:
        refused = _screen(text)
        node = None if refused else loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        at = mark.line + 1 if mark else None
        what = " ".join(filter(None, [exc.context, exc.problem]))
        return None, [Problem(shown, at, "", f"YAML syntax error: {_clip(what)}")]
    except yaml.YAMLError as exc:
        return None, [Problem(shown, None, "", f"YAML error: {_clip(str(exc))}")]
    finally:
        loader.dispose()
    if refused:
        return None, [Problem(shown, refused[0], "", refused[1])]
    if node is None:
        return None, [Problem(shown, None, "", EMPTY)]
    document = YamlDocument(path, None)
    problems: list[Problem] = []
    try:
        document.data = _construct(loader, node, (), document, problems, shown)
    except _BadValue as bad:
        return None, [
            Problem(
                shown,
                bad.line,
                "",
                f"expected a value YAML can read, found {quoted(bad.found)}; "
                "put it in quotes if it is text",
            )
        ]
    return document, problems


def _screen(text: str) -> tuple[int, str] | None:
    """The line and message of the first thing refused before composing: an
    alias or anchor, a tag, or nesting deeper than :data:`MAX_DEPTH`. The event
    stream is walked in a loop, so no input can exhaust the stack here."""
    loader = _Loader(text)
    depth, anchor = 0, None
    try:
        while loader.check_event():
            event = loader.get_event()
            line = event.start_mark.line + 1
            if isinstance(event, AliasEvent):
                return line, ALIAS
            if isinstance(event, CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    return line, (
                        f"expected lists and mappings nested at most {MAX_DEPTH} deep, "
                        "found deeper nesting; briefs data needs only a few levels"
                    )
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
            tag = getattr(event, "tag", None)  # scalars' and collections'
            if tag is not None:
                return line, (
                    f"expected a plain value, found the YAML tag {_tag(tag)}; "
                    "remove the tag (briefs data uses none), and quote the value if it is text"
                )
            if isinstance(event, NodeEvent) and event.anchor is not None and anchor is None:
                anchor = line
    finally:
        loader.dispose()
    return None if anchor is None else (anchor, ANCHOR)


def _tag(tag: str) -> str:
    """``tag:yaml.org,2002:float`` → ``'!!float'``, as it was written."""
    return quoted(tag.replace("tag:yaml.org,2002:", "!!", 1), 30)


def _clip(text: str, limit: int = 120) -> str:
    """A parser's message or a key, cut short: either may quote the file."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _BadValue(Exception):
    def __init__(self, line: int, found: str) -> None:
        self.line, self.found = line, found


def _construct(
    loader: _Loader,
    node: Node,
    location: Location,
    document: YamlDocument,
    problems: list[Problem],
    shown: str,
) -> Any:
    """The plain data of ``node``; recursive, but only to :data:`MAX_DEPTH`."""
    document.lines[location] = node.start_mark.line + 1
    if isinstance(node, MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(loader, key_node) if isinstance(key_node, ScalarNode) else None
            where = key_node.start_mark.line + 1
            if not isinstance(key, str):
                problems.append(Problem(shown, where, dotted(location), "expected a text key"))
                continue
            if key in result:
                problems.append(
                    Problem(shown, where, dotted((*location, key)), "duplicate key; each key once")
                )
                continue
            result[key] = _construct(
                loader, value_node, (*location, key), document, problems, shown
            )
        return result
    if isinstance(node, SequenceNode):
        return [
            _construct(loader, child, (*location, index), document, problems, shown)
            for index, child in enumerate(node.value)
        ]
    return _scalar(loader, node)


def _scalar(loader: _Loader, node: Node) -> Any:
    try:
        return loader.construct_object(node, deep=True)
    except (yaml.YAMLError, ValueError, TypeError) as exc:
        raise _BadValue(node.start_mark.line + 1, str(getattr(node, "value", ""))) from exc


def dotted(location: Location) -> str:
    """``("figures", 3, "label")`` → ``figures[3].label``; a long key is cut short."""
    text = ""
    for part in location:
        if isinstance(part, str):
            part = _clip(part, 40)
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text
