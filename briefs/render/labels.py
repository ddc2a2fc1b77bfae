"""Every label a template prints must exist in every language it is built in."""

from __future__ import annotations

from collections.abc import Collection
from functools import lru_cache
from pathlib import Path

from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from briefs.errors import Problem
from briefs.render.addressee import GENDERED_LABELS
from briefs.render.catalogue import po_path
from briefs.source.files import Folders
from briefs.source.formats import LOCALES

CODE_LABELS: tuple[str | tuple[str, str], ...] = (
    "For decision",
    "For information",
    *GENDERED_LABELS,
)
"""Labels chosen in Python rather than in a template: a msgid, or a
(context, msgid) pair for a label that depends on a grammatical gender."""


def template_labels(templates_dir: Path) -> dict[str, tuple[Path, int]]:
    """msgid → where it is first used, from every ``*.j2`` template."""
    found: dict[str, tuple[Path, int]] = {}
    for path in sorted(templates_dir.rglob("*.j2")):
        st = path.stat()
        for msgid, lineno in _labels(path, st.st_mtime_ns, st.st_size, st.st_ino):
            found.setdefault(msgid, (path, lineno))
    return found


@lru_cache(maxsize=256)
def _labels(path: Path, mtime_ns: int, size: int, inode: int) -> tuple[tuple[str, int], ...]:
    """One template's labels, kept while its stats stay: a long-running
    ``briefs run`` then parses only the templates that changed."""
    return tuple(
        (message[0] if isinstance(message, tuple) else message, lineno)
        for lineno, message, _comments, _context in extract_from_file(
            "jinja2.ext:babel_extract", path, options={"extensions": "jinja2.ext.i18n"}
        )
    )


def missing_labels(folders: Folders, langs: Collection[str]) -> list[Problem]:
    """One problem per label without a translation into one of ``langs``,
    naming where it is used."""
    used: dict[str | tuple[str, str], tuple[Path, int]] = {}
    used.update(template_labels(folders.templates))
    for label in CODE_LABELS:
        used.setdefault(label, (Path(__file__), 0))
    problems = []
    for lang in sorted(set(langs) - {"en"}):
        path = po_path(folders.templates, lang)
        translated: set[str | tuple[str, str]] = set()
        if path.is_file():
            with path.open("rb") as handle:
                po = read_po(handle, locale=LOCALES[lang])
            translated = {
                str(m.id) if m.context is None else (m.context, str(m.id))
                for m in po
                if m.id and m.string and not m.fuzzy
            }
        for msgid, (where, line) in sorted(used.items(), key=lambda kv: str(kv[0])):
            if msgid not in translated:
                problems.append(
                    Problem(
                        folders.show(path),
                        None,
                        f"msgid {msgid!r}"
                        if isinstance(msgid, str)
                        else f"msgctxt {msgid[0]!r} msgid {msgid[1]!r}",
                        f"expected a {lang} translation (used in "
                        f"{folders.show(where)}:{line}), found none",
                    )
                )
    return problems
