"""Who may open what: every route, every role, and anonymous users.

The test walks ``app.url_map``: a route (and method) without a row here
fails the suite, so a new page cannot ship without a decision on who may
use it. POSTs carry a valid CSRF token and minimal data, so what is tested
is the access rule, not the token check.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support import Account, AuthActions
from visits.models import Role

ROLES = ("anonymous", "monitor", "supervisor", "admin")
ANYONE_SIGNED_IN = {"anonymous": 302, "monitor": 200, "supervisor": 200, "admin": 200}
ADMIN_ONLY = {"anonymous": 302, "monitor": 403, "supervisor": 403, "admin": 200}
ADMIN_ACTION = {"anonymous": 302, "monitor": 403, "supervisor": 403, "admin": 302}
EVERYONE = dict.fromkeys(ROLES, 200)

# (endpoint, method) -> (request data or None, expected status per role)
EXPECTED: dict[tuple[str, str], tuple[dict[str, Any] | None, dict[str, int]]] = {
    ("static", "GET"): (None, EVERYONE),
    ("bootstrap.static", "GET"): (None, EVERYONE),
    ("main.healthz", "GET"): (None, EVERYONE),
    ("main.dashboard", "GET"): (None, ANYONE_SIGNED_IN),
    ("main.set_language", "POST"): ({"locale": "ru"}, dict.fromkeys(ROLES, 302)),
    ("auth.login", "GET"): (
        None,
        {"anonymous": 200, "monitor": 302, "supervisor": 302, "admin": 302},
    ),
    ("auth.login", "POST"): (
        {"email": "", "password": ""},
        {"anonymous": 422, "monitor": 302, "supervisor": 302, "admin": 302},
    ),
    ("auth.logout", "POST"): ({}, dict.fromkeys(ROLES, 302)),
    ("auth.change_password", "GET"): (None, ANYONE_SIGNED_IN),
    ("auth.change_password", "POST"): (
        {"current_password": ""},
        {"anonymous": 302, "monitor": 422, "supervisor": 422, "admin": 422},
    ),
    ("admin.users", "GET"): (None, ADMIN_ONLY),
    ("admin.new_user", "GET"): (None, ADMIN_ONLY),
    ("admin.new_user", "POST"): (
        {"email": ""},
        {"anonymous": 302, "monitor": 403, "supervisor": 403, "admin": 422},
    ),
    ("admin.deactivate_user", "POST"): ({}, ADMIN_ACTION),
    ("admin.reactivate_user", "POST"): ({}, ADMIN_ACTION),
    ("admin.reset_password", "POST"): ({}, ADMIN_ONLY),
}


def route_methods(app: Flask) -> list[tuple[str, str, str]]:
    """Every (endpoint, method, rule) the app answers, HEAD and OPTIONS aside."""
    found = []
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, rule.rule))
    return found


def url_for_rule(app: Flask, endpoint: str, target: Account) -> str:
    """Build a URL for the endpoint with sample values for its arguments."""
    filename = "css/bootstrap.min.css" if endpoint == "bootstrap.static" else "css/app.css"
    samples = {"user_id": target.id, "filename": filename}
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    values = {name: samples[name] for name in rule.arguments}
    with app.test_request_context():
        from flask import url_for

        return url_for(endpoint, **values)


def test_every_route_has_an_expectation(app: Flask) -> None:
    routes = {(endpoint, method) for endpoint, method, _ in route_methods(app)}
    missing = sorted(routes - EXPECTED.keys())
    stale = sorted(EXPECTED.keys() - routes)
    assert not missing, f"routes without an access expectation: {missing}"
    assert not stale, f"expectations for routes that no longer exist: {stale}"


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(
    app: Flask,
    role: str,
    make_user: Callable[..., Account],
    client_as: Callable[[Account | None], FlaskClient],
) -> None:
    # The object routes act on another account, never the requester's own.
    target = make_user(Role.MONITOR, email="target@test.example")
    account = None if role == "anonymous" else make_user(Role(role))
    failures = []
    for endpoint, method, _rule in route_methods(app):
        data, expected_by_role = EXPECTED[(endpoint, method)]
        client = client_as(account)
        url = url_for_rule(app, endpoint, target)
        if method == "GET":
            response = client.get(url)
        else:
            token = AuthActions(client).csrf_token()
            response = client.open(url, method=method, data={"csrf_token": token, **(data or {})})
        if response.status_code != expected_by_role[role]:
            failures.append(
                f"{role} {method} {url}: {response.status_code}, expected {expected_by_role[role]}"
            )
        if role == "anonymous" and response.status_code == 302 and endpoint.startswith("admin."):
            assert "/auth/login" in response.headers["Location"]
    assert not failures, "\n".join(failures)
