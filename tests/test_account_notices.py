"""At sign-in, a person is told what others did to their account, and by whom, once."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale, gettext
from sqlalchemy import select

from tests.factories import World, build_world
from tests.support import Account, AuthActions
from visits.extensions import db
from visits.models import AccessRequest, RequestStatus, Role

TEMPORARY_PASSWORD = re.compile(r"<code>([A-Za-z0-9-]{19})</code>")
NEW_PASSWORD = "a passphrase of my own choosing"
WAITING = "You cannot read visit content until a supervisor approves what was done to your account."


@pytest.fixture
def approver(make_user: Callable[..., Account]) -> Account:
    return make_user(Role.SUPERVISOR, email="approver@test.example", name="Aibek Approver")


def page_after_sign_in(client: FlaskClient, email: str, password: str) -> str:
    """The page a person lands on right after signing in, with its messages."""
    response = AuthActions(client).login(email, password)
    assert response.status_code == 302
    return client.get(response.headers["Location"]).get_data(as_text=True)


def signed_in_as(app: Flask, account: Account) -> AuthActions:
    auth = AuthActions(app.test_client())
    assert auth.login(account).status_code == 302
    return auth


def pending_request(app: Flask, subject_id: int) -> int:
    with app.app_context():
        request_id = db.session.scalar(
            select(AccessRequest.id).where(
                AccessRequest.subject_id == subject_id,
                AccessRequest.status == RequestStatus.PENDING,
            )
        )
        assert request_id is not None
        return request_id


def reset_password_of(app: Flask, admin: Account, account: Account) -> str:
    issued = signed_in_as(app, admin).post(f"/admin/users/{account.id}/reset-password")
    match = TEMPORARY_PASSWORD.search(issued.get_data(as_text=True))
    assert match is not None
    return match.group(1)


def test_a_reset_password_is_told_with_who_did_it_once(
    app: Flask, admin: Account, supervisor: Account, approver: Account
) -> None:
    temporary = reset_password_of(app, admin, supervisor)
    browser = app.test_client()

    first = page_after_sign_in(browser, supervisor.email, temporary)
    changed = AuthActions(browser).post(
        "/auth/password",
        {
            "current_password": temporary,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )
    after = browser.get(changed.headers["Location"]).get_data(as_text=True)

    assert "Adil Admin reset your password on" in first
    assert WAITING in first
    assert "reset your password" not in after

    signed_in_as(app, approver).post(f"/approvals/{pending_request(app, supervisor.id)}/approve")
    AuthActions(browser).logout()
    next_time = page_after_sign_in(browser, supervisor.email, NEW_PASSWORD)

    assert "Aibek Approver approved the reset of your password on" in next_time
    assert "Adil Admin reset your password" not in next_time
    assert WAITING not in next_time


def test_a_role_change_and_its_refusal_are_told(
    app: Flask, admin: Account, monitor: Account, approver: Account
) -> None:
    signed_in_as(app, admin).post(f"/admin/users/{monitor.id}", {"role": "supervisor"})
    signed_in_as(app, approver).post(
        f"/approvals/{pending_request(app, monitor.id)}/refuse", {"reason": "Not this year"}
    )

    page = page_after_sign_in(app.test_client(), monitor.email, monitor.password)

    assert "Adil Admin changed your role from Monitor to Supervisor on" in page
    assert "Aibek Approver refused your new role on" in page
    assert "your previous role came back: Not this year" in page


def test_a_place_on_a_visit_team_awaiting_approval_is_told(
    app: Flask, monitor: Account, outsider: Account
) -> None:
    world: World = build_world(app, monitor.id)
    signed_in_as(app, monitor).post(
        f"/visits/{world.visit_id}/team",
        {"user_id": str(outsider.id), "expertise": "general", "gender": "unstated"},
    )

    page = page_after_sign_in(app.test_client(), outsider.email, outsider.password)

    assert "Mira Monitor added you to the team of visit V-" in page
    assert "you will see its content once a supervisor approves" in page


def test_the_notice_is_in_the_persons_language(
    app: Flask, admin: Account, make_user: Callable[..., Account]
) -> None:
    chief = make_user(Role.SUPERVISOR, email="chief@test.example", preferred_locale="ky")
    temporary = reset_password_of(app, admin, chief)

    page = page_after_sign_in(app.test_client(), chief.email, temporary)

    with app.test_request_context(), force_locale("ky"):
        waiting = gettext(WAITING)
    assert waiting != WAITING
    assert waiting in page
    assert WAITING not in page
