"""Guessing an id gets nobody into another team's interviews, findings or files.

Every request below is one a user could make by editing a URL or a form:
the world's objects belong to the ``monitor``'s team. Outside it (another
team's monitor, an administrator) they do not exist: 404, and nothing
changes, even with a complete, valid form.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.factories import World, build_world
from tests.support import Account, AuthActions
from visits.extensions import db
from visits.models import Finding, Interview, ReviewState

VALID_INTERVIEW = {
    "kind": "individual",
    "people_count": "1",
    "consent_scope": "anonymous",
    "consent_date": "2020-01-01",
    "notes": "Overwritten by an intruder",
    "version": "1",
}
VALID_FINDING = {
    "area": "treatment",
    "source_type": "observation",
    "severity": "low",
    "confidentiality": "public",
    "title": "Overwritten by an intruder",
    "text": "Overwritten by an intruder",
    "version": "1",
}


def requests_for(world: World) -> list[tuple[str, str, dict[str, Any] | None]]:
    """Every way to reach the world's interview, finding and attachment."""
    interview, finding, attachment = world.interview_id, world.finding_id, world.attachment_id
    return [
        ("GET", f"/interviews/{interview}", None),
        ("GET", f"/interviews/{interview}/edit", None),
        ("POST", f"/interviews/{interview}/edit", VALID_INTERVIEW),
        ("POST", f"/interviews/{interview}/withdraw-consent", {"confirm": "y"}),
        ("GET", f"/findings/{finding}", None),
        ("GET", f"/findings/{finding}/edit", None),
        ("POST", f"/findings/{finding}/edit", VALID_FINDING),
        ("POST", f"/findings/{finding}/submit", {}),
        ("POST", f"/findings/{finding}/review", {"decision": "accept"}),
        ("GET", f"/attachments/{attachment}", None),
        ("GET", f"/attachments/{attachment}?inline=1", None),
    ]


def make_request(client: FlaskClient, method: str, url: str, data: dict[str, Any] | None) -> Any:
    if method == "GET":
        return client.get(url)
    return AuthActions(client).post(url, data)


def snapshot(app: Flask, world: World) -> tuple[Any, ...]:
    with app.app_context():
        interview = db.session.get(Interview, world.interview_id)
        finding = db.session.get(Finding, world.finding_id)
        assert interview is not None
        assert finding is not None
        return (
            interview.notes,
            interview.version,
            interview.consent_withdrawn_on,
            finding.title,
            finding.version,
            finding.review_state,
        )


@pytest.fixture
def world(app: Flask, monitor: Account) -> World:
    return build_world(app, team_member_id=monitor.id)


@pytest.mark.parametrize("intruder", ["outsider", "admin"])
def test_other_teams_and_administrators_find_nothing(
    app: Flask,
    world: World,
    client_as: Callable[[Account | None], FlaskClient],
    intruder: str,
    request: pytest.FixtureRequest,
) -> None:
    client = client_as(request.getfixturevalue(intruder))
    before = snapshot(app, world)

    answers = {
        f"{method} {url}": make_request(client, method, url, data)
        for method, url, data in requests_for(world)
    }

    assert {key: response.status_code for key, response in answers.items()} == {
        key: 404 for key in answers
    }
    for response in answers.values():
        page = response.get_data(as_text=True)
        assert "Real Name Of Detainee" not in page
        assert "Confidential finding text" not in page
        assert response.mimetype == "text/html"
    assert snapshot(app, world) == before


def test_anonymous_visitors_are_sent_to_sign_in(
    app: Flask, world: World, client: FlaskClient
) -> None:
    before = snapshot(app, world)
    for method, url, data in requests_for(world):
        response = client.get(url) if method == "GET" else client.post(url, data=data)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/auth/login"), url
    assert snapshot(app, world) == before


ALLOWED = {
    "monitor": [200, 200, 302, 302, 200, 200, 302, 302, 403, 200, 200],
    "supervisor": [200, 200, 302, 302, 200, 200, 302, 302, 302, 200, 200],
}


def prepare(app: Flask, world: World, url: str, data: dict[str, Any] | None) -> Any:
    """Put the finding in the state the request needs; send the current versions."""
    with app.app_context():
        finding = db.session.get(Finding, world.finding_id)
        interview = db.session.get(Interview, world.interview_id)
        assert finding is not None
        assert interview is not None
        wanted = ReviewState.SUBMITTED if url.endswith("/review") else ReviewState.DRAFT
        if finding.review_state is not wanted:
            finding.review_state = wanted
            db.session.commit()
        if data is None or "version" not in data:
            return data
        record = interview if url.startswith("/interviews/") else finding
        return {**data, "version": str(record.version)}


@pytest.mark.parametrize("role", ["monitor", "supervisor"])
def test_the_team_and_supervisors_reach_every_object(
    app: Flask,
    world: World,
    client_as: Callable[[Account | None], FlaskClient],
    role: str,
    request: pytest.FixtureRequest,
) -> None:
    client = client_as(request.getfixturevalue(role))

    statuses = [
        make_request(client, method, url, prepare(app, world, url, data)).status_code
        for method, url, data in requests_for(world)
    ]

    assert statuses == ALLOWED[role]


def test_finding_posted_to_another_teams_visit_is_refused(
    app: Flask,
    world: World,
    client_as: Callable[[Account | None], FlaskClient],
    outsider: Account,
) -> None:
    intruder = AuthActions(client_as(outsider))
    with app.app_context():
        findings_before = db.session.scalar(select(func.count(Finding.id)))
        interviews_before = db.session.scalar(select(func.count(Interview.id)))

    finding = intruder.post(f"/visits/{world.visit_id}/findings/new", VALID_FINDING)
    interview = intruder.post(f"/visits/{world.visit_id}/interviews/new", VALID_INTERVIEW)
    form = intruder.client.get(f"/visits/{world.next_visit_id}/findings/new")

    assert finding.status_code == 403
    assert interview.status_code == 403
    assert form.status_code == 403
    with app.app_context():
        assert db.session.scalar(select(func.count(Finding.id))) == findings_before
        assert db.session.scalar(select(func.count(Interview.id))) == interviews_before
