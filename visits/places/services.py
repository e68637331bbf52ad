"""Rules of the places registry, testable without HTTP.

A place is never deleted: visits and recommendations point at it. One that
closed or no longer holds anyone is deactivated with a reason, and can be
reactivated.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import Select, select
from sqlalchemy.orm import contains_eager, selectinload

from visits import audit
from visits.errors import Invalid, NotFound, WrongState
from visits.extensions import db
from visits.models import (
    Authority,
    MonitoringPlan,
    Place,
    PlaceType,
    PlannedVisit,
    Region,
    Visit,
)
from visits.models.names import clean_names

ReferenceModel = type[Region] | type[PlaceType] | type[Authority]


@dataclass(frozen=True)
class PlaceValues:
    place_type_id: int
    region_id: int
    authority_id: int
    address: str = ""
    capacity: int | None = None
    population_categories: list[str] = field(default_factory=list)
    name_ky: str = ""
    name_ru: str = ""
    name_en: str = ""


def reference_options(model: ReferenceModel, keep_id: int | None = None) -> list[tuple[str, str]]:
    """(id, name) of the active rows, plus the one a place already uses if deactivated."""
    query = model.ordered(include_inactive=True)
    rows = db.session.scalars(query)
    return [(str(row.id), row.name) for row in rows if row.active or row.id == keep_id]


def filter_options(model: ReferenceModel) -> list[tuple[str, str]]:
    """(id, name) of every row, deactivated ones included: old places still use them."""
    return [(str(row.id), row.name) for row in db.session.scalars(model.ordered(True))]


def place_or_404(place_id: int) -> Place:
    """The place with what its page shows."""
    place = db.session.get(
        Place,
        place_id,
        options=[
            selectinload(Place.place_type),
            selectinload(Place.region),
            selectinload(Place.authority),
        ],
    )
    if place is None:
        raise NotFound
    return place


def save_place(place: Place | None, values: PlaceValues) -> Place:
    """Create (``place`` None) or update a place."""
    names = clean_names(name_ky=values.name_ky, name_ru=values.name_ru, name_en=values.name_en)
    if not any(names.values()):
        raise Invalid(_("Enter the name in at least one language."), field="name_ky")
    if place is None:
        place = Place()
        db.session.add(place)
    for column, name in names.items():
        setattr(place, column, name)
    place.place_type_id = values.place_type_id
    place.region_id = values.region_id
    place.authority_id = values.authority_id
    place.address = values.address.strip()
    place.capacity = values.capacity
    place.population_categories = list(values.population_categories)
    action = "place.create" if place.id is None else "place.update"
    audit.record(action, place, fields=audit.changed_fields(place))
    return place


def deactivate(place: Place, reason: str) -> None:
    """Take a place out of the registry's lists and forms, saying why."""
    if not place.active:
        raise WrongState(_("This place is already deactivated."))
    place.active = False
    place.deactivation_reason = reason.strip()
    audit.record("place.deactivate", place, texts={"reason": place.deactivation_reason})


def reactivate(place: Place) -> None:
    if place.active:
        raise WrongState(_("This place is already active."))
    place.active = True
    place.deactivation_reason = None
    audit.record("place.reactivate", place)


def visit_history(place_id: int) -> Select[Visit]:
    """The place's visits, newest first (their metadata is visible to all; deleted ones aside)."""
    return (
        select(Visit)
        .where(Visit.place_id == place_id, Visit.live())
        .order_by(Visit.start_date.desc(), Visit.id.desc())
    )


def planned_entries(place_id: int) -> list[PlannedVisit]:
    """The plan entries naming the place, latest year first, with their visits."""
    query = (
        select(PlannedVisit)
        .join(PlannedVisit.plan)
        .where(PlannedVisit.place_id == place_id)
        .options(contains_eager(PlannedVisit.plan), selectinload(PlannedVisit.visit))
        .order_by(MonitoringPlan.year.desc(), PlannedVisit.month.desc(), PlannedVisit.id)
    )
    return list(db.session.scalars(query))
