"""The annual monitoring plan: entries by month, coverage, gaps, add and withdraw."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.factories import add, make_place, make_reference, make_visit, named
from tests.support import Account, AuthActions, counting_queries
from tests.test_places import npm_date
from visits.extensions import db
from visits.models import (
    MonitoringPlan,
    Place,
    PlaceType,
    PlannedVisit,
    VisitStatus,
    VisitType,
)
from visits.plans import services

YEAR = 2031


def make_places(
    app: Flask, names: list[str], type_code: str = "ivs", **fields: object
) -> list[int]:
    """Places of one type (made on first use), in the same region and authority."""
    with app.app_context():
        place_type = db.session.scalars(
            select(PlaceType).where(PlaceType.code == type_code)
        ).first()
        existing = db.session.scalars(select(Place)).first()
        if existing is None:
            region, ivs, authority = make_reference()
        else:
            region, ivs, authority = existing.region, existing.place_type, existing.authority
        if place_type is None:
            place_type = (
                ivs if type_code == "ivs" else add(PlaceType(**named(type_code, "Penal colony")))
            )
        ids = [make_place(region, place_type, authority, name=name, **fields).id for name in names]
        db.session.commit()
        return ids


def plan_entry(app: Flask, place_id: int, month: int, year: int = YEAR, **fields: object) -> int:
    with app.app_context():
        plan = db.session.scalars(select(MonitoringPlan).where(MonitoringPlan.year == year)).first()
        plan = plan or add(MonitoringPlan(year=year))
        values: dict[str, object] = {"visit_type": VisitType.COMPREHENSIVE, **fields}
        entry = add(PlannedVisit(plan=plan, place_id=place_id, month=month, **values))
        db.session.commit()
        return entry.id


def entry_form(place_id: int, month: int = 4, **overrides: str) -> dict[str, str]:
    return {
        "place_id": str(place_id),
        "month": str(month),
        "visit_type": "thematic",
        "reason": "Thematic visit on health care",
        **overrides,
    }


# --- Pages --------------------------------------------------------------------


def test_plan_address_leads_to_this_years_plan(
    app: Flask, client: FlaskClient, auth: AuthActions, monitor: Account
) -> None:
    auth.login(monitor)
    response = client.get("/plans/")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/plans/{npm_date(app).year}"


@pytest.mark.parametrize(("year", "status"), [(1999, 404), (2000, 200), (2100, 200), (2101, 404)])
def test_plans_exist_for_years_2000_to_2100(
    client: FlaskClient, auth: AuthActions, monitor: Account, year: int, status: int
) -> None:
    auth.login(monitor)
    assert client.get(f"/plans/{year}").status_code == status


def test_plan_links_to_the_years_around_it(
    client: FlaskClient, auth: AuthActions, monitor: Account
) -> None:
    auth.login(monitor)
    page = client.get(f"/plans/{YEAR}").get_data(as_text=True)
    assert f'href="/plans/{YEAR - 1}"' in page
    assert f'href="/plans/{YEAR + 1}"' in page
    assert 'href="/plans/1999"' not in client.get("/plans/2000").get_data(as_text=True)
    assert 'href="/plans/2101"' not in client.get("/plans/2100").get_data(as_text=True)


def test_entries_are_grouped_by_month_in_the_readers_language(
    app: Flask, client: FlaskClient, auth: AuthActions, monitor: Account
) -> None:
    sokuluk, kemin, colony = make_places(app, ["IVS Sokuluk", "IVS Kemin", "Colony 47"])
    plan_entry(app, kemin, 10, reason="Allegations of beatings")
    plan_entry(app, sokuluk, 3, visit_type=VisitType.FOLLOW_UP)
    plan_entry(app, colony, 3)
    auth.login(monitor)
    page = client.get(f"/plans/{YEAR}").get_data(as_text=True)
    march, october = page.index(">March</h3>"), page.index(">October</h3>")
    assert march < page.index("IVS Sokuluk") < page.index("Colony 47") < october
    assert october < page.index("IVS Kemin")
    assert "Allegations of beatings" in page
    assert "Follow-up visit" in page
    assert ">April</h3>" not in page

    AuthActions(client).post("/language", {"locale": "ru"})
    russian = client.get(f"/plans/{YEAR}").get_data(as_text=True)
    assert ">Март</h3>" in russian
    assert ">Октябрь</h3>" in russian


def test_empty_year_says_so(client: FlaskClient, auth: AuthActions, monitor: Account) -> None:
    auth.login(monitor)
    page = client.get(f"/plans/{YEAR}").get_data(as_text=True)
    assert "Nothing is planned for this year yet." in page


def test_coverage_counts_active_places_planned_this_year_by_type(
    app: Flask, client: FlaskClient, auth: AuthActions, monitor: Account
) -> None:
    ivs = make_places(app, ["IVS 1", "IVS 2", "IVS 3", "IVS 4"])
    colonies = make_places(app, ["Colony 1", "Colony 2"], type_code="colony")
    closed = make_places(app, ["IVS closed"], active=False)
    plan_entry(app, ivs[0], 2)
    plan_entry(app, ivs[0], 9)  # the same place twice counts once
    plan_entry(app, ivs[1], 5, withdrawn=True)
    plan_entry(app, closed[0], 5)
    plan_entry(app, colonies[0], 6)
    plan_entry(app, colonies[1], 6, year=YEAR + 1)

    with app.test_request_context():
        rows, total = services.coverage(YEAR)
        figures = {
            row.place_type.code: (row.active_places, row.planned_places)
            for row in rows
            if row.place_type
        }
    assert figures == {"ivs": (4, 1), "colony": (2, 1)}
    assert (total.active_places, total.planned_places) == (6, 2)

    auth.login(monitor)
    page = client.get(f"/plans/{YEAR}").get_data(as_text=True)
    assert re.search(
        r"Temporary detention \(IVS\)</th>\s*<td[^>]*>4</td>\s*<td[^>]*>1</td>\s*<td[^>]*>25%</td>",
        page,
    )
    assert re.search(
        r"Penal colony</th>\s*<td[^>]*>2</td>\s*<td[^>]*>1</td>\s*<td[^>]*>50%</td>", page
    )
    assert re.search(
        r"All types</th>\s*<td[^>]*>6</td>\s*<td[^>]*>2</td>\s*<td[^>]*>33%</td>", page
    )


def test_plan_counts_places_never_visited_and_not_visited_for_a_year(
    app: Flask, client: FlaskClient, auth: AuthActions, monitor: Account
) -> None:
    today = npm_date(app)
    recent, old, _never, cancelled = make_places(app, ["Recent", "Old", "Never", "Cancelled"])
    make_places(app, ["Closed"], active=False)
    with app.app_context():
        for place_id, days, status in (
            (recent, 40, VisitStatus.SENT),
            (old, 500, VisitStatus.CLOSED),
            (cancelled, 10, VisitStatus.CANCELLED),
        ):
            place = db.session.get(Place, place_id)
            assert place is not None
            make_visit(place, monitor.id, start_date=today - timedelta(days=days), status=status)
        db.session.commit()
        gaps = services.visit_gaps(today)
    assert (gaps.never_visited, gaps.not_visited_for_a_year) == (2, 3)

    auth.login(monitor)
    page = client.get(f"/plans/{YEAR}").get_data(as_text=True)
    assert "2 active places have never been visited." in page
    assert '<a href="/places/?stale=1">3 active places were not visited for 12 months.</a>' in page


def test_plan_page_makes_as_many_queries_for_two_entries_as_for_ten(
    app: Flask, client_as: Callable[[Account | None], FlaskClient], supervisor: Account
) -> None:
    client = client_as(supervisor)
    today = npm_date(app)

    def queries_with(count: int) -> int:
        with app.app_context():
            existing = len(db.session.scalars(select(PlannedVisit.id)).all())
        place_ids = make_places(app, [f"Place {n:02d}" for n in range(existing, count)])
        for number, place_id in enumerate(place_ids, start=existing):
            with app.app_context():
                place = db.session.get(Place, place_id)
                assert place is not None
                visit = make_visit(place, supervisor.id, start_date=today - timedelta(days=number))
                db.session.commit()
                visit_id = visit.id
            plan_entry(app, place_id, 1 + number, visit_id=visit_id if number % 2 else None)
        client.get(f"/plans/{YEAR}")
        with counting_queries(app) as statements:
            page = client.get(f"/plans/{YEAR}").get_data(as_text=True)
        assert page.count("<td>Comprehensive</td>") == count
        return len(statements)

    assert queries_with(2) == queries_with(10)


# --- Adding and withdrawing entries -------------------------------------------


def test_supervisor_adds_an_entry_and_the_years_plan_is_made(
    app: Flask, client: FlaskClient, auth: AuthActions, supervisor: Account
) -> None:
    (place_id,) = make_places(app, ["IVS Sokuluk"])
    auth.login(supervisor)
    response = auth.post(f"/plans/{YEAR}/entries", entry_form(place_id))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/plans/{YEAR}"
    page = client.get(f"/plans/{YEAR}").get_data(as_text=True)
    assert "IVS Sokuluk was added to the plan." in page
    assert ">April</h3>" in page
    assert "Thematic visit on health care" in page
    with app.app_context():
        plan = db.session.scalars(select(MonitoringPlan)).one()
        assert plan.year == YEAR
        assert [(e.place_id, e.month, e.visit_type) for e in plan.entries] == [
            (place_id, 4, VisitType.THEMATIC)
        ]


def test_the_same_place_twice_in_a_month_is_refused(
    app: Flask, client: FlaskClient, auth: AuthActions, supervisor: Account
) -> None:
    (place_id,) = make_places(app, ["IVS Sokuluk"])
    plan_entry(app, place_id, 4)
    auth.login(supervisor)
    response = auth.post(f"/plans/{YEAR}/entries", entry_form(place_id, reason="Second try"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "This place is already planned for that month." in page
    assert "Second try" in page
    assert auth.post(f"/plans/{YEAR}/entries", entry_form(place_id, month=5)).status_code == 302
    # Another year's plan is another plan.
    assert auth.post(f"/plans/{YEAR + 1}/entries", entry_form(place_id)).status_code == 302


def test_bad_entries_are_explained(
    app: Flask, client: FlaskClient, auth: AuthActions, admin: Account
) -> None:
    (closed,) = make_places(app, ["Closed IVS"], active=False)
    (open_place,) = make_places(app, ["Open IVS"])
    auth.login(admin)
    page = client.get(f"/plans/{YEAR}").get_data(as_text=True)
    assert "Open IVS" in page
    assert "Closed IVS" not in page

    response = auth.post(
        f"/plans/{YEAR}/entries",
        entry_form(closed, month=13, visit_type="holiday", reason="R" * 2001),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert page.count("Not a valid choice.") >= 6  # place, month, type: summary and field
    assert "Field cannot be longer than 2000 characters." in page
    assert auth.post(f"/plans/{YEAR}/entries", {"place_id": str(open_place)}).status_code == 422
    assert auth.post("/plans/1999/entries", entry_form(open_place)).status_code == 404
    with app.app_context():
        assert db.session.scalars(select(PlannedVisit)).all() == []


def test_withdrawn_entry_stays_on_the_plan_and_frees_its_month(
    app: Flask, client: FlaskClient, auth: AuthActions, supervisor: Account
) -> None:
    (place_id,) = make_places(app, ["IVS Sokuluk"])
    entry_id = plan_entry(app, place_id, 4)
    auth.login(supervisor)
    response = auth.post(f"/plans/entries/{entry_id}/withdraw")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/plans/{YEAR}"
    page = client.get(f"/plans/{YEAR}").get_data(as_text=True)
    assert "IVS Sokuluk was withdrawn from the plan." in page
    assert "Withdrawn" in page
    assert f"/plans/entries/{entry_id}/withdraw" not in page
    assert auth.post(f"/plans/entries/{entry_id}/withdraw").status_code == 302
    assert auth.post(f"/plans/{YEAR}/entries", entry_form(place_id)).status_code == 302


def test_an_entry_a_visit_was_started_from_cannot_be_withdrawn(
    app: Flask, client: FlaskClient, auth: AuthActions, supervisor: Account, monitor: Account
) -> None:
    (place_id,) = make_places(app, ["IVS Sokuluk"])
    with app.app_context():
        place = db.session.get(Place, place_id)
        assert place is not None
        visit_id = make_visit(place, monitor.id).id
        db.session.commit()
    entry_id = plan_entry(app, place_id, 4, visit_id=visit_id)
    auth.login(supervisor)
    response = auth.post(f"/plans/entries/{entry_id}/withdraw")
    assert response.status_code == 409
    assert "can no longer be withdrawn" in response.get_data(as_text=True)
    page = client.get(f"/plans/{YEAR}").get_data(as_text=True)
    assert "started" in page
    if "visits.detail" in app.view_functions:
        assert f'href="/visits/{visit_id}"' in page
    with app.app_context():
        entry = db.session.get(PlannedVisit, entry_id)
        assert entry is not None
        assert not entry.withdrawn


def test_an_entry_whose_visit_was_deleted_says_so_without_a_dead_link(
    app: Flask, client: FlaskClient, auth: AuthActions, supervisor: Account, monitor: Account
) -> None:
    (place_id,) = make_places(app, ["IVS Sokuluk"])
    with app.app_context():
        place = db.session.get(Place, place_id)
        assert place is not None
        visit = make_visit(place, monitor.id, status=VisitStatus.PREPARING)
        db.session.commit()
        visit_id = visit.id
    plan_entry(app, place_id, 4, visit_id=visit_id)
    auth.login(supervisor)
    deleted = auth.post(f"/visits/{visit_id}/delete", {"reason": "Entered twice"})
    assert deleted.status_code == 302
    page = client.get(f"/plans/{YEAR}").get_data(as_text=True)
    assert "The visit started from it was deleted" in page
    assert f'href="/visits/{visit_id}"' not in page


def test_start_visit_is_offered_to_those_who_create_visits_on_open_entries(
    app: Flask, client_as: Callable[[Account | None], FlaskClient], monitor: Account, admin: Account
) -> None:
    open_place, withdrawn_place = make_places(app, ["Open entry", "Withdrawn entry"])
    open_entry = plan_entry(app, open_place, 4)
    withdrawn_entry = plan_entry(app, withdrawn_place, 4, withdrawn=True)
    as_monitor = client_as(monitor).get(f"/plans/{YEAR}").get_data(as_text=True)
    as_admin = client_as(admin).get(f"/plans/{YEAR}").get_data(as_text=True)
    if "visits.new" in app.view_functions:
        assert f'href="/visits/new?entry={open_entry}"' in as_monitor
    else:
        assert "Start visit" not in as_monitor
    assert f"entry={withdrawn_entry}" not in as_monitor
    assert "Start visit" not in as_admin
    # Monitors read the plan; they neither add nor withdraw.
    assert "Add to the plan" not in as_monitor
    assert "/withdraw" not in as_monitor
    assert "Add to the plan" in as_admin
    assert f"/plans/entries/{open_entry}/withdraw" in as_admin


def test_monitor_cannot_change_the_plan(
    app: Flask, client: FlaskClient, auth: AuthActions, monitor: Account
) -> None:
    (place_id,) = make_places(app, ["IVS Sokuluk"])
    entry_id = plan_entry(app, place_id, 4)
    auth.login(monitor)
    assert auth.post(f"/plans/{YEAR}/entries", entry_form(place_id, month=5)).status_code == 403
    assert auth.post(f"/plans/entries/{entry_id}/withdraw").status_code == 403
    with app.app_context():
        entries = db.session.scalars(select(PlannedVisit)).all()
        assert [(entry.month, entry.withdrawn) for entry in entries] == [(4, False)]
