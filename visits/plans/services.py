"""Rules of the annual monitoring plan, testable without HTTP.

One plan a year, made when its first entry is added. An entry names a
place, a month, a visit type and a reason; it is never deleted, only
withdrawn, and once a visit was started from it, it can no longer be.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import groupby
from typing import cast

from babel.dates import get_month_names
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, distinct, func, or_, select
from sqlalchemy.orm import selectinload

from visits import audit
from visits.errors import Invalid, WrongState
from visits.extensions import db
from visits.models import MonitoringPlan, Place, PlaceType, PlannedVisit, VisitType
from visits.models.choices import Choice, label_choices

FIRST_YEAR = 2000
LAST_YEAR = 2100


class EntryState(Choice):
    PLANNED = "planned"
    STARTED = "started"
    VISIT_DELETED = "visit_deleted"
    WITHDRAWN = "withdrawn"


label_choices(
    EntryState,
    {
        # Translators: a plan entry whose visit has not been started yet.
        EntryState.PLANNED: _l("Planned"),
        # Translators: a plan entry from which a visit was started.
        EntryState.STARTED: _l("Visit started"),
        # Translators: a plan entry whose visit was started, then deleted.
        EntryState.VISIT_DELETED: _l("The visit started from it was deleted"),
        EntryState.WITHDRAWN: _l("Withdrawn"),
    },
)


def entry_state(entry: PlannedVisit) -> EntryState:
    if entry.visit is not None:
        return EntryState.VISIT_DELETED if entry.visit.is_deleted else EntryState.STARTED
    if entry.withdrawn:
        return EntryState.WITHDRAWN
    return EntryState.PLANNED


def is_plan_year(year: int) -> bool:
    return FIRST_YEAR <= year <= LAST_YEAR


def month_names() -> dict[int, str]:
    """1 → "January", ... in the current language, as a heading writes them."""
    names = get_month_names("wide", context="stand-alone", locale=str(get_locale() or "en"))
    return {number: str(name)[:1].upper() + str(name)[1:] for number, name in names.items()}


@dataclass(frozen=True)
class PlanRow:
    entry: PlannedVisit
    state: EntryState


@dataclass(frozen=True)
class PlanMonth:
    number: int
    name: str
    rows: list[PlanRow]


def months_of(year: int) -> list[PlanMonth]:
    """The year's entries, withdrawn ones included, grouped by month."""
    names = month_names()
    entries = db.session.scalars(PlannedVisit.for_year(year))
    return [
        PlanMonth(month, names[month], [PlanRow(entry, entry_state(entry)) for entry in group])
        for month, group in groupby(entries, key=lambda entry: entry.month)
    ]


class DuplicateEntry(Invalid):
    """The place is already planned for that month."""


class EntryStarted(WrongState):
    """A visit was started from the entry: it is part of the record now."""


def add_entry(
    year: int, place_id: int, month: int, visit_type: VisitType, reason: str
) -> PlannedVisit:
    """Plan a visit; the year's plan is made with its first entry."""
    plan = db.session.scalar(select(MonitoringPlan).where(MonitoringPlan.year == year))
    if plan is None:
        plan = MonitoringPlan(year=year)
        db.session.add(plan)
        db.session.flush()
    duplicate = db.session.scalar(
        select(PlannedVisit.id).where(
            PlannedVisit.plan_id == plan.id,
            PlannedVisit.place_id == place_id,
            PlannedVisit.month == month,
            PlannedVisit.withdrawn.is_(False),
        )
    )
    if duplicate is not None:
        raise DuplicateEntry(
            _("This place is already planned for that month. Choose another month."),
            field="month",
        )
    entry = PlannedVisit(
        plan=plan, place_id=place_id, month=month, visit_type=visit_type, reason=reason.strip()
    )
    db.session.add(entry)
    audit.record("plan_entry.create", entry, fields=audit.changed_fields(entry), year=year)
    return entry


def withdraw_entry(entry: PlannedVisit) -> bool:
    """Withdraw an entry not yet started; False when it already was withdrawn."""
    if entry.visit_id is not None:
        raise EntryStarted(_("A visit was started from this entry: it can no longer be withdrawn."))
    if entry.withdrawn:
        return False
    entry.withdrawn = True
    audit.record("plan_entry.withdraw", entry)
    return True


def plannable_places() -> list[Place]:
    """Active places, for the form that adds an entry."""
    query = (
        select(Place)
        .where(Place.active.is_(True))
        .options(selectinload(Place.region))
        .order_by(func.lower(Place.name), Place.id)
    )
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class Coverage:
    """How many active places of a type (None: of every type) the year's plan reaches."""

    place_type: PlaceType | None
    active_places: int
    planned_places: int

    @property
    def ratio(self) -> float:
        return self.planned_places / self.active_places if self.active_places else 0.0


def coverage(year: int) -> tuple[list[Coverage], Coverage]:
    """Per place type, then in total: active places and those with an entry this year.

    Withdrawn entries do not count: the plan no longer covers that place.
    """
    active_by_type: dict[int, int] = {
        type_id: count
        for type_id, count in db.session.execute(
            select(Place.place_type_id, func.count(Place.id))
            .where(Place.active.is_(True))
            .group_by(Place.place_type_id)
        )
    }
    planned_by_type: dict[int, int] = {
        type_id: count
        for type_id, count in db.session.execute(
            select(Place.place_type_id, func.count(distinct(Place.id)))
            .join(PlannedVisit, PlannedVisit.place_id == Place.id)
            .join(MonitoringPlan, MonitoringPlan.id == PlannedVisit.plan_id)
            .where(
                MonitoringPlan.year == year,
                PlannedVisit.withdrawn.is_(False),
                Place.active.is_(True),
            )
            .group_by(Place.place_type_id)
        )
    }
    types = db.session.scalars(PlaceType.ordered(include_inactive=True))
    rows = [
        Coverage(
            place_type,
            active_by_type.get(place_type.id, 0),
            planned_by_type.get(place_type.id, 0),
        )
        for place_type in types
        if place_type.active or place_type.id in active_by_type
    ]
    total = Coverage(None, sum(active_by_type.values()), sum(planned_by_type.values()))
    return rows, total


@dataclass(frozen=True)
class VisitGaps:
    never_visited: int
    not_visited_for_a_year: int


def visit_gaps(today: date) -> VisitGaps:
    """Active places never visited, and those not visited in the last twelve months."""
    # A SQL expression at class level (a column property), a date on a place.
    last = cast("ColumnElement[date | None]", Place.last_visited_on)
    since = Place.twelve_months_before(today)
    never, stale = db.session.execute(
        select(
            func.count(Place.id).filter(last.is_(None)),
            func.count(Place.id).filter(or_(last.is_(None), last < since)),
        ).where(Place.active.is_(True))
    ).one()
    return VisitGaps(int(never), int(stale))
