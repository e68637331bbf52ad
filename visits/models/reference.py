"""Reference data kept as data: regions, place types, authorities.

Each row stores its name in the three languages of the interface.
"""

from __future__ import annotations

from typing import Any

from flask_babel import get_locale
from sqlalchemy import ForeignKey, Select, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from visits.models.base import Base, TimestampMixin


class TranslatedName:
    """``name_en``, ``name_ru`` and ``name_ky``; ``name`` is the current language's."""

    name_en: Mapped[str] = mapped_column(String(200))
    name_ru: Mapped[str] = mapped_column(String(200))
    name_ky: Mapped[str] = mapped_column(String(200))

    @property
    def name(self) -> str:
        locale = str(get_locale() or "en")
        return str(getattr(self, f"name_{locale}", None) or self.name_en)


class ReferenceMixin(TranslatedName, TimestampMixin):
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)

    @classmethod
    def ordered(cls, include_inactive: bool = False) -> Select[Any]:
        query = select(cls).order_by(cls.position, cls.name_en)
        return query if include_inactive else query.where(cls.active.is_(True))

    def __str__(self) -> str:
        return self.name


class Region(ReferenceMixin, Base):
    __tablename__ = "regions"


class PlaceType(ReferenceMixin, Base):
    __tablename__ = "place_types"


class Authority(ReferenceMixin, Base):
    """A State body that runs places and receives recommendations."""

    __tablename__ = "authorities"

    parent_id: Mapped[int | None] = mapped_column(ForeignKey("authorities.id"))
    parent: Mapped[Authority | None] = relationship(remote_side="Authority.id")
