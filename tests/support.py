"""Test helpers shared by the suite: accounts and the sign-in actions."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pyotp
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, text
from werkzeug.test import TestResponse

from visits.extensions import db
from visits.models import Role
from visits.web.once import new_token

T = TypeVar("T")

PASSWORD = "correct horse battery staple"
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


@dataclass(frozen=True)
class Account:
    id: int
    email: str
    password: str
    role: Role
    display_name: str


def csrf_token_from(response: TestResponse) -> str:
    match = CSRF_META.search(response.get_data(as_text=True))
    assert match, "the page carries no CSRF token"
    return match.group(1)


class AuthActions:
    """Sign in and out through the real forms, CSRF tokens included."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def csrf_token(self) -> str:
        return csrf_token_from(self.client.get("/auth/login", follow_redirects=True))

    def post(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> TestResponse:
        """POST a form with a valid CSRF token, as a form just shown (a new one-time token:
        a create form sent without one saves nothing, ``visits.web.once``)."""
        return self.client.post(
            url,
            data={"csrf_token": self.csrf_token(), "form_token": new_token(), **(data or {})},
            **kwargs,
        )

    def login(
        self, account: Account | str, password: str | None = None, remember: bool = False
    ) -> TestResponse:
        email = account if isinstance(account, str) else account.email
        if password is None:
            password = PASSWORD if isinstance(account, str) else account.password
        data = {"email": email, "password": password}
        if remember:
            data["remember"] = "y"
        return self.post("/auth/login", data)

    def logout(self) -> TestResponse:
        return self.post("/auth/logout")

    def login_with_code(
        self, account: Account, code: str, remember: bool = False, next_url: str | None = None
    ) -> TestResponse:
        """Sign in to an account with two-step sign-in: the password, then ``code``."""
        query = f"?next={next_url}" if next_url else ""
        first = self.post(
            f"/auth/login{query}",
            {"email": account.email, "password": account.password}
            | ({"remember": "y"} if remember else {}),
        )
        assert first.status_code == 302, first.get_data(as_text=True)
        assert first.headers["Location"].startswith("/auth/two-factor"), first.headers["Location"]
        return self.post(first.headers["Location"], {"code": code})


class Clock:
    """A clock the tests move by hand, in place of ``visits.models.base.utcnow``.

    Use it through ``monkeypatch.setattr("visits.models.base.utcnow", clock)``:
    the sessions, the throttle and the second factor read the time there.
    """

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def totp_code(secret: str, moment: datetime) -> str:
    """The code an authenticator app holding ``secret`` shows at ``moment``."""
    return pyotp.TOTP(secret).at(moment)


def empty_database(app: Flask) -> None:
    """Delete every row of every table (children first), the audit trail included.

    The audit trail's triggers refuse deletions, as they must in production:
    here they are set aside for the cleanup only (PostgreSQL: replica mode
    for this transaction; SQLite: dropped and created again).
    """
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            triggers: list[Any] = []
            if connection.dialect.name == "postgresql":
                connection.execute(text("SET LOCAL session_replication_role = replica"))
            else:
                triggers = connection.execute(
                    text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
                ).all()
                for name, _sql in triggers:
                    connection.execute(text(f'DROP TRIGGER "{name}"'))
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())
            for _name, sql in triggers:
                connection.execute(text(sql))
            connection.execute(
                text("INSERT INTO audit_head (id, last_id, last_hash) VALUES (1, 0, :zero)"),
                {"zero": "0" * 64},
            )


@contextmanager
def counting_queries(app: Flask) -> Iterator[list[str]]:
    """The SQL statements run inside the block (for queries-per-page tests).

    Make the requests inside the block with a test client, not inside an
    app context of the test's own: a request must get a fresh one.
    """
    statements: list[str] = []

    def record(*args: object) -> None:
        statements.append(str(args[2]))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def in_parallel(calls: list[Callable[[], T]]) -> list[T]:
    """Run every call at once, each in its own thread, released together by a barrier.

    Each call should make its request with a test client of its own, so that
    each request gets its own app context, database session and connection:
    what the app sees is what parallel requests from several browsers make it see.
    """
    barrier = threading.Barrier(len(calls))

    def released(call: Callable[[], T]) -> T:
        barrier.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(released, call) for call in calls]
        return [future.result() for future in futures]
