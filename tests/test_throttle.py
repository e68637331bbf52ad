"""The sign-in throttle (per email and address, per email) and the per-address limits."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import redis
from argon2 import PasswordHasher
from flask import Flask
from flask_babel import format_time
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from tests.conftest import app_config
from tests.support import Account, AuthActions, Clock, in_parallel, totp_code
from visits import create_app
from visits.auth import throttle, two_factor
from visits.config import from_environment
from visits.extensions import db
from visits.models import AuditEvent, SignInFailure, User

LOCAL_REDIS = "redis://127.0.0.1:6379/15"
CSRF_TOKENS = re.compile(r'(content|value)="[\w.-]{40,}"')
LOCKED = "No new attempt is accepted until"


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr("visits.models.base.utcnow", clock)
    return clock


@pytest.fixture
def argon2_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every argon2 verification the app runs, password or recovery code."""
    calls: list[str] = []
    original = PasswordHasher.verify

    def counting(self: PasswordHasher, stored: Any, password: Any) -> bool:
        calls.append("verify")
        return original(self, stored, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting)
    return calls


def visible_text(response: TestResponse, email: str) -> str:
    """The page as a person reads it: tokens aside, and the email they typed blanked."""
    page = CSRF_TOKENS.sub("", response.get_data(as_text=True))
    return page.replace(email, "EMAIL")


def fail(auth: AuthActions, account: Account, times: int) -> None:
    for _ in range(times):
        response = auth.login(account.email, "a wrong password")
        assert response.status_code == 422
        assert "Wrong email or password." in response.get_data(as_text=True)


# --- Per account ---------------------------------------------------------------


def test_sixth_attempt_is_refused_without_hashing(
    app: Flask, auth: AuthActions, monitor: Account, clock: Clock, argon2_calls: list[str]
) -> None:
    fail(auth, monitor, 5)
    assert len(argon2_calls) == 5
    argon2_calls.clear()

    # Even the right password: the account is locked for 15 minutes.
    response = auth.login(monitor)

    assert argon2_calls == []  # guards the locked_until check before verify_password
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    with app.test_request_context():
        retry_at = format_time(clock.now + timedelta(minutes=15), "short")
    assert LOCKED in page
    assert retry_at in page
    assert auth.client.get("/").status_code == 302


def test_lock_ends_when_the_window_has_passed(
    auth: AuthActions, monitor: Account, clock: Clock
) -> None:
    fail(auth, monitor, 5)
    clock.advance(minutes=14)
    assert auth.login(monitor).status_code == 429
    clock.advance(minutes=1, seconds=1)
    assert auth.login(monitor).status_code == 302


def test_failures_spread_over_more_than_the_window_do_not_lock(
    auth: AuthActions, monitor: Account, clock: Clock
) -> None:
    fail(auth, monitor, 4)
    clock.advance(minutes=16)
    fail(auth, monitor, 4)
    assert auth.login(monitor).status_code == 302


def test_a_success_resets_the_count(auth: AuthActions, monitor: Account) -> None:
    fail(auth, monitor, 4)
    assert auth.login(monitor).status_code == 302
    auth.logout()
    fail(auth, monitor, 4)
    assert auth.login(monitor).status_code == 302


def test_the_limit_is_a_setting(
    app: Flask, auth: AuthActions, monitor: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "LOGIN_FAILURES_LIMIT", 2)
    fail(auth, monitor, 2)
    assert auth.login(monitor).status_code == 429


def test_unknown_email_answers_like_a_wrong_password(
    auth: AuthActions, monitor: Account, argon2_calls: list[str]
) -> None:
    wrong = auth.login(monitor.email, "a wrong password")
    calls_for_wrong_password = len(argon2_calls)
    argon2_calls.clear()
    unknown = auth.login("nobody@test.example", "a wrong password")
    assert len(argon2_calls) == calls_for_wrong_password == 1
    assert wrong.status_code == unknown.status_code == 422
    assert visible_text(wrong, monitor.email) == visible_text(unknown, "nobody@test.example")


