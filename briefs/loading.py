"""Load dossiers: every YAML file of a dossier folder, validated and merged.

Problems from every file are gathered and reported together; nothing is
returned until the whole input is sound.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from briefs.config import Project
from briefs.errors import InvalidInput, Problem
from briefs.model import REFERENCE, SECTIONS, Dossier, DossierFile, Header, Item, Text
from briefs.validation import problems_from
from briefs.yamlfile import YamlDocument, read_yaml


@dataclass(frozen=True)
class Origin:
    """Where an item was written, for messages about it."""

    file: str
    line: int | None
    path: str


@dataclass
class Loaded:
    """A dossier with the file and line of each item."""

    dossier: Dossier
    origins: dict[str, Origin] = field(default_factory=dict)

    def where(self, item_id: str) -> Origin:
        return self.origins.get(item_id, Origin(f"data/{self.dossier.name}", None, item_id))


def dossier_files(folder: Path) -> list[Path]:
    """The YAML files of a dossier, in a stable order."""
    return sorted(p for p in folder.iterdir() if p.suffix in {".yaml", ".yml"} and p.is_file())


def load_dossiers(project: Project, names: list[str] | None = None) -> list[Loaded]:
    """Load the named dossiers (all when ``names`` is empty); raise once with every problem."""
    available = project.dossier_names()
    wanted = names or available
    problems: list[Problem] = []
    loaded: list[Loaded] = []
    for name in wanted:
        if name not in available:
            shown = project.show(project.data_dir)
            problems.append(
                Problem(
                    shown,
                    None,
                    "",
                    f"expected a dossier folder, found no {name!r}"
                    f" (dossiers: {', '.join(available) or 'none'})",
                )
            )
            continue
        result, found = load_dossier(project, name)
        problems.extend(found)
        if result is not None:
            loaded.append(result)
    if not wanted:
        problems.append(
            Problem(
                project.show(project.data_dir),
                None,
                "",
                "expected at least one dossier folder, found none",
            )
        )
    if problems:
        raise InvalidInput(problems)
    return loaded


def load_dossier(project: Project, name: str) -> tuple[Loaded | None, list[Problem]]:
    """Validate each file of one dossier, then check the dossier as a whole."""
    folder = project.data_dir / name
    problems: list[Problem] = []
    parts: list[tuple[str, YamlDocument, DossierFile]] = []
    files = dossier_files(folder)
    if not files:
        problems.append(Problem(project.show(folder), None, "", "expected YAML files, found none"))
    for path in files:
        shown = project.show(path)
        document, found = read_yaml(path, shown)
        problems.extend(found)
        if document is None:
            continue
        if document.data is None:
            continue
        try:
            parts.append((shown, document, DossierFile.model_validate(document.data)))
        except ValidationError as exc:
            problems.extend(problems_from(exc, document, shown, DossierFile))
    if problems:
        return None, problems
    return _merge(project, name, parts)


def _merge(
    project: Project, name: str, parts: list[tuple[str, YamlDocument, DossierFile]]
) -> tuple[Loaded | None, list[Problem]]:
    problems: list[Problem] = []
    headers = [(shown, doc, part.dossier) for shown, doc, part in parts if part.dossier]
    if not headers:
        problems.append(
            Problem(
                project.show(project.data_dir / name),
                None,
                "dossier",
                "missing the 'dossier:' header in every file; add it to one",
            )
        )
        return None, problems
    for shown, doc, _ in headers[1:]:
        problems.append(
            Problem(
                shown,
                doc.line_of(("dossier",)),
                "dossier",
                f"expected one 'dossier:' header, found another in {headers[0][0]}",
            )
        )
    header: Header = headers[0][2]
    origins: dict[str, Origin] = {}
    sections: dict[str, list[Item]] = {section: [] for section in SECTIONS}
    for shown, doc, part in parts:
        for section in SECTIONS:
            for index, item in enumerate(getattr(part, section)):
                line = doc.line_of((section, index))
                if item.id in origins:
                    first = origins[item.id]
                    problems.append(
                        Problem(
                            shown,
                            line,
                            f"{section}[{index}].id",
                            f"duplicate id {item.id!r}; first used at {first.file}:{first.line}",
                        )
                    )
                    continue
                origins[item.id] = Origin(shown, line, f"{section}[{index}]")
                sections[section].append(item)
    dossier = Dossier(name=name, header=header, **sections)  # type: ignore[arg-type]
    loaded = Loaded(dossier, origins)
    problems.extend(_check_references(project, loaded))
    return (None, problems) if problems else (loaded, [])


def _check_references(project: Project, loaded: Loaded) -> list[Problem]:
    """Every source, topic, figure and audience an item names must exist."""
    dossier = loaded.dossier
    known = {
        "source": ({s.id for s in dossier.sources}, "the id of an entry under sources:"),
        "topic": ({t.id for t in dossier.header.topics}, "one of the topics in the dossier header"),
    }
    figures = {f.id for f in dossier.figures}
    audiences = set(project.settings.audiences)
    problems: list[Problem] = []
    for item in dossier.items():
        where = loaded.where(item.id)
        wrong: list[tuple[str, str, str]] = []
        for field_name, (ids, expected) in known.items():
            value = getattr(item, field_name, None)
            if value is not None and value not in ids:
                wrong.append((field_name, expected, value))
        wrong += [
            ("audiences", f"an audience of briefs.yaml ({', '.join(sorted(audiences))})", a)
            for a in item.audiences or []
            if a not in audiences
        ]
        for field_name, text in texts_of(item):
            for lang in ("en", "fr"):
                wrong += [
                    (f"{field_name}.{lang}", "{id} naming an entry under figures:", "{" + ref + "}")
                    for ref in REFERENCE.findall(text.get(lang))
                    if ref not in figures
                ]
        problems += [
            Problem(
                where.file,
                where.line,
                f"{where.path}.{field}",
                f"expected {expected}, found {found!r}",
            )
            for field, expected, found in wrong
        ]
    return problems


def texts_of(item: Item) -> list[tuple[str, Text]]:
    """The bilingual texts an item carries, by field name."""
    return [(name, value) for name, value in item if isinstance(value, Text)]
