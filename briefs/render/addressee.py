"""Who a minister note is addressed to, in the note's language.

The addressee comes from the dossier (its header's ``minister:``), not from
``briefs.yaml``: French grammar follows the title's gender (« à l’intention de
la ministre », « du ministre »), so the gendered labels sit in the catalogue
under a gettext context, ``feminine`` or ``masculine``, for translators to see.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from briefs.render.catalogue import Catalogue
from briefs.source.bilingual import Text
from briefs.source.config import Audience
from briefs.source.minister import Minister

ADDRESSED = "Briefing note for the {title}"
"""The document title of a brief with ``addressee: minister``, per gender."""
GENDERED_LABELS = tuple((gender, ADDRESSED) for gender in ("feminine", "masculine"))
"""(context, msgid) of every gendered label chosen in Python."""


@dataclass(frozen=True)
class MinisterView:
    """The minister as a template prints them."""

    name: str | None
    title: str
    """As it reads inside a sentence (French: « ministre de la Justice … »)."""

    @property
    def signature_title(self) -> str:
        """The title on a line of its own, under a signature line: capitalized."""
        return self.title[:1].upper() + self.title[1:]


def minister_view(minister: Minister, say: Callable[[Text], str]) -> MinisterView:
    return MinisterView(minister.name, say(minister.title))


def document_title(
    audience: Audience,
    minister: Minister,
    view: MinisterView,
    labels: Catalogue,
    say: Callable[[Text], str],
) -> str:
    """The audience's title, or for a brief addressed to the minister, one
    naming them in the right grammatical gender."""
    if audience.addressee != "minister":
        return say(audience.title)
    return labels.pgettext(minister.gender.value, ADDRESSED).format(title=view.title)
