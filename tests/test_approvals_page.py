"""The approvals page: reached from the menu and the dashboard, audited, and cheap."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import select

from tests.factories import World, add, build_world
from tests.support import Account, AuthActions, counting_queries
from tests.test_approvals import add_to_visit, as_user, pending_about
from visits.extensions import db
from visits.models import AccessKind, AccessRequest, AuditEvent, Role, VisitMember


@pytest.fixture
def world(app: Flask, monitor: Account) -> World:
    return build_world(app, monitor.id)


def test_supervisors_reach_the_approvals_from_the_menu_and_the_dashboard(
    app: Flask, world: World, supervisor: Account, monitor: Account, admin: Account
) -> None:
    dashboard = as_user(app, supervisor).client.get("/").get_data(as_text=True)

    assert 'href="/approvals/"' in dashboard
    assert "1 change to an account awaits approval." in dashboard
    for other in (monitor, admin):
        page = as_user(app, other).client.get("/").get_data(as_text=True)
        assert 'href="/approvals/"' not in page
        assert "awaits approval" not in page


def test_deciding_is_audited_on_the_account(
    app: Flask, world: World, monitor: Account, outsider: Account, supervisor: Account
) -> None:
    as_supervisor = as_user(app, supervisor)
    as_supervisor.post(f"/approvals/{world.access_request_id}/approve")
    add_to_visit(as_user(app, monitor), world, outsider.id)
    refused_id = pending_about(app, outsider.id)[0].id
    as_supervisor.post(f"/approvals/{refused_id}/refuse", {"reason": "Unknown to the team"})

    with app.app_context():
        events = db.session.execute(
            select(
                AuditEvent.action, AuditEvent.user_id, AuditEvent.object_type, AuditEvent.details
            )
            .where(AuditEvent.action.in_(["access.approve", "access.refuse"]))
            .order_by(AuditEvent.id)
        ).all()
    decided = [(a, u, o, json.loads(d)["request_id"]) for a, u, o, d in events]
    assert decided == [
        ("access.approve", supervisor.id, "users", world.access_request_id),
        ("access.refuse", supervisor.id, "users", refused_id),
    ]


def test_taking_a_waiting_member_off_the_team_withdraws_the_request(
    app: Flask, world: World, monitor: Account, outsider: Account, supervisor: Account
) -> None:
    lead = as_user(app, monitor)
    add_to_visit(lead, world, outsider.id)
    with app.app_context():
        member_id = db.session.scalar(
            select(VisitMember.id).where(VisitMember.user_id == outsider.id)
        )

    removed = lead.post(f"/visits/{world.visit_id}/team/{member_id}/remove")

    assert removed.status_code == 302
    assert pending_about(app, outsider.id) == []
    page = as_user(app, supervisor).client.get("/approvals/").get_data(as_text=True)
    assert outsider.display_name not in page


def test_the_approvals_page_makes_as_many_queries_for_many_requests(
    app: Flask, world: World, supervisor: Account, make_user: Callable[..., Account]
) -> None:
    browser = AuthActions(app.test_client())
    browser.login(supervisor)

    def queries() -> int:
        with counting_queries(app) as statements:
            assert browser.client.get("/approvals/").status_code == 200
        return len(statements)

    few = queries()
    subjects = [make_user(Role.MONITOR, email=f"waiting{n}@test.example") for n in range(5)]
    askers = [make_user(Role.ADMIN, email=f"asking{n}@test.example") for n in range(5)]
    with app.app_context():
        for subject, asker in zip(subjects, askers, strict=True):
            add(
                AccessRequest(
                    kind=AccessKind.ACCOUNT_CREATED,
                    subject_id=subject.id,
                    requested_by_id=asker.id,
                )
            )
        db.session.commit()
    assert queries() == few