def test_an_unknown_email_and_a_locked_account_get_the_same_answer(
    auth: AuthActions, monitor: Account, clock: Clock, argon2_calls: list[str]
) -> None:
    unknown = "nobody@test.example"
    fail(auth, monitor, 5)
    for _ in range(5):
        assert auth.login(unknown, "a wrong password").status_code == 422
    argon2_calls.clear()

    locked = auth.login(monitor)  # the right password, too late
    never_existed = auth.login(unknown, "a wrong password")

    assert locked.status_code == never_existed.status_code == 429
    assert LOCKED in locked.get_data(as_text=True)
    assert visible_text(locked, monitor.email) == visible_text(never_existed, unknown)
    assert argon2_calls == []


def test_no_email_is_stored_for_an_unknown_account(app: Flask, auth: AuthActions) -> None:
    auth.login("Nobody@Test.example ", "a wrong password")
    with app.test_request_context():
        expected = {
            throttle.address_key("nobody@test.example", "127.0.0.1"),
            throttle.email_key("nobody@test.example"),
        }
        stored = set(db.session.scalars(select(SignInFailure.key_hash)))
    assert stored == expected  # counted, under the normalised email
    bare = hashlib.sha256(b"nobody@test.example").hexdigest()
    assert bare not in stored  # keyed with the app's secret: not a bare hash of the email
    assert all("nobody" not in key for key in stored)


def test_wrong_codes_count_too(
    app: Flask, make_user: Callable[..., Account], clock: Clock, argon2_calls: list[str]
) -> None:
    account = make_user()
    with app.app_context():
        user = db.session.get(User, account.id)
        assert user is not None
        secret = two_factor.new_secret()
        two_factor.store_secret(user, secret)
        db.session.commit()
    auth = AuthActions(app.test_client())
    for _ in range(5):
        assert auth.login_with_code(account, "000000").status_code == 422

    argon2_calls.clear()
    refused = auth.login(account)
    assert refused.status_code == 429
    assert argon2_calls == []
    assert LOCKED in refused.get_data(as_text=True)


def test_a_locked_account_refuses_even_a_right_code(
    app: Flask, make_user: Callable[..., Account], clock: Clock
) -> None:
    account = make_user()
    with app.app_context():
        user = db.session.get(User, account.id)
        assert user is not None
        secret = two_factor.new_secret()
        two_factor.store_secret(user, secret)
        db.session.commit()
    client = app.test_client()
    auth = AuthActions(client)
    auth.post("/auth/login", {"email": account.email, "password": account.password})
    for _ in range(5):
        assert auth.post("/auth/two-factor", {"code": "000000"}).status_code == 422
    response = auth.post("/auth/two-factor", {"code": totp_code(secret, clock.now)})
    assert response.status_code == 429
    assert client.get("/").status_code == 302


def test_confirming_counts_on_the_same_throttle_as_signing_in(
    app: Flask, monitor: Account, argon2_calls: list[str]
) -> None:
    confirming = AuthActions(app.test_client())
    assert confirming.login(monitor).status_code == 302
    for _ in range(5):
        assert confirming.post("/auth/confirm", {"password": "wrong"}).status_code == 422
    argon2_calls.clear()

    response = AuthActions(app.test_client()).login(monitor)

    assert response.status_code == 429
    assert argon2_calls == []


def test_failures_and_the_lock_are_in_the_audit_trail(
    app: Flask, auth: AuthActions, monitor: Account
) -> None:
    fail(auth, monitor, 5)
    auth.login(monitor)
    with app.app_context():
        reasons = [
            event.details
            for event in db.session.scalars(
                select(AuditEvent)
                .where(AuditEvent.action == "auth.sign_in_failed")
                .order_by(AuditEvent.id)
            )
        ]
    assert len(reasons) == 6
    assert '"wrong_password"' in reasons[0]
    assert '"throttled"' in reasons[-1]


