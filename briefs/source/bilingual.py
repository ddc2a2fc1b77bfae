"""The base of every data model, and the text pair that each printed text is.

Apart from ``model.py`` so that small models (the minister) can live in their
own module without importing the whole dossier model.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

NonEmpty = Annotated[str, Field(min_length=1)]


class Strict(BaseModel):
    """Base for every data model: unknown keys are errors, values are values."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Strict):
    """A text in both official languages; neither may be missing or empty."""

    en: NonEmpty
    fr: NonEmpty

    def get(self, lang: str) -> str:
        return str(getattr(self, lang))
