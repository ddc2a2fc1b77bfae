"""Read one YAML file safely, remembering the line of every value.

PyYAML's safe loader is used at the node level so that we can refuse what an
analyst never needs and an attacker would use: aliases (billion-laughs bombs),
duplicate keys (silently last-wins in PyYAML), non-UTF-8 bytes and huge files.
Timestamps stay strings so that impossible dates reach the model's validator,
which can say what was expected.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from briefs.errors import Problem

MAX_BYTES = 2 * 1024 * 1024
Location = tuple[str | int, ...]


_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[misc]
    """libyaml's safe loader (when present), keeping dates as text.

    An alias makes the composer hand out the same node twice; the walk below
    refuses a node it has already seen, at the first repeat, so an alias bomb
    costs no more than reading its first lines.
    """


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
    raw = path.read_bytes()
    if len(raw) > MAX_BYTES:
        return None, [
            Problem(shown, None, "", f"expected a file under {MAX_BYTES} bytes, found {len(raw)}")
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
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        at = mark.line + 1 if mark else None
        what = " ".join(filter(None, [exc.context, exc.problem]))
        return None, [Problem(shown, at, "", f"YAML syntax error: {what}")]
    except yaml.YAMLError as exc:
        return None, [Problem(shown, None, "", f"YAML error: {exc}")]
    finally:
        loader.dispose()
    document = YamlDocument(path, None)
    problems: list[Problem] = []
    if node is not None:
        try:
            document.data = _construct(loader, node, (), document, problems, shown, set())
        except _BadValue as bad:
            return None, [
                Problem(
                    shown,
                    bad.line,
                    "",
                    f"expected a plain YAML value, found {bad.found!r} tagged "
                    f"{bad.tag}; remove the tag (briefs data uses no YAML tags)",
                )
            ]
        except _AliasFound as found:
            return None, [
                Problem(
                    shown,
                    found.line,
                    "",
                    "YAML aliases (*name) are not allowed in briefs data; "
                    "write the value out in full",
                )
            ]
    return document, problems


class _BadValue(Exception):
    def __init__(self, line: int, tag: str, found: str) -> None:
        self.line, self.tag, self.found = line, tag, found


class _AliasFound(Exception):
    def __init__(self, line: int) -> None:
        self.line = line


def _construct(
    loader: _Loader,
    node: Node,
    location: Location,
    document: YamlDocument,
    problems: list[Problem],
    shown: str,
    seen: set[int],
) -> Any:
    if id(node) in seen:
        parent = document.lines.get(location[:-1], node.start_mark.line + 1)
        raise _AliasFound(parent)
    seen.add(id(node))
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
                loader, value_node, (*location, key), document, problems, shown, seen
            )
        return result
    if isinstance(node, SequenceNode):
        return [
            _construct(loader, child, (*location, index), document, problems, shown, seen)
            for index, child in enumerate(node.value)
        ]
    return _scalar(loader, node)


def _scalar(loader: _Loader, node: Node) -> Any:
    try:
        return loader.construct_object(node, deep=True)
    except (yaml.YAMLError, ValueError, TypeError) as exc:
        found = getattr(node, "value", "")
        raise _BadValue(node.start_mark.line + 1, f"{node.tag}", str(found)) from exc


def dotted(location: Location) -> str:
    """``("figures", 3, "label")`` → ``figures[3].label``."""
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text
