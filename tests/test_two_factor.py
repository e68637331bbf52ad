"""Two-step sign-in: enrolment, codes accepted once, recovery codes, when it is required."""

from __future__ import annotations

import re
import time
import zlib
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from typing import Any

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous.encoding import base64_decode
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from tests.support import Account, AuthActions, Clock, in_parallel, totp_code
from visits.auth import two_factor
from visits.extensions import db
from visits.models import AuditEvent, RecoveryCode, Role, User, UserSession

SECRET_SHOWN = re.compile(r'<code class="totp-secret">([A-Z2-7 ]+)</code>')
RECOVERY_SHOWN = re.compile(r"<li><code>([a-z2-9]{4}-[a-z2-9]{4})</code></li>")


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr("visits.models.base.utcnow", clock)
    return clock


def enrol_through_the_page(client: FlaskClient, clock: Clock) -> tuple[str, list[str]]:
    """Set up two-step sign-in as a user would; the secret and the recovery codes shown."""
    page = client.get("/auth/two-factor/setup")
    assert page.status_code == 200
    match = SECRET_SHOWN.search(page.get_data(as_text=True))
    assert match, "the page shows the key for manual entry"
    secret = match.group(1).replace(" ", "")
    response = AuthActions(client).post(
        "/auth/two-factor/setup", {"code": totp_code(secret, clock.now)}
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return secret, RECOVERY_SHOWN.findall(response.get_data(as_text=True))


def enrolled_account(
    app: Flask, make_user: Callable[..., Account], clock: Clock, **attributes: object
) -> tuple[Account, str, list[str]]:
    account = make_user(**attributes)
    client = app.test_client()
    assert AuthActions(client).login(account).status_code == 302
    secret, codes = enrol_through_the_page(client, clock)
    clock.advance(seconds=30)  # the next sign-in needs the next code
    return account, secret, codes


def stored(app: Flask, account: Account) -> User:
    with app.app_context():
        user = db.session.get(User, account.id)
        assert user is not None
        db.session.expunge(user)
        return user


# --- Enrolment -----------------------------------------------------------------


def test_setup_page_draws_the_qr_code_itself(client: FlaskClient, monitor: Account) -> None:
    AuthActions(client).login(monitor)
    page = client.get("/auth/two-factor/setup").get_data(as_text=True)
    assert '<svg viewBox="' in page
    assert 'class="totp-qr"' in page
    assert "<img" not in page
    assert "data:image" not in page
    assert SECRET_SHOWN.search(page)


def test_enrolment_needs_a_right_code_and_shows_ten_recovery_codes_once(
    app: Flask, client: FlaskClient, monitor: Account, clock: Clock
) -> None:
    AuthActions(client).login(monitor)
    page = client.get("/auth/two-factor/setup").get_data(as_text=True)
    secret = SECRET_SHOWN.search(page).group(1).replace(" ", "")  # type: ignore[union-attr]
    # The same secret on the page until the setup is finished.
    assert secret in client.get("/auth/two-factor/setup").get_data(as_text=True).replace(" ", "")

    wrong = AuthActions(client).post("/auth/two-factor/setup", {"code": "000000"})
    assert wrong.status_code == 422
    assert "This code is not right" in wrong.get_data(as_text=True)
    assert not two_factor.is_enrolled(stored(app, monitor))

    right = AuthActions(client).post(
        "/auth/two-factor/setup", {"code": totp_code(secret, clock.now)}
    )
    codes = RECOVERY_SHOWN.findall(right.get_data(as_text=True))
    assert len(set(codes)) == 10
    assert stored(app, monitor).totp_secret_encrypted != ""
    assert secret not in stored(app, monitor).totp_secret_encrypted  # encrypted at rest
    with app.app_context():
        hashes = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(hashes) == 10
    assert all(h.startswith("$argon2id$") for h in hashes)
    assert not set(codes) & set(hashes)
    # Shown once: the page now says it is on, and shows no codes.
    again = client.get("/auth/two-factor/setup").get_data(as_text=True)
    assert "Two-step sign-in is on" in again
    assert not RECOVERY_SHOWN.search(again)


def readable_cookie(client: FlaskClient) -> str:
    """What anyone who sees the session cookie can read: it is signed, not encrypted."""
    cookie = client.get_cookie("npm_session")
    assert cookie is not None
    compressed = cookie.value.startswith(".")
    data = base64_decode(cookie.value.lstrip(".").split(".")[0])
    return (zlib.decompress(data) if compressed else data).decode()


def enrolment_secrets(app: Flask, account: Account) -> list[str]:
    """The secrets being set up in the account's sessions, as the database holds them."""
    with app.app_context():
        return list(
            db.session.scalars(
                select(UserSession.enrolment_secret_encrypted).where(
                    UserSession.user_id == account.id
                )
            )
        )


def test_the_secret_being_set_up_stays_on_the_server(
    app: Flask, client: FlaskClient, monitor: Account, clock: Clock
) -> None:
    AuthActions(client).login(monitor)
    page = client.get("/auth/two-factor/setup").get_data(as_text=True)
    secret = SECRET_SHOWN.search(page).group(1).replace(" ", "")  # type: ignore[union-attr]
    assert "_user_id" in readable_cookie(client)  # the cookie is read as an onlooker would

    assert secret not in readable_cookie(client)
    stored_secrets = enrolment_secrets(app, monitor)
    assert any(stored_secrets)  # kept with this session, encrypted
    assert all(secret not in value for value in stored_secrets)

    response = AuthActions(client).post(
        "/auth/two-factor/setup", {"code": totp_code(secret, clock.now)}
    )
    assert response.status_code == 200
    assert len(RECOVERY_SHOWN.findall(response.get_data(as_text=True))) == 10
    assert secret not in readable_cookie(client)
    assert enrolment_secrets(app, monitor) == [""]  # moved to the account


def test_the_secret_being_set_up_is_forgotten_when_the_session_ends(
    app: Flask, client: FlaskClient, monitor: Account
) -> None:
    auth = AuthActions(client)
    auth.login(monitor)
    client.get("/auth/two-factor/setup")
    assert any(enrolment_secrets(app, monitor))
    auth.logout()
    assert enrolment_secrets(app, monitor) == [""]


# --- Signing in with a code ----------------------------------------------------


def test_sign_in_asks_for_the_code_after_the_password(
    app: Flask, make_user: Callable[..., Account], clock: Clock
) -> None:
    account, secret, _codes = enrolled_account(app, make_user, clock)
    client = app.test_client()
    auth = AuthActions(client)

    first = auth.post(
        "/auth/login?next=/visits/", {"email": account.email, "password": account.password}
    )
    assert first.headers["Location"] == "/auth/two-factor?next=/visits/"
    # The password alone signs nobody in.
    assert client.get("/").status_code == 302

    done = auth.post(first.headers["Location"], {"code": totp_code(secret, clock.now)})
    assert done.headers["Location"] == "/visits/"
    assert client.get("/").status_code == 200


def test_a_code_is_accepted_once_only(
    app: Flask, make_user: Callable[..., Account], clock: Clock
) -> None:
    account, secret, _codes = enrolled_account(app, make_user, clock)
    code = totp_code(secret, clock.now)
    first = app.test_client()
    assert AuthActions(first).login_with_code(account, code).status_code == 302

    # Someone who watched the code being typed tries it within its 30 seconds.
    clock.advance(seconds=5)
    watcher = app.test_client()
    replay = AuthActions(watcher).login_with_code(account, code)
    assert replay.status_code == 422
    assert "This code was used already." in replay.get_data(as_text=True)
    assert watcher.get("/").status_code == 302

    clock.advance(seconds=30)
    later = AuthActions(app.test_client()).login_with_code(account, totp_code(secret, clock.now))
    assert later.status_code == 302


def test_an_earlier_code_after_a_later_one_is_refused(
    app: Flask, make_user: Callable[..., Account], clock: Clock
) -> None:
    account, secret, _codes = enrolled_account(app, make_user, clock)
    previous_code = totp_code(secret, clock.now)
    clock.advance(seconds=30)
    assert (
        AuthActions(app.test_client())
        .login_with_code(account, totp_code(secret, clock.now))
        .status_code
        == 302
    )
    # Still inside the accepted window, but older than the code just used.
    replay = AuthActions(app.test_client()).login_with_code(account, previous_code)
    assert replay.status_code == 422


def test_wrong_and_expired_codes_are_refused(
    app: Flask, make_user: Callable[..., Account], clock: Clock
) -> None:
    account, secret, _codes = enrolled_account(app, make_user, clock)
    expired = totp_code(secret, clock.now)
    clock.advance(seconds=90)
    for code in (expired, "123456", "12345", "not a code"):
        client = app.test_client()
        response = AuthActions(client).login_with_code(account, code)
        assert response.status_code == 422, code
        assert "This code is not right, or it has expired." in response.get_data(as_text=True)
        assert client.get("/").status_code == 302
    # A phone whose clock is a little behind is forgiven: the code of the step before.
    late = totp_code(secret, clock.now - timedelta(seconds=30))
    assert AuthActions(app.test_client()).login_with_code(account, late).status_code == 302


def test_a_recovery_code_works_once(
    app: Flask, make_user: Callable[..., Account], clock: Clock
) -> None:
    account, _secret, codes = enrolled_account(app, make_user, clock)
    code = codes[3]
    client = app.test_client()
    assert AuthActions(client).login_with_code(account, code.upper()).status_code == 302
    assert client.get("/").status_code == 200

    again = AuthActions(app.test_client()).login_with_code(account, code)
    assert again.status_code == 422
    with app.app_context():
        unused = db.session.scalar(
            select(func.count(RecoveryCode.id)).where(RecoveryCode.used_at.is_(None))
        )
    assert unused == 9


def submissions_of(app: Flask, account: Account, code: str, browsers: int) -> list[Any]:
    """Browsers past the password step, each ready to submit ``code`` (from its own address)."""
    ready = []
    for n in range(browsers):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"10.0.0.{n + 1}"
        auth = AuthActions(client)
        first = auth.post("/auth/login", {"email": account.email, "password": account.password})
        assert first.headers["Location"] == "/auth/two-factor"
        form = {"csrf_token": auth.csrf_token(), "code": code}
        ready.append(partial(client.post, "/auth/two-factor", data=form))
    return ready


def signed_in_count(responses: list[TestResponse]) -> int:
    return sum(response.headers.get("Location") == "/" for response in responses)


def test_a_code_submitted_in_parallel_signs_in_once(
    app: Flask, make_user: Callable[..., Account], clock: Clock
) -> None:
    account, secret, _codes = enrolled_account(app, make_user, clock)
    code = totp_code(secret, clock.now)

    responses = in_parallel(submissions_of(app, account, code, browsers=5))

    assert signed_in_count(responses) == 1
    refused = [response for response in responses if response.status_code == 422]
    assert len(refused) == 4
    assert all("This code was used already." in r.get_data(as_text=True) for r in refused)


def test_a_recovery_code_submitted_in_parallel_signs_in_once(
    app: Flask, make_user: Callable[..., Account], clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    account, _secret, codes = enrolled_account(app, make_user, clock)
    # Hashing as slow as in production (the suite's parameters make it instant),
    # so that every request has read the unused codes before one of them is done.
    verify = PasswordHasher.verify

    def production_speed(self: PasswordHasher, stored: Any, password: Any) -> bool:
        time.sleep(0.05)
        return verify(self, stored, password)

    monkeypatch.setattr(PasswordHasher, "verify", production_speed)

    responses = in_parallel(submissions_of(app, account, codes[0], browsers=5))

    assert signed_in_count(responses) == 1
    assert sorted(response.status_code for response in responses) == [302] + [422] * 4
    with app.app_context():
        unused = db.session.scalar(
            select(func.count(RecoveryCode.id)).where(RecoveryCode.used_at.is_(None))
        )
    assert unused == 9


def test_the_second_step_waits_only_ten_minutes(
    app: Flask, make_user: Callable[..., Account], clock: Clock
) -> None:
    account, secret, _codes = enrolled_account(app, make_user, clock)
    client = app.test_client()
    auth = AuthActions(client)
    auth.post("/auth/login", {"email": account.email, "password": account.password})
    clock.advance(minutes=11)
    response = auth.post("/auth/two-factor", {"code": totp_code(secret, clock.now)})
    assert response.headers["Location"].startswith("/auth/login")
    assert client.get("/").status_code == 302


def test_moving_to_a_new_phone_retires_the_old_secret_and_codes(
    app: Flask, make_user: Callable[..., Account], clock: Clock
) -> None:
    account, old_secret, old_codes = enrolled_account(app, make_user, clock)
    client = app.test_client()
    auth = AuthActions(client)
    auth.login_with_code(account, old_codes[0])  # the old phone is lost

    page = client.get("/auth/two-factor/setup?replace=1").get_data(as_text=True)
    new_secret = SECRET_SHOWN.search(page).group(1).replace(" ", "")  # type: ignore[union-attr]
    assert new_secret != old_secret
    clock.advance(seconds=30)
    done = auth.post("/auth/two-factor/setup?replace=1", {"code": totp_code(new_secret, clock.now)})
    new_codes = RECOVERY_SHOWN.findall(done.get_data(as_text=True))
    assert len(new_codes) == 10

    clock.advance(seconds=30)
    for stale in (totp_code(old_secret, clock.now), old_codes[1]):
        assert AuthActions(app.test_client()).login_with_code(account, stale).status_code == 422
    fresh = totp_code(new_secret, clock.now)
    assert AuthActions(app.test_client()).login_with_code(account, fresh).status_code == 302


# --- When it is required -------------------------------------------------------


def test_required_role_must_enrol_before_anything_else(
    app: Flask, supervisor: Account, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "REQUIRE_2FA_FOR", ("supervisor",))
    client = app.test_client()
    response = AuthActions(client).login(supervisor)
    assert response.headers["Location"] == "/auth/two-factor/setup"
    for path in ("/", "/visits/", "/auth/account", "/auth/password"):
        assert client.get(path).headers.get("Location") == "/auth/two-factor/setup", path

    enrol_through_the_page(client, clock)
    assert client.get("/").status_code == 200


def test_an_administrator_can_require_it_of_one_account(
    app: Flask, make_user: Callable[..., Account]
) -> None:
    account = make_user(Role.MONITOR, two_factor_required=True)
    client = app.test_client()
    assert AuthActions(client).login(account).headers["Location"] == "/auth/two-factor/setup"
    assert client.get("/visits/").headers["Location"] == "/auth/two-factor/setup"


def test_required_by_default_for_supervisors_and_admins_in_production(app: Flask) -> None:
    with app.test_request_context():
        original = dict(app.config)
        try:
            app.config.update(PRODUCTION=True, REQUIRE_2FA_FOR=None)
            assert two_factor.required_roles() == ("supervisor", "admin")
            app.config.update(PRODUCTION=False)
            assert two_factor.required_roles() == ()
            app.config.update(PRODUCTION=True, REQUIRE_2FA_FOR=())
            assert two_factor.required_roles() == ()
        finally:
            app.config.clear()
            app.config.update(original)


def test_unknown_role_in_the_setting_is_a_configuration_error() -> None:
    from visits.config import from_environment

    with pytest.raises(ValueError, match="REQUIRE_2FA_FOR"):
        from_environment({"REQUIRE_2FA_FOR": "supervisor,boss", "SECRET_KEY": "x"})
    assert from_environment({"REQUIRE_2FA_FOR": " Admin ", "SECRET_KEY": "x"})[
        "REQUIRE_2FA_FOR"
    ] == ("admin",)


# --- Turning it off ------------------------------------------------------------


def test_turning_it_off_needs_the_password_and_a_code(
    app: Flask, make_user: Callable[..., Account], clock: Clock
) -> None:
    account, secret, _codes = enrolled_account(app, make_user, clock)
    client = app.test_client()
    auth = AuthActions(client)
    auth.login_with_code(account, totp_code(secret, clock.now))
    clock.advance(seconds=30)

    wrong = auth.post(
        "/auth/two-factor/disable",
        {"password": "not it", "code": totp_code(secret, clock.now)},
    )
    assert wrong.status_code == 422
    assert two_factor.is_enrolled(stored(app, account))

    done = auth.post(
        "/auth/two-factor/disable",
        {"password": account.password, "code": totp_code(secret, clock.now)},
    )
    assert done.headers["Location"] == "/auth/account"
    assert not two_factor.is_enrolled(stored(app, account))
    with app.app_context():
        assert db.session.scalar(select(func.count(RecoveryCode.id))) == 0
    auth.logout()
    assert auth.login(account).headers["Location"] == "/"


def test_it_cannot_be_turned_off_where_it_is_required(
    app: Flask, make_user: Callable[..., Account], clock: Clock
) -> None:
    account, secret, _codes = enrolled_account(app, make_user, clock, two_factor_required=True)
    client = app.test_client()
    auth = AuthActions(client)
    auth.login_with_code(account, totp_code(secret, clock.now))
    clock.advance(seconds=30)
    response = auth.post(
        "/auth/two-factor/disable",
        {"password": account.password, "code": totp_code(secret, clock.now)},
    )
    assert response.status_code == 403
    assert "cannot be turned off" in response.get_data(as_text=True)
    assert two_factor.is_enrolled(stored(app, account))


def test_confirming_identity_asks_for_a_code_when_enrolled(
    app: Flask, make_user: Callable[..., Account], clock: Clock
) -> None:
    account, secret, _codes = enrolled_account(app, make_user, clock)
    client = app.test_client()
    auth = AuthActions(client)
    auth.login_with_code(account, totp_code(secret, clock.now))
    clock.advance(minutes=6)
    without_code = auth.post("/auth/confirm", {"password": account.password})
    assert without_code.status_code == 422
    assert "Enter the code your app shows now" in without_code.get_data(as_text=True)
    with_code = auth.post(
        "/auth/confirm", {"password": account.password, "code": totp_code(secret, clock.now)}
    )
    assert with_code.status_code == 302


def test_admin_removes_a_lost_phones_second_factor(
    app: Flask, make_user: Callable[..., Account], admin: Account, clock: Clock
) -> None:
    account, secret, _codes = enrolled_account(app, make_user, clock)
    signed_in = app.test_client()
    assert (
        AuthActions(signed_in).login_with_code(account, totp_code(secret, clock.now)).status_code
        == 302
    )
    assert signed_in.get("/").status_code == 200
    chief = AuthActions(app.test_client())
    chief.login(admin)

    response = chief.post(f"/admin/users/{account.id}/two-factor/reset")

    assert response.status_code == 302
    page = chief.client.get(f"/admin/users/{account.id}").get_data(as_text=True)
    assert "Not set up" in page
    assert signed_in.get("/").status_code == 302  # the old session is over
    assert stored(app, account).totp_secret_encrypted == ""
    # The password alone signs in again; the lost phone's codes are worth nothing.
    assert AuthActions(app.test_client()).login(account).headers["Location"] == "/"
    with app.app_context():
        actions = db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.object_id == account.id)
        ).all()
    assert "user.two_factor_reset" in actions
    again = chief.post(f"/admin/users/{account.id}/two-factor/reset")
    assert "has no second factor set up" in chief.client.get(again.headers["Location"]).get_data(
        as_text=True
    )
