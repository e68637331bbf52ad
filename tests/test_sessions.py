"""Server-side sessions: sign-out per device and everywhere, timeouts, re-authentication."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.support import PASSWORD, Account, AuthActions, Clock, counting_queries
from visits.extensions import db
from visits.models import User, UserSession

SIGN_IN = "/auth/login"


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr("visits.models.base.utcnow", clock)
    return clock


def signed_in(app: Flask, account: Account, remember: bool = False) -> FlaskClient:
    client = app.test_client()
    assert AuthActions(client).login(account, remember=remember).status_code == 302
    return client


def with_cookie(app: Flask, name: str, value: str) -> FlaskClient:
    """A browser that holds nothing but a copy of one cookie."""
    client = app.test_client()
    client.set_cookie(name, value)
    return client


def session_cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie("npm_session")
    assert cookie is not None
    return cookie.value


def is_signed_in(client: FlaskClient) -> bool:
    response = client.get("/")
    if response.status_code == 200:
        return True
    assert response.status_code == 302
    assert response.headers["Location"].startswith(SIGN_IN)
    return False


# --- Signing out ---------------------------------------------------------------


def test_sign_out_ends_only_this_device(app: Flask, monitor: Account) -> None:
    laptop = signed_in(app, monitor)
    phone = signed_in(app, monitor)
    copied = session_cookie(laptop)

    AuthActions(laptop).logout()

    assert not is_signed_in(laptop)
    # Guards the row's ended_at check in visits.auth.sessions.load.
    assert not is_signed_in(with_cookie(app, "npm_session", copied))
    assert is_signed_in(phone)


def test_sign_out_everywhere_ends_every_device(app: Flask, monitor: Account) -> None:
    laptop = signed_in(app, monitor)
    phone = signed_in(app, monitor, remember=True)
    phone_remembered = phone.get_cookie("npm_remember")
    assert phone_remembered is not None
    copied = session_cookie(laptop)

    response = AuthActions(laptop).post("/auth/sessions/end-all")

    assert response.headers["Location"] == SIGN_IN
    assert not is_signed_in(laptop)
    assert not is_signed_in(phone)
    assert not is_signed_in(with_cookie(app, "npm_session", copied))
    assert not is_signed_in(with_cookie(app, "npm_remember", phone_remembered.value))


def test_header_offers_sign_out_everywhere(app: Flask, monitor: Account) -> None:
    page = signed_in(app, monitor).get("/").get_data(as_text=True)
    assert 'action="/auth/sessions/end-all"' in page
    assert "Sign out everywhere" in page
    assert 'href="/auth/two-factor/setup"' in page


def test_password_change_refuses_a_copy_of_another_devices_cookie(
    app: Flask, monitor: Account
) -> None:
    laptop = signed_in(app, monitor)
    phone = signed_in(app, monitor)
    copied_from_phone = session_cookie(phone)

    response = AuthActions(laptop).post(
        "/auth/password",
        {
            "current_password": PASSWORD,
            "new_password": "a brand new passphrase",
            "confirm_password": "a brand new passphrase",
        },
    )

    assert response.status_code == 302
    assert is_signed_in(laptop)
    assert not is_signed_in(phone)
    assert not is_signed_in(with_cookie(app, "npm_session", copied_from_phone))


def test_remembered_device_survives_closing_the_browser_until_signed_out(
    app: Flask, monitor: Account
) -> None:
    browser = signed_in(app, monitor, remember=True)
    remembered = browser.get_cookie("npm_remember")
    assert remembered is not None

    reopened = with_cookie(app, "npm_remember", remembered.value)
    assert is_signed_in(reopened)

    AuthActions(reopened).logout()
    assert not is_signed_in(with_cookie(app, "npm_remember", remembered.value))


def test_sign_out_also_removes_the_remember_cookie_from_the_browser(
    app: Flask, monitor: Account
) -> None:
    browser = signed_in(app, monitor, remember=True)
    assert browser.get_cookie("npm_remember") is not None
    AuthActions(browser).logout()
    assert browser.get_cookie("npm_remember") is None


def test_deactivated_users_old_cookie_is_refused(
    app: Flask, make_user: Callable[..., Account]
) -> None:
    account = make_user()
    browser = signed_in(app, account)
    copied = session_cookie(browser)
    with app.app_context():
        user = db.session.get(User, account.id)
        assert user is not None
        # Only the flag: the sessions are not ended, so that the test guards
        # the loader's ``user.active`` check (and Flask-Login's
        # is_authenticated, which also reads it), not the ending of sessions.
        user.active = False
        db.session.commit()

    assert not is_signed_in(browser)
    assert not is_signed_in(with_cookie(app, "npm_session", copied))


def test_session_token_is_stored_only_as_its_hash(app: Flask, monitor: Account) -> None:
    browser = signed_in(app, monitor)
    with browser.session_transaction() as flask_session:
        token = flask_session["_user_id"].rsplit(":", 1)[1]
    assert len(token) >= 43  # 32 random bytes, base64
    with app.app_context():
        row = db.session.scalars(select(UserSession)).one()
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert token not in {row.token_hash, row.user_agent, row.ip}


def test_a_forged_token_is_refused(app: Flask, monitor: Account) -> None:
    browser = signed_in(app, monitor)
    with browser.session_transaction() as flask_session:
        user_id, version, _token = flask_session["_user_id"].split(":")
        flask_session["_user_id"] = f"{user_id}:{version}:guessed-token"
    assert not is_signed_in(browser)


# --- Timeouts ------------------------------------------------------------------


def test_idle_session_ends_and_sign_in_returns_to_the_page(
    app: Flask, monitor: Account, clock: Clock
) -> None:
    browser = signed_in(app, monitor)
    clock.advance(minutes=31)

    response = browser.get("/visits/")

    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login?next=%2Fvisits%2F"
    page = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert "You were signed out after 30 minutes without activity." in page
    assert "data-keep-drafts" in page  # the drafts script keeps the typed text
    again = AuthActions(browser).post(
        "/auth/login?next=/visits/", {"email": monitor.email, "password": monitor.password}
    )
    assert again.headers["Location"] == "/visits/"
    assert browser.get("/visits/").status_code == 200


def test_a_timed_out_remembered_device_is_refused_too(
    app: Flask, monitor: Account, clock: Clock
) -> None:
    browser = signed_in(app, monitor, remember=True)
    remembered = browser.get_cookie("npm_remember")
    assert remembered is not None
    clock.advance(minutes=31)
    assert not is_signed_in(with_cookie(app, "npm_remember", remembered.value))


def test_activity_keeps_a_session_open(app: Flask, monitor: Account, clock: Clock) -> None:
    browser = signed_in(app, monitor)
    for _ in range(4):
        clock.advance(minutes=20)
        assert is_signed_in(browser)


def test_idle_limit_is_a_setting(
    app: Flask, monitor: Account, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "SESSION_IDLE_MINUTES", 5)
    browser = signed_in(app, monitor)
    clock.advance(minutes=6)
    response = browser.get("/", follow_redirects=True)
    assert "You were signed out after 5 minutes without activity." in response.get_data(
        as_text=True
    )


def test_session_ends_after_its_lifetime_even_when_active(
    app: Flask, monitor: Account, clock: Clock
) -> None:
    browser = signed_in(app, monitor)
    for _ in range(28):  # active every 25 minutes, up to 11 hours 40 minutes
        clock.advance(minutes=25)
        assert is_signed_in(browser)
    clock.advance(minutes=25)  # 12 hours 5 minutes after signing in
    response = browser.get("/", follow_redirects=True)
    assert "a session lasts at most 12 hours" in response.get_data(as_text=True)
    assert not is_signed_in(browser)


def test_last_activity_is_written_at_most_once_a_minute(
    app: Flask, monitor: Account, clock: Clock
) -> None:
    browser = signed_in(app, monitor)

    def session_writes() -> int:
        with counting_queries(app) as statements:
            assert browser.get("/").status_code == 200
        return sum("UPDATE user_sessions" in statement for statement in statements)

    clock.advance(seconds=20)
    assert session_writes() == 0
    clock.advance(seconds=20)
    assert session_writes() == 0
    clock.advance(seconds=30)
    assert session_writes() == 1
    assert session_writes() == 0


# --- The account page ----------------------------------------------------------


def test_account_page_lists_this_accounts_open_sessions(
    app: Flask, monitor: Account, outsider: Account
) -> None:
    laptop = signed_in(app, monitor)
    phone = signed_in(app, monitor)
    signed_in(app, outsider)

    page = laptop.get("/auth/account").get_data(as_text=True)
    assert page.count("<tr>") == 3  # a header row and two sessions
    assert page.count("this device") == 1
    assert "127.0.0.1" in page

    AuthActions(phone).logout()
    page = laptop.get("/auth/account").get_data(as_text=True)
    assert page.count("<tr>") == 2


def test_account_page_queries_do_not_grow_with_sessions(app: Flask, monitor: Account) -> None:
    browser = signed_in(app, monitor)

    def queries() -> int:
        with counting_queries(app) as statements:
            assert browser.get("/auth/account").status_code == 200
        return len(statements)

    few = queries()
    for _ in range(4):
        signed_in(app, monitor)
    assert queries() == few


# --- Re-authentication ---------------------------------------------------------
# /auth/two-factor/setup carries @recent_authentication(): a stolen, still
# open session must not be able to bind its own phone to the account.


def test_sensitive_page_asks_for_the_password_again_after_five_minutes(
    app: Flask, monitor: Account, clock: Clock
) -> None:
    browser = signed_in(app, monitor)
    assert browser.get("/auth/two-factor/setup").status_code == 200

    clock.advance(minutes=6)
    response = browser.get("/auth/two-factor/setup")
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/confirm?next=/auth/two-factor/setup"

    auth = AuthActions(browser)
    wrong = auth.post(response.headers["Location"], {"password": "not my password"})
    assert wrong.status_code == 422
    assert "This is not your current password." in wrong.get_data(as_text=True)
    right = auth.post(response.headers["Location"], {"password": monitor.password})
    assert right.headers["Location"] == "/auth/two-factor/setup"
    assert browser.get("/auth/two-factor/setup").status_code == 200


def test_a_post_to_a_sensitive_page_gets_the_confirmation_form(
    app: Flask, monitor: Account, clock: Clock
) -> None:
    browser = signed_in(app, monitor)
    clock.advance(minutes=6)
    response = AuthActions(browser).post(
        "/auth/two-factor/setup",
        {"code": "123456"},
        headers={"Referer": "http://localhost/auth/two-factor/setup"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "Confirm it is you" in page
    assert 'action="/auth/confirm?next=/auth/two-factor/setup"' in page
    assert "data-keep-drafts" in page


def test_confirming_is_throttled_like_signing_in(app: Flask, monitor: Account) -> None:
    browser = signed_in(app, monitor)
    auth = AuthActions(browser)
    for _ in range(5):
        assert auth.post("/auth/confirm", {"password": "wrong"}).status_code == 422
    refused = auth.post("/auth/confirm", {"password": monitor.password})
    assert refused.status_code == 429
    assert "No new attempt is accepted until" in refused.get_data(as_text=True)


def test_exporting_the_audit_trail_asks_for_the_password_again(
    app: Flask, supervisor: Account, clock: Clock
) -> None:
    browser = signed_in(app, supervisor)
    clock.advance(minutes=6)

    response = browser.get("/admin/audit/export.csv?action=auth.")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/confirm?next=")
    confirmed = AuthActions(browser).post(
        response.headers["Location"], {"password": supervisor.password}
    )
    assert confirmed.headers["Location"] == "/admin/audit/export.csv?action=auth."
    export = browser.get(confirmed.headers["Location"])
    assert export.status_code == 200
    assert export.mimetype == "text/csv"


def test_changing_a_role_asks_for_the_password_again(
    app: Flask, admin: Account, monitor: Account, supervisor: Account, clock: Clock
) -> None:
    browser = signed_in(app, admin)
    clock.advance(minutes=6)
    auth = AuthActions(browser)
    page = f"http://localhost/admin/users/{monitor.id}"

    refused = auth.post(
        f"/admin/users/{monitor.id}", {"role": "supervisor"}, headers={"Referer": page}
    )

    assert refused.status_code == 403
    assert f'action="/auth/confirm?next=/admin/users/{monitor.id}"' in refused.get_data(
        as_text=True
    )
    with app.app_context():
        user = db.session.get(User, monitor.id)
        assert user is not None
        assert user.role.value == "monitor"
    auth.post(f"/auth/confirm?next=/admin/users/{monitor.id}", {"password": admin.password})
    assert auth.post(f"/admin/users/{monitor.id}", {"role": "supervisor"}).status_code == 302
    with app.app_context():
        user = db.session.get(User, monitor.id)
        assert user is not None
        assert user.role.value == "supervisor"
