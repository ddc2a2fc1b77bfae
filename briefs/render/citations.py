"""Citing sources in a brief, in its audience's style, and printing their URLs.

The house style per audience is documented in docs/data-format.md ("Citing
sources"): numbered references where readers check each line (partners), light
citation where the text is context or plain language (the minister's note, the
public backgrounder).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from markupsafe import Markup

JOINER = "\u2060"
"""Word joiner: no line break here."""


@dataclass(frozen=True)
class SourceView:
    id: str
    title: str
    publisher: str
    date: str | None
    url: str | None
    """The page in the brief's language."""
    note: str | None

    @property
    def url_text(self) -> str | None:
        """The URL as printed: a word joiner (U+2060, drawn as nothing and never
        extracted) after ``://`` and after each hyphen keeps a line from breaking
        there; it may break after a slash of the path. Plain text, so the link
        stays one tagged annotation per line."""
        if self.url is None:
            return None
        return self.url.replace("://", "://" + JOINER).replace("-", "-" + JOINER)


@dataclass
class Citations:
    """Cites sources in the audience's style (docs/data-format.md): ``numbered``
    prints [n] in the order the template first cites them; ``listed`` prints no
    marker. Either way the source list at the end holds exactly what the brief
    relies on."""

    sources: dict[str, SourceView]
    style: str = "numbered"
    used: list[SourceView] = field(default_factory=list)

    @property
    def numbered(self) -> bool:
        return self.style == "numbered"

    def __call__(self, source_id: str) -> Markup:
        view = self.sources[source_id]
        if view not in self.used:
            self.used.append(view)
        if not self.numbered:
            return Markup("")
        number = self.used.index(view) + 1
        return Markup('<sup class="cite">[{}]</sup>').format(number)

    def line(self, source_ids: Iterable[str]) -> str:
        """ "Publisher, Title; …" for a "Source:" line, each source once, cited."""
        shown: list[str] = []
        for source_id in source_ids:
            self(source_id)
            view = self.sources[source_id]
            text = f"{view.publisher}, {view.title}"
            if text not in shown:
                shown.append(text)
        return "; ".join(shown)
