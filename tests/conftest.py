"""Fixtures: one app per test session, a clean database per test, users per role.

The database is SQLite in a temporary folder, or the PostgreSQL database in
``TEST_DATABASE_URL``. Its schema is built by running the migrations, so that
every test run also proves they work.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import MetaData, create_engine

from tests.support import PASSWORD, Account, AuthActions, empty_database
from visits import create_app
from visits.admin import services as accounts
from visits.extensions import db
from visits.models import Role


def test_database_url(tmp_dir: Path) -> str:
    url = os.environ.get("TEST_DATABASE_URL", "").strip()
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url or f"sqlite:///{tmp_dir / 'test.sqlite3'}"


def drop_everything(url: str) -> None:
    """Start from an empty database, whatever an earlier run left behind."""
    engine = create_engine(url)
    metadata = MetaData()
    metadata.reflect(engine)
    metadata.drop_all(engine)
    engine.dispose()


def app_config(instance: Path, url: str, **overrides: Any) -> dict[str, Any]:
    return {
        "TESTING": True,
        "APP_ENV": "testing",
        "PRODUCTION": False,
        "INSTANCE_PATH": str(instance),
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": url,
        "PREFERRED_URL_SCHEME": "http",
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        # Cheap hashes keep the suite fast; production uses RFC 9106 values.
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 8,
        "ARGON2_PARALLELISM": 1,
        "LOGIN_RATE_LIMIT": "10000 per minute",
        "BABEL_DEFAULT_LOCALE": "en",
        **overrides,
    }


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = test_database_url(tmp_path_factory.mktemp("db"))
    drop_everything(url)
    return url


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory, database_url: str) -> Iterator[Flask]:
    application = create_app(app_config(tmp_path_factory.mktemp("instance"), database_url))
    with application.app_context():
        upgrade()
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_database(request: pytest.FixtureRequest) -> Iterator[None]:
    """Empty every table after each test that used the app."""
    yield
    if "app" not in request.fixturenames:
        return
    empty_database(request.getfixturevalue("app"))


@pytest.fixture
def make_user(app: Flask) -> Callable[..., Account]:
    """Create an account and return its plain details (no ORM object leaks out)."""
    counter = iter(range(1, 10_000))

    def make(
        role: Role | str = Role.MONITOR,
        email: str | None = None,
        password: str = PASSWORD,
        name: str | None = None,
        **attributes: Any,
    ) -> Account:
        role = Role(role)
        email = email or f"{role.value}{next(counter)}@test.example"
        with app.app_context():
            user, _ = accounts.create_user(
                email, name or f"Test {role.value.title()}", role, password=password
            )
            for key, value in attributes.items():
                setattr(user, key, value)
            db.session.commit()
            return Account(user.id, user.email, password, user.role, user.display_name)

    return make


@pytest.fixture
def monitor(make_user: Callable[..., Account]) -> Account:
    return make_user(Role.MONITOR, email="monitor@test.example", name="Mira Monitor")


@pytest.fixture
def outsider(make_user: Callable[..., Account]) -> Account:
    """A monitor of another team: refused wherever team membership matters."""
    return make_user(Role.MONITOR, email="outsider@test.example", name="Oskon Outsider")


@pytest.fixture
def supervisor(make_user: Callable[..., Account]) -> Account:
    return make_user(Role.SUPERVISOR, email="supervisor@test.example", name="Sara Supervisor")


@pytest.fixture
def admin(make_user: Callable[..., Account]) -> Account:
    return make_user(Role.ADMIN, email="admin@test.example", name="Adil Admin")


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def client_as(app: Flask) -> Callable[[Account | None], FlaskClient]:
    """A new test client, signed in as ``account`` (or anonymous for None)."""

    def make(account: Account | None) -> FlaskClient:
        new_client = app.test_client()
        if account is not None:
            response = AuthActions(new_client).login(account)
            assert response.status_code == 302, response.get_data(as_text=True)
        return new_client

    return make
