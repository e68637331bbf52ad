"""Enums for states and kinds, with their translated labels in one place."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any, Self

from flask_babel.speaklater import LazyString
from sqlalchemy import Enum

_LABELS: dict[type[Choice], Mapping[str, LazyString]] = {}


class Choice(enum.StrEnum):
    """A stored value with a translated label (``label_choices`` declares them)."""

    @property
    def label(self) -> LazyString:
        return _LABELS[type(self)][self.value]

    @classmethod
    def parse(cls, value: Any) -> Self | None:
        """The member for ``value``, or None when it names none."""
        try:
            return cls(value)
        except ValueError:
            return None


def label_choices(choice: type[Choice], labels: Mapping[str, LazyString]) -> None:
    missing = {member.value for member in choice} - set(labels)
    if missing:
        raise ValueError(f"{choice.__name__} lacks labels for {sorted(missing)}")
    _LABELS[choice] = labels


def enum_column(enum_class: type[enum.Enum], name: str, length: int = 30) -> Enum:
    """A portable enum column: a VARCHAR with a named CHECK constraint."""
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=length,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )
