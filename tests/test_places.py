"""The places registry: list and filters, a place's page, create, edit, deactivate."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.factories import add, make_place, make_reference, make_visit, named
from tests.support import Account, AuthActions, counting_queries
from visits.extensions import db
from visits.i18n import npm_today
from visits.models import (
    Authority,
    MonitoringPlan,
    Place,
    PlaceType,
    PlannedVisit,
    Region,
    VisitStatus,
    VisitType,
)


def npm_date(app: Flask) -> date:
    with app.app_context():
        return npm_today()


@dataclass(frozen=True)
class Registry:
    """Two of each reference kind; ``first_*`` are the ones make_reference makes."""

    region_ids: tuple[int, int]
    type_ids: tuple[int, int]
    authority_ids: tuple[int, int]


def make_registry(app: Flask) -> Registry:
    with app.app_context():
        region, place_type, authority = make_reference()
        naryn = add(Region(**named("naryn", "Naryn Region", "Нарынская область", "Нарын облусу")))
        colony = add(PlaceType(**named("colony", "Penal colony")))
        gsin = add(Authority(**named("gsin", "Penitentiary Service")))
        db.session.commit()
        return Registry((region.id, naryn.id), (place_type.id, colony.id), (authority.id, gsin.id))


@pytest.fixture
def registry(app: Flask) -> Registry:
    return make_registry(app)


def place_with(
    app: Flask, registry: Registry, name: str, variant: int = 0, **fields: object
) -> int:
    """A place named ``name``; ``variant`` 1 takes the second region, type and authority."""
    with app.app_context():
        place = make_place(
            db.session.get(Region, registry.region_ids[variant]),  # type: ignore[arg-type]
            db.session.get(PlaceType, registry.type_ids[variant]),  # type: ignore[arg-type]
            db.session.get(Authority, registry.authority_ids[variant]),  # type: ignore[arg-type]
            name=name,
            **fields,
        )
        db.session.commit()
        return place.id


def visit_place(app: Flask, place_id: int, lead_id: int, ended: date, **fields: object) -> int:
    with app.app_context():
        place = db.session.get(Place, place_id)
        assert place is not None
        visit = make_visit(place, lead_id, start_date=ended - timedelta(days=1), **fields)
        db.session.commit()
        return visit.id


def place_form(registry: Registry, **overrides: object) -> dict[str, object]:
    """The place form's fields; ``name`` is the English name."""
    if "name" in overrides:
        overrides["name_en"] = overrides.pop("name")
    return {
        "name_en": "IVS of Kemin district",
        "place_type_id": str(registry.type_ids[0]),
        "region_id": str(registry.region_ids[0]),
        "authority_id": str(registry.authority_ids[0]),
        "address": "Kemin, Lenin street 5",
        "capacity": "12",
        "population_categories": ["men", "juveniles"],
        **overrides,
    }


def names_listed(page: str) -> list[str]:
    return re.findall(r'<a href="/places/\d+">([^<]+)</a>', page)


# --- The list -----------------------------------------------------------------


def test_each_filter_narrows_the_registry(
    app: Flask, client: FlaskClient, auth: AuthActions, monitor: Account, registry: Registry
) -> None:
    place_with(app, registry, "IVS of Sokuluk district")
    place_with(app, registry, "Colony No. 47", variant=1)
    place_with(app, registry, "IVS of Kemin district", address="Kemin")
    auth.login(monitor)
    everything = names_listed(client.get("/places/").get_data(as_text=True))
    assert everything == ["Colony No. 47", "IVS of Kemin district", "IVS of Sokuluk district"]

    def listed(query: str) -> list[str]:
        response = client.get(f"/places/?{query}")
        assert response.status_code == 200
        return names_listed(response.get_data(as_text=True))

    assert listed("q=sokuLUK") == ["IVS of Sokuluk district"]
    assert listed(f"place_type={registry.type_ids[1]}") == ["Colony No. 47"]
    assert listed(f"region={registry.region_ids[0]}") == [
        "IVS of Kemin district",
        "IVS of Sokuluk district",
    ]
    assert listed(f"authority={registry.authority_ids[1]}") == ["Colony No. 47"]
    assert listed(f"q=ivs&authority={registry.authority_ids[1]}") == []


def test_unknown_filter_value_is_a_400_with_a_message(
    client: FlaskClient, auth: AuthActions, monitor: Account, registry: Registry
) -> None:
    auth.login(monitor)
    response = client.get("/places/?region=9999")
    assert response.status_code == 400
    assert "These filters are not valid" in response.get_data(as_text=True)


def test_registry_is_paginated_and_keeps_the_filters(
    app: Flask, client: FlaskClient, auth: AuthActions, monitor: Account, registry: Registry
) -> None:
    for number in range(30):
        place_with(app, registry, f"Court cells {number:02d}")
    place_with(app, registry, "Colony No. 1", variant=1)
    auth.login(monitor)
    first = client.get("/places/?q=court").get_data(as_text=True)
    assert "30 places" in first
    assert "Court cells 00" in first
    assert "Court cells 29" not in first
    assert 'href="/places/?q=court&amp;page=2"' in first
    second = client.get("/places/?q=court&page=2").get_data(as_text=True)
    assert names_listed(second) == [f"Court cells {number}" for number in range(25, 30)]


def test_not_visited_for_twelve_months_counts_only_visits_made(
    app: Flask, client: FlaskClient, auth: AuthActions, monitor: Account, registry: Registry
) -> None:
    today = npm_date(app)
    long_ago = place_with(app, registry, "Visited long ago")
    recent = place_with(app, registry, "Visited last month")
    cancelled = place_with(app, registry, "Only a cancelled visit")
    planned = place_with(app, registry, "Only a planned visit")
    place_with(app, registry, "Never visited")
    place_with(app, registry, "Closed and never visited", active=False)
    visit_place(app, long_ago, monitor.id, today - timedelta(days=400), status=VisitStatus.CLOSED)
    visit_place(app, recent, monitor.id, today - timedelta(days=30))
    visit_place(app, cancelled, monitor.id, today - timedelta(days=5), status=VisitStatus.CANCELLED)
    visit_place(app, planned, monitor.id, today - timedelta(days=5), status=VisitStatus.PREPARING)
    auth.login(monitor)

    stale = client.get("/places/?stale=1").get_data(as_text=True)
    assert names_listed(stale) == [
        "Never visited",
        "Only a cancelled visit",
        "Only a planned visit",
        "Visited long ago",
    ]
    with_inactive = names_listed(client.get("/places/?stale=1&inactive=1").get_data(as_text=True))
    assert "Closed and never visited" in with_inactive
    assert names_listed(client.get("/places/?stale=0").get_data(as_text=True)) == [
        "Never visited",
        "Only a cancelled visit",
        "Only a planned visit",
        "Visited last month",
        "Visited long ago",
    ]

    everything = client.get("/places/").get_data(as_text=True)
    row = everything.split("Only a cancelled visit")[1].split("</tr>")[0]
    assert "Never visited" in row


def test_deactivated_places_are_listed_only_on_request(
    app: Flask, client: FlaskClient, auth: AuthActions, monitor: Account, registry: Registry
) -> None:
    place_with(app, registry, "Open IVS")
    place_with(app, registry, "Closed IVS", active=False, deactivation_reason="Demolished")
    auth.login(monitor)
    assert names_listed(client.get("/places/").get_data(as_text=True)) == ["Open IVS"]
    page = client.get("/places/?inactive=1").get_data(as_text=True)
    assert names_listed(page) == ["Closed IVS", "Open IVS"]
    assert "Deactivated" in page


def test_registry_makes_as_many_queries_for_two_places_as_for_ten(
    app: Flask,
    client_as: Callable[[Account | None], FlaskClient],
    monitor: Account,
    registry: Registry,
) -> None:
    client = client_as(monitor)
    today = npm_date(app)

    def queries_with(count: int) -> int:
        with app.app_context():
            existing = len(db.session.scalars(select(Place.id)).all())
        for number in range(existing, count):
            place_id = place_with(app, registry, f"Place {number:02d}", variant=number % 2)
            visit_place(app, place_id, monitor.id, today - timedelta(days=number))
        client.get("/places/")
        with counting_queries(app) as statements:
            page = client.get("/places/").get_data(as_text=True)
        assert len(names_listed(page)) == count
        return len(statements)

    assert queries_with(2) == queries_with(10)


# --- A place's page -----------------------------------------------------------


def test_place_page_shows_details_visit_history_and_plan_entries(
    app: Flask, client: FlaskClient, auth: AuthActions, monitor: Account, registry: Registry
) -> None:
    place_id = place_with(app, registry, "IVS of Sokuluk district", capacity=40)
    today = npm_date(app)
    visit_id = visit_place(
        app, place_id, monitor.id, today - timedelta(days=20), visit_type=VisitType.SPECIAL
    )
    with app.app_context():
        plan = add(MonitoringPlan(year=today.year))
        add(
            PlannedVisit(
                plan=plan,
                place_id=place_id,
                month=3,
                visit_type=VisitType.FOLLOW_UP,
                reason="Check the recommendations of 2025",
            )
        )
        db.session.commit()
    auth.login(monitor)
    response = client.get(f"/places/{place_id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Temporary detention (IVS)" in page
    assert "Sokuluk, Frunze street 1" in page
    assert "<dd>40</dd>" in page
    assert "Men, Women" in page
    reference = f"V-{(today - timedelta(days=21)).year}-{visit_id:04d}"
    assert reference in page
    assert "Special (reactive)" in page
    assert "Analysis" in page
    if "visits.detail" in app.view_functions:
        assert f'href="/visits/{visit_id}"' in page
    else:
        assert f'href="/visits/{visit_id}"' not in page
    assert "Check the recommendations of 2025" in page
    assert "March" in page
    assert "Follow-up visit" in page
    # Monitors read; they do not edit.
    assert f"/places/{place_id}/edit" not in page
    assert "Deactivate the place" not in page


def test_unknown_place_is_a_404(client: FlaskClient, auth: AuthActions, monitor: Account) -> None:
    auth.login(monitor)
    assert client.get("/places/9999").status_code == 404


def test_place_page_makes_as_many_queries_for_two_visits_as_for_ten(
    app: Flask,
    client_as: Callable[[Account | None], FlaskClient],
    supervisor: Account,
    registry: Registry,
) -> None:
    client = client_as(supervisor)
    place_id = place_with(app, registry, "IVS of Sokuluk district")
    today = npm_date(app)
    with app.app_context():
        plans = [add(MonitoringPlan(year=year)) for year in range(2000, 2010)]
        db.session.commit()
        plan_ids = [plan.id for plan in plans]

    def queries_with(count: int) -> int:
        with app.app_context():
            existing = len(db.session.scalars(select(PlannedVisit.id)).all())
        for number in range(existing, count):
            visit_id = visit_place(app, place_id, supervisor.id, today - timedelta(days=number))
            with app.app_context():
                add(
                    PlannedVisit(
                        plan_id=plan_ids[number],
                        place_id=place_id,
                        month=1 + number,
                        visit_type=VisitType.COMPREHENSIVE,
                        visit_id=visit_id if number % 2 else None,
                    )
                )
                db.session.commit()
        client.get(f"/places/{place_id}")
        with counting_queries(app) as statements:
            page = client.get(f"/places/{place_id}").get_data(as_text=True)
        assert page.count("Comprehensive") == 2 * count
        return len(statements)

    assert queries_with(2) == queries_with(10)
