"""The message catalogues that hold every template label, one per language.

The English msgids are the English text; the French ``.po`` is read directly,
with no compile step, and reloaded when it changes.
"""

from __future__ import annotations

import gettext
import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from briefs.source.formats import LOCALES, typography

DOMAIN = "briefs"


@dataclass(frozen=True)
class Catalogue:
    """Template labels for one language; English msgids are the English text."""

    lang: str
    translations: gettext.NullTranslations

    def gettext(self, message: str) -> str:
        return typography(self.translations.gettext(message), self.lang)

    def pgettext(self, context: str, message: str) -> str:
        """A label whose translation depends on ``context``, e.g. a grammatical gender."""
        return typography(self.translations.pgettext(context, message), self.lang)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return typography(self.translations.ngettext(singular, plural, n), self.lang)


def po_path(templates_dir: Path, lang: str) -> Path:
    return templates_dir / "locale" / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def catalogue(templates_dir: Path, lang: str) -> Catalogue:
    """Load ``locale/<lang>/LC_MESSAGES/briefs.po`` (no compile step needed);
    reloaded when the file changes, so a long-running process stays true."""
    path = po_path(templates_dir, lang)
    try:
        st = path.stat()
    except FileNotFoundError:
        return Catalogue(lang, gettext.NullTranslations())
    return _compiled(path, lang, st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=8)  # a long-running process sees each edit as a new key
def _compiled(path: Path, lang: str, mtime_ns: int, size: int) -> Catalogue:
    with path.open("rb") as handle:
        po = read_po(handle, locale=LOCALES[lang])
    buffer = io.BytesIO()
    write_mo(buffer, po)
    buffer.seek(0)
    return Catalogue(lang, gettext.GNUTranslations(buffer))
