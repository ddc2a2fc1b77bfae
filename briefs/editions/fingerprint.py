"""A brief's fingerprint: the digest of everything that can change its bytes.

That is the content *selected for its audience* (so editing a Protected B item
does not touch the public backgrounder), the templates it uses including what
they extend, include or import, the stylesheet and fonts, its audience's
configuration, its language's message catalogue, and the software versions.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from jinja2 import Environment

from briefs.audience.selection import Selection
from briefs.editions.digests import Digests
from briefs.editions.software import software
from briefs.render.catalogue import po_path
from briefs.render.templates import template_closure
from briefs.source.model import SECTIONS


def snapshot(selection: Selection, lang: str) -> dict[str, Any]:
    """What this brief prints, as plain JSON data in its language: what an edition
    records, and why an English edit leaves the French briefs alone, and an edit
    to a section its template does not print leaves it alone too."""
    dossier = selection.printed
    content: dict[str, Any] = {"header": _localize(dossier.header.model_dump(mode="json"), lang)}
    for section in SECTIONS:
        content[section] = []
        for item in getattr(dossier, section):
            data = item.model_dump(mode="json")
            plain = data.pop("plain", None)
            if plain is not None and selection.audience.plain_language:
                data["text" if "text" in data else "description"] = plain
            content[section].append(_localize(data, lang))
    return content


def _localize(value: Any, lang: str) -> Any:
    """Keep one language of every bilingual text."""
    if isinstance(value, dict):
        if set(value) == {"en", "fr"}:
            return value[lang]
        return {key: _localize(inner, lang) for key, inner in value.items()}
    if isinstance(value, list):
        return [_localize(inner, lang) for inner in value]
    return value


UNPRINTED = {"email_domains", "reading_level"}
"""Audience settings that do not change its PDFs."""


def _unprinted(selection: Selection) -> set[str]:
    """What the audience's PDFs do not show: :data:`UNPRINTED`, and ``approval``
    when it is ``none`` (the default), so adding that rebuilds nothing; when
    ``required`` its PDFs carry the draft mark, so it counts."""
    none = selection.audience.approval == "none"
    return UNPRINTED | {"approval"} if none else UNPRINTED


def fingerprint(
    selection: Selection,
    lang: str,
    templates: Path,
    env: Environment,
    digests: Digests,
    content: dict[str, Any] | None = None,
) -> str:
    """The brief's fingerprint; equal fingerprints mean equal PDFs. ``content``
    is its :func:`snapshot`, when the caller made it already."""
    used = template_closure(env, selection.audience.template)
    parts = {
        "software": software(),
        "lang": lang,
        # Unset optional settings are left out: adding one rebuilds nothing;
        # nor do those about mail, which the PDF does not show.
        "audience": [
            selection.audience_name,
            selection.audience.model_dump(
                mode="json", exclude_none=True, exclude=_unprinted(selection)
            ),
        ],
        "content": snapshot(selection, lang) if content is None else content,
        "templates": {name: digests.of(templates / name) for name in used},
        "assets": digests.tree(templates / "assets"),
        "catalogue": digests.of(po_path(templates, lang)),
    }
    encoded = json.dumps(parts, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(encoded).hexdigest()
