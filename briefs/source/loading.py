"""Load dossiers: every YAML file of a dossier folder, validated and merged.

Problems from every file are gathered and reported together; nothing is
returned until the whole input is sound.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from datetime import date

from pydantic import ValidationError

from briefs.errors import InvalidInput, Problem, quoted
from briefs.source.dates import PartialDate
from briefs.source.files import DOSSIER_NAME, Folders, dossier_files
from briefs.source.model import REFERENCE, SECTIONS, Dated, Dossier, DossierFile, texts_of
from briefs.source.validation import problems_from
from briefs.source.yamlfile import Location, YamlDocument, dotted, read_yaml

NOTHING = (
    "the file holds no header and no items (its sections are empty); "
    "restore its content, or delete the file if it is not needed"
)
"""A file cut short by an editor must not quietly drop its items from a brief."""


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
    header_file: str = ""
    header_doc: YamlDocument | None = None

    def header_where(self, location: Location) -> Origin:
        """Where a part of the dossier header was written."""
        line = self.header_doc.line_of(location) if self.header_doc else None
        return Origin(self.header_file, line, dotted(location))

    def where(self, item_id: str) -> Origin:
        return self.origins.get(item_id, Origin(f"data/{self.dossier.name}", None, item_id))


def load_dossiers(
    folders: Folders, audiences: Collection[str], names: list[str] | None = None
) -> list[Loaded]:
    """Load the named dossiers (all when ``names`` is empty); raise once with every
    problem. ``audiences`` are the names an item may list under ``audiences:``."""
    problems: list[Problem] = []
    loaded: list[Loaded] = []
    for result, found in each_dossier(folders, audiences, names):
        problems.extend(found)
        if result is not None:
            loaded.append(result)
    if problems:
        raise InvalidInput(problems)
    return loaded


def each_dossier(
    folders: Folders, audiences: Collection[str], names: list[str] | None = None
) -> Iterator[tuple[Loaded | None, list[Problem]]]:
    """:func:`load_dossiers` one dossier at a time, each with its problems, so a
    caller can look at a dossier and let it go before loading the next."""
    available = folders.dossiers()
    wanted = names or available
    for name in wanted:
        yield load_named(folders, audiences, name, available)
    if not wanted:
        problem = Problem(
            folders.show(folders.data), None, "", "expected at least one dossier folder, found none"
        )
        yield None, [problem]


def load_named(
    folders: Folders, audiences: Collection[str], name: str, available: list[str] | None = None
) -> tuple[Loaded | None, list[Problem]]:
    """One dossier asked for by name: a folder under data/, named as a dossier may be."""
    available = folders.dossiers() if available is None else available
    if name not in available:
        shown = folders.show(folders.data)
        return None, [
            Problem(
                shown,
                None,
                "",
                f"expected a dossier folder, found no {name!r}"
                f" (dossiers: {', '.join(available) or 'none'})",
            )
        ]
    if not DOSSIER_NAME.fullmatch(name):
        return None, [
            Problem(
                folders.show(folders.data / name),
                None,
                "",
                "expected a dossier folder named with lowercase letters a-z, digits and "
                f"single hyphens (such as human-trafficking), found {quoted(name)}; "
                "rename the folder",
            )
        ]
    return load_dossier(folders, audiences, name)


def load_dossier(
    folders: Folders, audiences: Collection[str], name: str
) -> tuple[Loaded | None, list[Problem]]:
    """Validate each file of one dossier, then check the dossier as a whole."""
    folder = folders.data / name
    problems = folders.unsafe(folder, folders.data, deep=False)  # links out, FIFOs: never read
    refused = {problem.file for problem in problems}
    if folders.show(folder) in refused:
        return None, problems
    documents: list[tuple[str, YamlDocument]] = []
    parts: list[DossierFile] = []
    files = dossier_files(folder)
    if not files:
        problems.append(Problem(folders.show(folder), None, "", "expected YAML files, found none"))
    for path in files:
        shown = folders.show(path)
        document, found = read_yaml(path, shown) if shown not in refused else (None, [])
        problems.extend(found)
        if document is None:
            continue
        documents.append((shown, document))
        try:
            part = DossierFile.model_validate(document.data)
        except ValidationError as exc:
            problems.extend(problems_from(exc, document, shown, DossierFile))
            continue
        parts.append(part)
        if part.dossier is None and not any(getattr(part, s) for s in SECTIONS):
            problems.append(Problem(shown, None, "", NOTHING))
    origins, found = _origins(documents)
    problems.extend(found)
    if problems:
        return None, problems
    loaded, found = _merge(folders.show(folder), name, documents, parts, origins)
    if loaded is not None:
        found += _check_references(loaded, audiences)
    return (None, found) if found else (loaded, [])


def _origins(documents: list[tuple[str, YamlDocument]]) -> tuple[dict[str, Origin], list[Problem]]:
    """Where each id is written; duplicates are found on the raw data, so they are
    reported even when another file of the dossier failed to validate."""
    origins: dict[str, Origin] = {}
    problems: list[Problem] = []
    for shown, doc in documents:
        data = doc.data if isinstance(doc.data, dict) else {}
        for section in SECTIONS:
            entries = data.get(section)
            for index, entry in enumerate(entries if isinstance(entries, list) else []):
                item_id = entry.get("id") if isinstance(entry, dict) else None
                if not isinstance(item_id, str):
                    continue
                line = doc.line_of((section, index, "id"))
                if item_id in origins:
                    first = origins[item_id]
                    problems.append(
                        Problem(
                            shown,
                            line,
                            f"{section}[{index}].id",
                            f"duplicate id {quoted(item_id)}; ids must be unique in "
                            f"a dossier, first used at {first.file}:{first.line}",
                        )
                    )
                    continue
                origins[item_id] = Origin(shown, line, f"{section}[{index}]")
    return origins, problems


def _merge(
    shown: str,
    name: str,
    documents: list[tuple[str, YamlDocument]],
    parts: list[DossierFile],
    origins: dict[str, Origin],
) -> tuple[Loaded | None, list[Problem]]:
    problems: list[Problem] = []
    headers = [
        (shown, doc) for (shown, doc), part in zip(documents, parts, strict=True) if part.dossier
    ]
    if not headers:
        problems.append(
            Problem(
                shown,
                None,
                "dossier",
                "missing the 'dossier:' header; add it to one file",
            )
        )
        return None, problems
    problems += [
        Problem(
            shown,
            doc.line_of(("dossier",)),
            "dossier",
            f"expected one 'dossier:' header, found another in {headers[0][0]}",
        )
        for shown, doc in headers[1:]
    ]
    header = next(part.dossier for part in parts if part.dossier)
    sections = {
        section: [i for part in parts for i in getattr(part, section)] for section in SECTIONS
    }
    dossier = Dossier(name=name, header=header, **sections)
    first_file, first_doc = headers[0]
    return Loaded(dossier, origins, first_file, first_doc), problems


def _check_references(loaded: Loaded, audiences: Collection[str]) -> list[Problem]:
    """Every source, topic, figure and audience an item names must exist."""
    dossier = loaded.dossier
    known = {
        "source": ({s.id for s in dossier.sources}, "the id of an entry under sources:"),
        "topic": ({t.id for t in dossier.header.topics}, "one of the topics in the dossier header"),
        "figure": ({f.id for f in dossier.figures}, "the id of an entry under figures:"),
    }
    figures = {f.id for f in dossier.figures}
    dated = {s.id: s.date for s in dossier.sources}
    as_of = dossier.header.as_of.first_day()
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
        when = getattr(item, "date", None)
        if isinstance(when, PartialDate) and when.first_day() > as_of:
            wrong.append(("date", f"a date on or before the dossier's as_of ({as_of})", str(when)))
        if isinstance(item, Dated):
            wrong += _unpublished(item, dated, as_of)
        problems += [
            Problem(
                where.file,
                where.line,
                f"{where.path}.{field}",
                f"expected {expected}, found {quoted(found)}",
            )
            for field, expected, found in wrong
        ]
    for location, text in dossier.header_texts():
        for lang in ("en", "fr"):
            at = loaded.header_where((*location, lang))
            problems += [
                Problem(
                    at.file,
                    at.line,
                    at.path,
                    f"expected {{id}} naming an entry under figures:, found {quoted(f'{{{ref}}}')}",
                )
                for ref in REFERENCE.findall(text.get(lang))
                if ref not in figures
            ]
    return problems


def _unpublished(
    item: Dated, dated: dict[str, PartialDate | None], as_of: date
) -> list[tuple[str, str, str]]:
    """Refused unless known to be published by as_of: a brief cannot show what did not exist."""
    when, own = item.published_on(dated), item.published is not None
    if when is None and item.source in dated:  # an unknown source is reported already
        expected = "a publication date: published: on the item, or date: on its source"
        return [("published", expected, f"{item.source} with no date")]
    if when is None or when.first_day() <= as_of:
        return []
    expected = f"a figure published on or before the dossier's as_of ({as_of})"
    found = str(when) if own else f"{item.source}, published {when}"
    return [("published" if own else "source", expected, found)]
