"""The annual monitoring plan: which places to visit, when, and why."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Text, select
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload

from visits.models.base import Base, TimestampMixin
from visits.models.choices import enum_column
from visits.models.place import Place
from visits.models.visit import VisitType

if TYPE_CHECKING:
    from sqlalchemy import Select

    from visits.models.visit import Visit


class MonitoringPlan(TimestampMixin, Base):
    __tablename__ = "monitoring_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    notes: Mapped[str] = mapped_column(Text, default="")

    entries: Mapped[list[PlannedVisit]] = relationship(
        back_populates="plan", order_by="(PlannedVisit.month, PlannedVisit.id)"
    )


class PlannedVisit(TimestampMixin, Base):
    __tablename__ = "planned_visits"
    __table_args__ = (CheckConstraint("month BETWEEN 1 AND 12", name="month_in_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("monitoring_plans.id"), index=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("places.id"), index=True)
    month: Mapped[int]
    visit_type: Mapped[VisitType] = mapped_column(enum_column(VisitType, "visit_type"))
    reason: Mapped[str] = mapped_column(Text, default="")
    # Set when the planned visit was started; a plan entry is never deleted,
    # only withdrawn.
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id"), unique=True)
    withdrawn: Mapped[bool] = mapped_column(default=False)

    plan: Mapped[MonitoringPlan] = relationship(back_populates="entries")
    place: Mapped[Place] = relationship()
    visit: Mapped[Visit | None] = relationship()

    @classmethod
    def for_year(cls, year: int) -> Select[PlannedVisit]:
        return (
            select(cls)
            .join(MonitoringPlan)
            .where(MonitoringPlan.year == year)
            .options(
                selectinload(cls.place).selectinload(Place.place_type),
                selectinload(cls.place).selectinload(Place.region),
                selectinload(cls.visit),
            )
            .order_by(cls.month, cls.id)
        )
