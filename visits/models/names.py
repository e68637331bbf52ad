"""Official names in Kyrgyz, Russian and English: places and teams.

A place's official name exists in the State languages and often in English;
an NPM may know only one of them when it enters the place. The model keeps
``name_ky``, ``name_ru`` and ``name_en`` (at least one given, the others
NULL) and ``name`` is the reader's language's, else the nearest one the
record has: Kyrgyz and Russian readers fall back on each other before
English, an English reader on Russian before Kyrgyz.

``name`` is a hybrid: in Python it reads the instance, in SQL it is the same
choice (``COALESCE``), so lists sort and show the name the reader reads.
"""

from __future__ import annotations

from typing import Any

from flask_babel import get_locale
from sqlalchemy import ColumnElement, func, or_
from sqlalchemy.ext.hybrid import hybrid_property

NAME_LANGUAGES = ("ky", "ru", "en")
FALLBACK = {"ky": ("ky", "ru", "en"), "ru": ("ru", "ky", "en"), "en": ("en", "ru", "ky")}


def reading_order() -> tuple[str, ...]:
    """The languages to look for a name in, the reader's first."""
    return FALLBACK.get(str(get_locale() or "en"), FALLBACK["en"])


def clean_names(**names: str | None) -> dict[str, str | None]:
    """``name_ky``/``name_ru``/``name_en`` stripped; an empty one is None (no name)."""
    return {
        f"name_{code}": (names.get(f"name_{code}") or "").strip() or None for code in NAME_LANGUAGES
    }


class OfficialNames:
    """``name``: the reader's language's name, else the nearest one there is.

    The class declares ``name_ky``, ``name_ru`` and ``name_en`` (nullable
    strings); at least one of them holds a name.
    """

    name_ky: Any
    name_ru: Any
    name_en: Any

    @hybrid_property
    def name(self) -> str:
        for code in reading_order():
            value = getattr(self, f"name_{code}")
            if value:
                return str(value)
        return ""

    @name.inplace.expression
    @classmethod
    def _name_expression(cls) -> ColumnElement[str]:
        return func.coalesce(
            *(func.nullif(getattr(cls, f"name_{code}"), "") for code in reading_order())
        )

    @property
    def names(self) -> dict[str, str]:
        """The names the record has, by language code."""
        return {code: value for code in NAME_LANGUAGES if (value := getattr(self, f"name_{code}"))}

    @classmethod
    def name_contains(cls, text: str) -> ColumnElement[bool]:
        """Any of the names contains ``text``, whatever the case."""
        pattern = f"%{text.strip().lower()}%"
        return or_(
            *(func.lower(getattr(cls, f"name_{code}")).like(pattern) for code in NAME_LANGUAGES)
        )

    def __str__(self) -> str:
        return self.name
