"""The dashboard: each person's visits, reviews and checks due."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from flask import Flask

from tests.factories import build_world, make_finding, make_visit
from tests.support import Account, counting_queries
from visits.extensions import db
from visits.i18n import npm_today
from visits.models import Place, ReviewState, VisitStatus


def test_monitor_sees_their_visits_and_reprisal_checks_due(
    app: Flask, monitor: Account, outsider: Account, client_as: Callable
) -> None:
    build_world(app, monitor.id)
    page = client_as(monitor).get("/").get_data(as_text=True)
    assert "IVS of Sokuluk district" in page
    # The world's interview raised a reprisal risk; the team's next visit is coming.
    assert "1 reprisal check is due on your coming visits." in page
    other = client_as(outsider).get("/").get_data(as_text=True)
    assert "IVS of Sokuluk district" not in other
    assert "You are on no visit in progress." in other


def test_supervisor_sees_what_awaits_review(
    app: Flask, monitor: Account, supervisor: Account, client_as: Callable
) -> None:
    build_world(app, monitor.id)
    with app.app_context():
        place = db.session.scalars(db.select(Place)).first()
        assert place is not None
        visit = make_visit(place, monitor.id, status=VisitStatus.IN_REVIEW)
        make_finding(visit, monitor.id, review_state=ReviewState.SUBMITTED)
        make_finding(visit, monitor.id, number=2, review_state=ReviewState.SUBMITTED)
        db.session.commit()
        reference = visit.reference
    page = client_as(supervisor).get("/").get_data(as_text=True)
    assert "2 findings submitted for review." in page
    assert reference in page


def test_admin_dashboard_shows_no_visit_content(
    app: Flask, monitor: Account, admin: Account, client_as: Callable
) -> None:
    build_world(app, monitor.id)
    page = client_as(admin).get("/").get_data(as_text=True)
    assert "Administration" in page
    assert "IVS of Sokuluk district" not in page


def test_dashboard_queries_do_not_grow_with_visits(
    app: Flask, monitor: Account, client_as: Callable
) -> None:
    build_world(app, monitor.id)
    client = client_as(monitor)

    def queries_for_dashboard() -> int:
        with counting_queries(app) as statements:
            assert client.get("/").status_code == 200
        return len(statements)

    few = queries_for_dashboard()
    with app.app_context():
        place = db.session.scalars(db.select(Place)).first()
        assert place is not None
        for days in range(8):
            make_visit(
                place,
                monitor.id,
                status=VisitStatus.PREPARING,
                start_date=npm_today() + timedelta(days=30 + days),
            )
        db.session.commit()
    assert queries_for_dashboard() == few
