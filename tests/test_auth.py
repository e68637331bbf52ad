"""Signing in and out, sessions, and passwords."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.support import PASSWORD, Account, AuthActions
from visits.extensions import db
from visits.models import User


def stored_user(app: Flask, account: Account) -> User:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.id == account.id))
        assert user is not None
        db.session.expunge(user)
        return user


def test_anonymous_user_is_sent_to_sign_in(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")


def test_monitor_signs_in_and_sees_dashboard(
    client: FlaskClient, auth: AuthActions, monitor: Account
) -> None:
    response = auth.login(monitor)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert "Mira Monitor" in page
    assert "Monitor" in page


def test_sign_in_returns_to_the_page_asked_for(
    client: FlaskClient, auth: AuthActions, admin: Account
) -> None:
    token = auth.csrf_token()
    response = client.post(
        "/auth/login?next=/admin/users",
        data={"csrf_token": token, "email": admin.email, "password": admin.password},
    )
    assert response.headers["Location"] == "/admin/users"


def test_sign_in_never_redirects_off_site(
    client: FlaskClient, auth: AuthActions, monitor: Account
) -> None:
    token = auth.csrf_token()
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.post(
            f"/auth/login?next={target}",
            data={"csrf_token": token, "email": monitor.email, "password": monitor.password},
        )
        assert response.headers["Location"] == "/", target
        auth.logout()
        token = auth.csrf_token()


def test_wrong_password_and_unknown_email_get_the_same_message(
    auth: AuthActions, monitor: Account
) -> None:
    wrong = auth.login(monitor.email, "not the password")
    unknown = auth.login("nobody@test.example", "not the password")
    for response in (wrong, unknown):
        assert response.status_code == 422
        assert "Wrong email or password." in response.get_data(as_text=True)


def test_failed_sign_in_keeps_the_email_but_not_the_password(
    auth: AuthActions, monitor: Account
) -> None:
    page = auth.login(monitor.email, "secret-typed-wrong").get_data(as_text=True)
    assert f'value="{monitor.email}"' in page
    assert "secret-typed-wrong" not in page


def test_empty_fields_are_named(auth: AuthActions) -> None:
    response = auth.post("/auth/login", {"email": "", "password": ""})
    assert response.status_code == 422
    assert response.get_data(as_text=True).count("This field is required.") >= 2


def test_overlong_email_is_refused_with_a_message(auth: AuthActions) -> None:
    response = auth.post("/auth/login", {"email": "a" * 300 + "@x.example", "password": "x"})
    assert response.status_code == 422
    assert "Field cannot be longer than 254 characters." in response.get_data(as_text=True)


def test_deactivated_account_cannot_sign_in(
    auth: AuthActions, make_user: Callable[..., Account]
) -> None:
    account = make_user(active=False)
    response = auth.login(account)
    assert response.status_code == 422
    assert "deactivated" in response.get_data(as_text=True)


def test_remember_me_is_off_by_default(client: FlaskClient) -> None:
    page = client.get("/auth/login").get_data(as_text=True)
    assert 'name="remember" type="checkbox" value="y">' in page
    assert "checked" not in page


def test_sign_out_makes_a_copied_cookie_useless(
    app: Flask, client: FlaskClient, auth: AuthActions, monitor: Account
) -> None:
    auth.login(monitor)
    stolen = client.get_cookie("npm_session")
    assert stolen is not None
    auth.logout()
    replay = app.test_client()
    replay.set_cookie("npm_session", stolen.value)
    response = replay.get("/")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_sign_out_also_ends_a_remembered_device(
    app: Flask, client: FlaskClient, auth: AuthActions, monitor: Account
) -> None:
    auth.login(monitor, remember=True)
    remembered = client.get_cookie("npm_remember")
    assert remembered is not None
    auth.logout()
    replay = app.test_client()
    replay.set_cookie("npm_remember", remembered.value)
    assert replay.get("/").status_code == 302


def test_password_change_ends_other_sessions_but_not_this_one(
    app: Flask, client: FlaskClient, auth: AuthActions, monitor: Account
) -> None:
    auth.login(monitor)
    other_device = app.test_client()
    AuthActions(other_device).login(monitor)
    assert other_device.get("/").status_code == 200

    response = auth.post(
        "/auth/password",
        {
            "current_password": PASSWORD,
            "new_password": "a brand new passphrase",
            "confirm_password": "a brand new passphrase",
        },
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert other_device.get("/").status_code == 302
    auth.logout()
    assert auth.login(monitor.email, "a brand new passphrase").status_code == 302


def test_password_change_needs_the_current_password(auth: AuthActions, monitor: Account) -> None:
    auth.login(monitor)
    response = auth.post(
        "/auth/password",
        {
            "current_password": "not it",
            "new_password": "a brand new passphrase",
            "confirm_password": "a brand new passphrase",
        },
    )
    assert response.status_code == 422
    assert "This is not your current password." in response.get_data(as_text=True)


def test_password_change_checks_length_and_confirmation(
    auth: AuthActions, monitor: Account
) -> None:
    auth.login(monitor)
    short = auth.post(
        "/auth/password",
        {"current_password": PASSWORD, "new_password": "short", "confirm_password": "short"},
    )
    assert short.status_code == 422
    assert "between 12 and 256 characters" in short.get_data(as_text=True)
    differ = auth.post(
        "/auth/password",
        {
            "current_password": PASSWORD,
            "new_password": "a brand new passphrase",
            "confirm_password": "another passphrase!!",
        },
    )
    assert "The two new passwords differ." in differ.get_data(as_text=True)


def test_hash_is_upgraded_when_parameters_change(
    app: Flask, auth: AuthActions, monitor: Account
) -> None:
    before = stored_user(app, monitor).password_hash
    assert "m=8,t=1,p=1" in before
    app.config["ARGON2_TIME_COST"] = 2
    try:
        assert auth.login(monitor).status_code == 302
    finally:
        app.config["ARGON2_TIME_COST"] = 1
    after = stored_user(app, monitor).password_hash
    assert "m=8,t=2,p=1" in after
    assert after.startswith("$argon2id$")


def test_user_with_temporary_password_must_change_it_first(
    client: FlaskClient, auth: AuthActions, make_user: Callable[..., Account]
) -> None:
    account = make_user(must_change_password=True)
    response = auth.login(account)
    assert response.headers["Location"] == "/auth/password"
    assert client.get("/").headers["Location"] == "/auth/password"
    auth.post(
        "/auth/password",
        {
            "current_password": account.password,
            "new_password": "my very own passphrase",
            "confirm_password": "my very own passphrase",
        },
    )
    assert client.get("/").status_code == 200
