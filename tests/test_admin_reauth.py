"""Every change to accounts, teams and access asks for the password again after a while.

The walk takes the routes from ``app.url_map``: a change added later to the
administration or the approvals is covered without anyone remembering it.
"""

from __future__ import annotations

import pytest
from flask import Flask

from tests.support import AuthActions, Clock
from tests.test_access_matrix import route_methods
from tests.test_sweeps import (
    changed_between,
    form_data,
    fresh_scene,
    signed_in,
    snapshot,
    url_for_route,
)

# Who makes the changes of each blueprint.
BLUEPRINTS = {"admin": "admin", "approvals": "supervisor"}
# Form views that serve their form only once the password was given again.
GUARDED_FORMS = ("admin.new_user", "admin.new_team", "approvals.refuse")


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr("visits.models.base.utcnow", clock)
    return clock


def changes(app: Flask) -> list[str]:
    return [
        endpoint
        for endpoint, method in route_methods(app)
        if method == "POST" and endpoint.split(".")[0] in BLUEPRINTS
    ]


def test_every_change_to_accounts_and_access_asks_for_the_password_again(
    app: Flask, clock: Clock
) -> None:
    endpoints = changes(app)
    assert len(endpoints) >= 16
    refused = []
    for endpoint in endpoints:
        scene = fresh_scene(app)
        browser = signed_in(app, BLUEPRINTS[endpoint.split(".")[0]])
        clock.advance(minutes=6)
        before = snapshot(app)
        url = url_for_route(app, endpoint, scene.values)

        response = AuthActions(browser).post(
            url, form_data(endpoint, "POST"), headers={"Referer": f"http://localhost{url}"}
        )

        if (
            response.status_code == 403
            and "Confirm it is you" in response.get_data(as_text=True)
            and not changed_between(before, snapshot(app))
        ):
            refused.append(endpoint)
    assert refused == endpoints


@pytest.mark.parametrize("endpoint", GUARDED_FORMS)
def test_their_forms_ask_for_the_password_before_showing(
    app: Flask, clock: Clock, endpoint: str
) -> None:
    scene = fresh_scene(app)
    browser = signed_in(app, BLUEPRINTS[endpoint.split(".")[0]])
    clock.advance(minutes=6)
    url = url_for_route(app, endpoint, scene.values)

    response = browser.get(url)

    assert response.status_code == 302
    assert response.headers["Location"] == f"/auth/confirm?next={url}"