def test_counters_are_deleted_once_their_window_is_over(
    app: Flask, auth: AuthActions, monitor: Account, clock: Clock
) -> None:
    fail(auth, monitor, 2)
    clock.advance(minutes=59)
    auth.login("someone@test.example", "a wrong password")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SignInFailure)) == 4
    clock.advance(minutes=2)  # the longest window (60 minutes) is over for the first two
    auth.login("someone.else@test.example", "a wrong password")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SignInFailure)) == 4


# --- Parallel attempts ---------------------------------------------------------


def test_parallel_wrong_passwords_are_each_counted_and_the_sixth_is_not_hashed(
    app: Flask, monitor: Account, argon2_calls: list[str]
) -> None:
    attempts = []
    for _ in range(10):
        browser = AuthActions(app.test_client())
        form = {"csrf_token": browser.csrf_token(), "email": monitor.email, "password": "wrong"}
        attempts.append(partial(browser.client.post, "/auth/login", data=form))

    responses = in_parallel(attempts)

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [422] * 5 + [429] * 5
    assert len(argon2_calls) == 5  # the five over the limit were refused before hashing
    with app.test_request_context():
        counted = db.session.get(SignInFailure, throttle.address_key(monitor.email, "127.0.0.1"))
        assert counted is not None
        assert counted.failures == 10


# --- Per address ---------------------------------------------------------------


