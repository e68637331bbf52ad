"""Who may open what: every route, every role, and anonymous users.

The test walks ``app.url_map``: a route (and method) without a row in
``tests/access_rows/`` fails the suite, so a new page cannot ship without a
decision on who may use it. Every request runs against a fresh world
(``tests.factories.build_world``), so one route's POST cannot change what the
next one sees. POSTs carry a valid CSRF token: what is tested is the access
rule, not the token check.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import pytest
from flask import Flask, url_for
from werkzeug.test import TestResponse

import tests.access_rows
from tests.access_rows import ROLES, Row
from tests.factories import build_world
from tests.support import AuthActions, empty_database
from visits.admin import services as accounts
from visits.extensions import db
from visits.models import Role

PASSWORD = "access matrix passphrase"
ACCOUNT_ROLES = {
    "monitor": Role.MONITOR,
    "outsider": Role.MONITOR,
    "supervisor": Role.SUPERVISOR,
    "admin": Role.ADMIN,
    "target": Role.MONITOR,
}


def all_rows() -> dict[tuple[str, str], Row]:
    rows: dict[tuple[str, str], Row] = {}
    for module_info in pkgutil.iter_modules(tests.access_rows.__path__):
        module = importlib.import_module(f"tests.access_rows.{module_info.name}")
        for key, row in module.ROWS.items():
            assert key not in rows, f"{key} has two rows"
            rows[key] = row
    return rows


EXPECTED = all_rows()


def route_methods(app: Flask) -> list[tuple[str, str]]:
    """Every (endpoint, method) the app answers, HEAD and OPTIONS aside."""
    return sorted(
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    )


def sample_url(app: Flask, endpoint: str, values: dict[str, Any]) -> str:
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    missing = rule.arguments - values.keys()
    assert not missing, f"no sample value for {sorted(missing)} in {rule.rule}"
    arguments = {name: values[name] for name in rule.arguments}
    with app.test_request_context():
        return url_for(endpoint, **arguments)


def request_as(app: Flask, role: str, endpoint: str, method: str, data: Any) -> TestResponse:
    """Build a fresh world, sign in as ``role`` and make one request."""
    empty_database(app)
    with app.app_context():
        ids = {
            name: accounts.create_user(
                f"{name}@matrix.example", name.title(), role_, None, PASSWORD
            )[0].id
            for name, role_ in ACCOUNT_ROLES.items()
        }
        db.session.commit()
    world = build_world(app, team_member_id=ids["monitor"])
    values = {**world.url_values(), "user_id": ids["target"]}
    if endpoint == "bootstrap.static":
        values["filename"] = "css/bootstrap.min.css"
    else:
        values["filename"] = "css/app.css"
    client = app.test_client()
    auth = AuthActions(client)
    if role != "anonymous":
        assert auth.login(f"{role}@matrix.example", PASSWORD).status_code == 302
    url = sample_url(app, endpoint, values)
    if method == "GET":
        return client.get(url)
    return client.open(url, method=method, data={"csrf_token": auth.csrf_token(), **(data or {})})


def test_every_route_has_an_expectation(app: Flask) -> None:
    routes = set(route_methods(app))
    missing = sorted(routes - EXPECTED.keys())
    stale = sorted(EXPECTED.keys() - routes)
    assert not missing, f"routes without an access expectation: {missing}"
    assert not stale, f"expectations for routes that no longer exist: {stale}"
    for key, (_data, by_role) in EXPECTED.items():
        assert set(by_role) == set(ROLES), f"{key} does not name every role"


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(app: Flask, role: str) -> None:
    failures = []
    for endpoint, method in route_methods(app):
        data, expected = EXPECTED[(endpoint, method)]
        response = request_as(app, role, endpoint, method, data)
        if response.status_code != expected[role]:
            failures.append(
                f"{role} {method} {endpoint}: {response.status_code}, expected {expected[role]}"
            )
        elif role == "anonymous" and response.status_code == 302 and method == "GET":
            location = response.headers["Location"]
            if endpoint != "auth.login":
                assert location.startswith("/auth/login"), (endpoint, location)
    assert not failures, "\n".join(failures)
