"""Places where people are deprived of their liberty."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Select, String, Text, func, or_, select
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload

from visits.models.base import Base, TimestampMixin
from visits.models.choices import Choice, label_choices
from visits.models.names import OfficialNames
from visits.models.reference import Authority, PlaceType, Region


class PopulationCategory(Choice):
    MEN = "men"
    WOMEN = "women"
    JUVENILES = "juveniles"
    FOREIGNERS = "foreigners"
    DISABILITIES = "disabilities"
    OLDER = "older"


label_choices(
    PopulationCategory,
    {
        PopulationCategory.MEN: _l("Men"),
        PopulationCategory.WOMEN: _l("Women"),
        PopulationCategory.JUVENILES: _l("Juveniles"),
        PopulationCategory.FOREIGNERS: _l("Foreigners"),
        PopulationCategory.DISABILITIES: _l("Persons with disabilities"),
        PopulationCategory.OLDER: _l("Older persons"),
    },
)


class Place(OfficialNames, TimestampMixin, Base):
    """A place; its official name in Kyrgyz, Russian and English (``name``: the reader's)."""

    __tablename__ = "places"
    __table_args__ = (
        CheckConstraint("coalesce(name_ky, name_ru, name_en) IS NOT NULL", name="has_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name_ky: Mapped[str | None] = mapped_column(String(200))
    name_ru: Mapped[str | None] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    place_type_id: Mapped[int] = mapped_column(ForeignKey("place_types.id"), index=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"), index=True)
    address: Mapped[str] = mapped_column(Text, default="")
    capacity: Mapped[int | None]
    # Codes of PopulationCategory held there.
    population_categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(default=True)
    deactivation_reason: Mapped[str | None] = mapped_column(Text)
    if TYPE_CHECKING:
        # The last day the NPM was on site: a column property set in visit.py.
        last_visited_on: Mapped[date | None]

    place_type: Mapped[PlaceType] = relationship()
    region: Mapped[Region] = relationship()
    authority: Mapped[Authority] = relationship()

    @property
    def category_labels(self) -> list[str]:
        return [
            str(category.label)
            for code in self.population_categories
            if (category := PopulationCategory.parse(code)) is not None
        ]

    @classmethod
    def listing(
        cls,
        search: str = "",
        place_type_id: int | None = None,
        region_id: int | None = None,
        authority_id: int | None = None,
        not_visited_since: date | None = None,
        include_inactive: bool = False,
    ) -> Select[Place]:
        """The registry, filtered in SQL, with what the list shows eager-loaded."""
        query = (
            select(cls)
            .options(
                selectinload(cls.place_type), selectinload(cls.region), selectinload(cls.authority)
            )
            .order_by(func.lower(cls.name), cls.id)
        )
        if search:
            query = query.where(cls.name_contains(search))
        if place_type_id:
            query = query.where(cls.place_type_id == place_type_id)
        if region_id:
            query = query.where(cls.region_id == region_id)
        if authority_id:
            query = query.where(cls.authority_id == authority_id)
        if not_visited_since is not None:
            last = cls.last_visited_on
            query = query.where(or_(last.is_(None), last < not_visited_since))
        if not include_inactive:
            query = query.where(cls.active.is_(True))
        return query

    @staticmethod
    def twelve_months_before(today: date) -> date:
        return today - timedelta(days=365)