def browser_at(app: Flask, address: str) -> AuthActions:
    """A browser whose requests come from ``address``."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return AuthActions(client)


def test_a_guesser_at_one_address_does_not_lock_the_owner_out_from_another(
    app: Flask, monitor: Account
) -> None:
    guesser = browser_at(app, "10.0.0.1")
    statuses = [guesser.login(monitor.email, f"guess {n}").status_code for n in range(20)]
    assert statuses == [422] * 5 + [429] * 15
    assert guesser.login(monitor).status_code == 429  # locked out: from there

    owner = browser_at(app, "10.0.0.2")
    assert owner.login(monitor).status_code == 302


def test_the_global_limit_stops_a_guesser_spread_over_many_addresses(
    app: Flask, monitor: Account, clock: Clock
) -> None:
    limit = app.config["LOGIN_FAILURES_GLOBAL_LIMIT"]
    assert limit == 50
    for n in range(limit):
        response = browser_at(app, f"10.0.1.{n}").login(monitor.email, f"guess {n}")
        assert response.status_code == 422, n

    next_guess = browser_at(app, "10.0.2.1").login(monitor.email, "one more guess")
    # Locked for everyone, the owner too (the limit of this design), and told
    # so in the same words as a lock at one address.
    owner = browser_at(app, "10.0.9.9").login(monitor)
    for response in (next_guess, owner):
        assert response.status_code == 429
        assert LOCKED in response.get_data(as_text=True)
    with app.test_request_context():
        retry_at = format_time(clock.now + timedelta(minutes=60), "short")
    assert retry_at in owner.get_data(as_text=True)

    clock.advance(minutes=60, seconds=1)
    assert browser_at(app, "10.0.9.9").login(monitor).status_code == 302


def test_the_message_is_the_same_whichever_limit_refused(
    app: Flask, monitor: Account, monkeypatch: pytest.MonkeyPatch, clock: Clock
) -> None:
    monkeypatch.setitem(app.config, "LOGIN_FAILURES_WINDOW_MINUTES", 60)
    monkeypatch.setitem(app.config, "LOGIN_FAILURES_GLOBAL_LIMIT", 7)
    one_address = browser_at(app, "10.0.0.1")
    fail(one_address, monitor, 5)
    for n in range(2):
        assert browser_at(app, f"10.0.1.{n}").login(monitor.email, "guess").status_code == 422

    by_address = one_address.login(monitor.email, "guess")
    by_email = browser_at(app, "10.0.2.1").login(monitor.email, "guess")

    assert by_address.status_code == by_email.status_code == 429
    assert visible_text(by_address, monitor.email) == visible_text(by_email, monitor.email)


def test_signing_in_does_not_reset_a_spread_guessers_count(
    app: Flask, monitor: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "LOGIN_FAILURES_GLOBAL_LIMIT", 10)
    for n in range(8):
        assert browser_at(app, f"10.0.1.{n}").login(monitor.email, "guess").status_code == 422
    owner = browser_at(app, "10.0.9.9")
    fail(owner, monitor, 1)  # the owner's own typo is forgotten with their success
    assert owner.login(monitor).status_code == 302

    for n in range(2):
        assert browser_at(app, f"10.0.2.{n}").login(monitor.email, "guess").status_code == 422
    assert browser_at(app, "10.0.3.1").login(monitor.email, "guess").status_code == 429


def test_the_global_limit_is_a_setting() -> None:
    settings = from_environment(
        {
            "SECRET_KEY": "x",
            "LOGIN_FAILURES_GLOBAL_LIMIT": "30",
            "LOGIN_FAILURES_GLOBAL_WINDOW_MINUTES": "120",
        }
    )
    assert settings["LOGIN_FAILURES_GLOBAL_LIMIT"] == 30
    assert settings["LOGIN_FAILURES_GLOBAL_WINDOW_MINUTES"] == 120
    defaults = from_environment({"SECRET_KEY": "x"})
    assert defaults["LOGIN_FAILURES_GLOBAL_LIMIT"] == 50
    assert defaults["LOGIN_FAILURES_GLOBAL_WINDOW_MINUTES"] == 60


# --- Per address, requests (flask-limiter) --------------------------------------


def limited_app(tmp_path: Path, database_url: str, **overrides: Any) -> Flask:
    return create_app(
        {**app_config(tmp_path, database_url), "LOGIN_RATE_LIMIT": "3 per minute", **overrides}
    )


@pytest.fixture
def restore_limiter(tmp_path: Path, database_url: str) -> Iterator[None]:
    """The limiter is shared: give it back in-memory counters after the test."""
    yield
    create_app(app_config(tmp_path / "after", database_url))


def test_second_step_is_rate_limited_per_address(
    tmp_path: Path, database_url: str, restore_limiter: None
) -> None:
    app = limited_app(tmp_path, database_url)
    auth = AuthActions(app.test_client())
    statuses = [auth.post("/auth/two-factor", {"code": "000000"}).status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 429]


def test_confirmation_is_rate_limited_per_address(
    tmp_path: Path, database_url: str, monitor: Account, restore_limiter: None
) -> None:
    app = limited_app(tmp_path, database_url)
    auth = AuthActions(app.test_client())
    assert auth.login(monitor).status_code == 302
    statuses = [auth.post("/auth/confirm", {"password": "x"}).status_code for _ in range(4)]
    assert statuses == [422, 422, 422, 429]


def test_rate_limits_are_kept_in_redis_when_configured(
    tmp_path: Path, database_url: str, restore_limiter: None
) -> None:
    store = redis.Redis.from_url(LOCAL_REDIS, socket_connect_timeout=1)
    try:
        store.flushdb()
    except redis.exceptions.ConnectionError as error:
        message = f"no Redis at {LOCAL_REDIS}: {error}"
        if os.environ.get("CI") == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)

    settings = from_environment({"REDIS_URL": LOCAL_REDIS}, instance_dir=tmp_path)
    assert settings["RATELIMIT_STORAGE_URI"] == LOCAL_REDIS
    app = limited_app(
        tmp_path, database_url, RATELIMIT_STORAGE_URI=settings["RATELIMIT_STORAGE_URI"]
    )
    auth = AuthActions(app.test_client())
    statuses = [auth.login("x@test.example", "wrong").status_code for _ in range(4)]

    assert statuses == [422, 422, 422, 429]
    assert store.keys("*"), "the counters are in Redis database 15"
    # Another worker (or this one, restarted) on the same Redis sees the same count.
    other_worker = limited_app(tmp_path / "other", database_url, RATELIMIT_STORAGE_URI=LOCAL_REDIS)
    assert AuthActions(other_worker.test_client()).login("x@test.example", "wrong").status_code == (
        429
    )
    store.flushdb()
