"""Language tags on structure elements: a passage in the other official language
(``<p lang="fr-CA">`` in an English brief) is tagged ``/Lang`` in the PDF, so a
screen reader switches voice for it.

WeasyPrint 70 tags only the document's language (the catalog's ``/Lang``). This
wraps the function that builds its structure tree, once per process, and adds
``/Lang`` to the element of any box whose HTML element carries its own ``lang``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

_DOCUMENT = ("html", "body")


def tag_languages() -> None:
    """Install the wrapper (idempotent). Needs ``weasyprint`` importable."""
    import pydyf
    from weasyprint.pdf import tags

    build = tags._build_box_tree
    if getattr(build, "briefs_lang", False):
        return

    def build_with_lang(box: Any, *args: Any) -> Iterator[Any]:
        element = getattr(box, "element", None)
        lang = None
        if element is not None and getattr(box, "element_tag", None) not in _DOCUMENT:
            lang = element.get("lang")
        for struct in build(box, *args):
            if lang and "Lang" not in struct:
                struct["Lang"] = pydyf.String(lang)
            yield struct

    build_with_lang.briefs_lang = True  # type: ignore[attr-defined]
    tags._build_box_tree = build_with_lang
