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

from jinja2 import Environment, meta

from briefs.i18n import po_path
from briefs.inputs import Digests, software
from briefs.model import SECTIONS
from briefs.selection import Selection


def snapshot(selection: Selection) -> dict[str, Any]:
    """The selected content as plain JSON data: what an edition records."""
    dossier = selection.dossier
    content: dict[str, Any] = {"header": dossier.header.model_dump(mode="json")}
    for section in SECTIONS:
        content[section] = [item.model_dump(mode="json") for item in getattr(dossier, section)]
    return content


def template_closure(env: Environment, name: str) -> list[str]:
    """The template and every template it extends, includes or imports."""
    assert env.loader is not None
    seen: list[str] = []
    todo = [name]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.append(current)
        source = env.loader.get_source(env, current)[0]
        for ref in meta.find_referenced_templates(env.parse(source)):
            if ref is None:  # a computed name: any template might be used
                todo += [t for t in env.list_templates(extensions=["j2"]) if t not in seen]
            else:
                todo.append(ref)
    return sorted(seen)


def fingerprint(
    selection: Selection, lang: str, templates: Path, env: Environment, digests: Digests
) -> str:
    """The brief's fingerprint; equal fingerprints mean equal PDFs."""
    used = template_closure(env, selection.audience.template)
    parts = {
        "software": software(),
        "lang": lang,
        "audience": [selection.audience_name, selection.audience.model_dump(mode="json")],
        "content": snapshot(selection),
        "templates": {name: digests.of(templates / name) for name in used},
        "assets": digests.tree(templates / "assets"),
        "catalogue": digests.of(po_path(templates, lang)),
    }
    encoded = json.dumps(parts, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(encoded).hexdigest()
