"""Account administration: list, create, deactivate, reactivate, reset."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from tests.support import Account, AuthActions
from visits.models import Role

TEMPORARY_PASSWORD = re.compile(r"<code>([A-Za-z0-9-]{19})</code>")


def test_admin_lists_accounts_with_filters(
    client: FlaskClient, auth: AuthActions, admin: Account, make_user: Callable[..., Account]
) -> None:
    make_user(Role.MONITOR, name="Bakyt North", email="bakyt@test.example")
    make_user(Role.SUPERVISOR, name="Cholpon Chief", email="cholpon@test.example")
    make_user(Role.MONITOR, name="Dinara Gone", email="dinara@test.example", active=False)
    auth.login(admin)

    everyone = client.get("/admin/users").get_data(as_text=True)
    assert all(name in everyone for name in ("Bakyt North", "Cholpon Chief", "Dinara Gone"))

    supervisors = client.get("/admin/users?role=supervisor").get_data(as_text=True)
    assert "Cholpon Chief" in supervisors
    assert "Bakyt North" not in supervisors

    inactive = client.get("/admin/users?status=inactive").get_data(as_text=True)
    assert "Dinara Gone" in inactive
    assert "Bakyt North" not in inactive

    search = client.get("/admin/users?q=BAKYT").get_data(as_text=True)
    assert "Bakyt North" in search
    assert "Cholpon Chief" not in search


def test_user_list_is_paginated(
    client: FlaskClient, auth: AuthActions, admin: Account, make_user: Callable[..., Account]
) -> None:
    for number in range(30):
        make_user(Role.MONITOR, name=f"Monitor {number:02d}")
    auth.login(admin)
    first = client.get("/admin/users").get_data(as_text=True)
    second = client.get("/admin/users?page=2").get_data(as_text=True)
    assert "31 accounts" in first
    assert "Monitor 00" in first
    assert "Monitor 29" not in first
    assert "Monitor 29" in second


def test_invalid_filter_is_a_400_with_a_message(
    client: FlaskClient, auth: AuthActions, admin: Account
) -> None:
    auth.login(admin)
    response = client.get("/admin/users?role=emperor")
    assert response.status_code == 400
    assert "These filters are not valid" in response.get_data(as_text=True)


def test_admin_creates_account_with_temporary_password(
    app: Flask, client: FlaskClient, auth: AuthActions, admin: Account, supervisor: Account
) -> None:
    auth.login(admin)
    response = auth.post(
        "/admin/users/new",
        {
            "email": "Aibek.New@Test.example",
            "display_name": "Aibek New",
            "role": "supervisor",
            "preferred_locale": "ky",
        },
    )
    assert response.status_code == 201
    match = TEMPORARY_PASSWORD.search(response.get_data(as_text=True))
    assert match, "the temporary password is shown once"
    auth.logout()

    newcomer = app.test_client()
    newcomer_auth = AuthActions(newcomer)
    signed_in = newcomer_auth.login("aibek.new@test.example", match.group(1))
    assert signed_in.headers["Location"] == "/auth/password"
    page = newcomer.get("/auth/password").get_data(as_text=True)
    assert 'lang="ky"' in page


def test_duplicate_email_keeps_the_form(
    client: FlaskClient, auth: AuthActions, admin: Account
) -> None:
    auth.login(admin)
    response = auth.post(
        "/admin/users/new",
        {"email": admin.email, "display_name": "Someone Else", "role": "monitor"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "An account with this email already exists." in page
    assert 'value="Someone Else"' in page


def test_invalid_email_and_overlong_name_are_explained(
    client: FlaskClient, auth: AuthActions, admin: Account
) -> None:
    auth.login(admin)
    response = auth.post(
        "/admin/users/new",
        {"email": "not-an-email", "display_name": "N" * 121, "role": "monitor"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Invalid email address." in page
    assert "Field cannot be longer than 120 characters." in page


def test_deactivation_ends_sessions_and_reactivation_restores_access(
    app: Flask, client: FlaskClient, auth: AuthActions, admin: Account, monitor: Account
) -> None:
    monitor_client = app.test_client()
    AuthActions(monitor_client).login(monitor)
    assert monitor_client.get("/").status_code == 200

    auth.login(admin)
    assert auth.post(f"/admin/users/{monitor.id}/deactivate").status_code == 302
    assert monitor_client.get("/").status_code == 302
    assert AuthActions(app.test_client()).login(monitor).status_code == 422

    assert auth.post(f"/admin/users/{monitor.id}/reactivate").status_code == 302
    assert AuthActions(app.test_client()).login(monitor).status_code == 302


def test_admin_cannot_deactivate_themselves(
    client: FlaskClient, auth: AuthActions, admin: Account
) -> None:
    auth.login(admin)
    response = auth.post(f"/admin/users/{admin.id}/deactivate")
    assert response.status_code == 409
    assert "You cannot deactivate your own account." in response.get_data(as_text=True)
    assert client.get("/admin/users").status_code == 200


def test_forced_reset_replaces_password_and_ends_sessions(
    app: Flask, client: FlaskClient, auth: AuthActions, admin: Account, monitor: Account
) -> None:
    monitor_client = app.test_client()
    AuthActions(monitor_client).login(monitor)

    auth.login(admin)
    response = auth.post(f"/admin/users/{monitor.id}/reset-password")
    match = TEMPORARY_PASSWORD.search(response.get_data(as_text=True))
    assert match
    assert monitor_client.get("/").status_code == 302
    assert AuthActions(app.test_client()).login(monitor).status_code == 422
    fresh = AuthActions(app.test_client())
    assert fresh.login(monitor.email, match.group(1)).headers["Location"] == "/auth/password"


def test_unknown_account_is_404(client: FlaskClient, auth: AuthActions, admin: Account) -> None:
    auth.login(admin)
    assert auth.post("/admin/users/999999/deactivate").status_code == 404
