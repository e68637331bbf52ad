"""Sweeps over every route of the app: CSRF, security headers, guessed ids (IDOR).

Each sweep walks ``app.url_map``, so a route added later is swept without
anyone remembering to add it here. URL arguments take the values of the
world (``tests.factories.World.url_values``); expectations of who may do
what come from the access matrix rows (``tests/access_rows``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, text
from werkzeug.test import TestResponse

from tests.factories import (
    World,
    build_world,
    make_attachment,
    make_finding,
    make_interview,
    make_place,
    make_visit,
)
from tests.support import AuthActions, csrf_token_from, empty_database
from tests.test_access_matrix import ACCOUNT_ROLES, EXPECTED, PASSWORD, route_methods, sample_url
from visits.admin import services as accounts
from visits.extensions import db
from visits.models import AuditEvent, Place

SIGNED_IN_ROLES = ("monitor", "outsider", "supervisor", "admin")
# Form views that send these users away before reading any form: nothing to forge.
SENT_AWAY_BEFORE_THE_FORM = {
    "auth.login": "a signed-in user goes to the dashboard",
    "auth.second_factor": "a signed-in user goes to the dashboard",
    "auth.two_factor_disable": "an account without a second factor goes to set one up",
}
STATIC_ENDPOINTS = frozenset({"static", "bootstrap.static"})

# The world's confidential strings (tests.factories): none may reach an intruder.
WORLD_SECRETS = (
    "Real Name Of Detainee",
    "Interview notes: beaten at arrest",
    "Beatings at arrest",
    "Confidential finding text about beatings",
    "No window",
    "Cell 3",
    "cell.png",
    "Confidential rationale about cell conditions",
    "Internal note of the NPM",
)

# Complete, valid forms: with them, only the protection under test stands
# between the request and a change.
VALID_DATA: dict[str, dict[str, Any]] = {
    "interviews.edit": {
        "kind": "individual",
        "people_count": "1",
        "consent_scope": "anonymous",
        "consent_date": "2020-01-01",
        "notes": "Overwritten by an intruder",
        "version": "1",
    },
    "interviews.new": {
        "kind": "individual",
        "people_count": "1",
        "consent_scope": "anonymous",
        "consent_date": "2020-01-01",
        "notes": "Planted by an intruder",
    },
    "findings.edit": {
        "area": "treatment",
        "source_type": "observation",
        "severity": "low",
        "confidentiality": "public",
        "title": "Overwritten by an intruder",
        "text": "Overwritten by an intruder",
        "version": "1",
    },
    "findings.new": {
        "area": "treatment",
        "source_type": "observation",
        "severity": "low",
        "confidentiality": "public",
        "title": "Planted by an intruder",
        "text": "Planted by an intruder",
    },
    "findings.review": {"decision": "accept"},
    "interviews.withdraw_consent": {"confirm": "y"},
    "interviews.delete": {"reason": "Intruder"},
    "findings.delete": {"reason": "Intruder"},
    "attachments.delete": {"reason": "Intruder"},
    "visits.delete": {"reason": "Intruder"},
    "visits.transition": {"target": "in_review", "comment": "Intruder"},
    "visits.record_reprisal_check": {"status": "no_signs", "note": "Intruder"},
    "main.set_language": {"locale": "ky"},
    "admin.change_role": {"role": "admin"},
    "admin.require_two_factor": {"required": "y"},
}


@dataclass(frozen=True)
class Scene:
    world: World
    account_ids: dict[str, int]
    values: dict[str, Any]


def fresh_scene(app: Flask) -> Scene:
    """An empty database, one account per role, and the world led by ``monitor``."""
    empty_database(app)
    with app.app_context():
        ids = {
            name: accounts.create_user(f"{name}@sweep.example", name.title(), role, None, PASSWORD)[
                0
            ].id
            for name, role in ACCOUNT_ROLES.items()
        }
        db.session.commit()
    world = build_world(app, team_member_id=ids["monitor"])
    values = {**world.url_values(), "user_id": ids["target"], "filename": "css/app.css"}
    return Scene(world, ids, values)


def signed_in(app: Flask, role: str | None) -> FlaskClient:
    client = app.test_client()
    if role is not None:
        assert AuthActions(client).login(f"{role}@sweep.example", PASSWORD).status_code == 302
    return client


def url_for_route(app: Flask, endpoint: str, values: dict[str, Any]) -> str:
    if endpoint == "bootstrap.static":
        values = {**values, "filename": "css/bootstrap.min.css"}
    return sample_url(app, endpoint, values)


def methods_of(app: Flask, method: str) -> list[str]:
    return [endpoint for endpoint, verb in route_methods(app) if verb == method]


def form_data(endpoint: str, method: str, valid: bool = True) -> dict[str, Any]:
    """A complete form where one is known (``valid``), else the access row's data."""
    if valid and endpoint in VALID_DATA:
        return dict(VALID_DATA[endpoint])
    data, _expected = EXPECTED[(endpoint, method)]
    return dict(data or {})


def is_form_view(app: Flask, endpoint: str) -> bool:
    return bool(getattr(app.view_functions[endpoint], "is_form_view", False))


def snapshot(app: Flask) -> dict[str, Any]:
    """Row counts of every table, and every row's last change where rows have one.

    The audit trail counts without its reads: a refused form may still show
    (and so record reading) the page it was on.
    """
    state: dict[str, Any] = {}
    with app.app_context():
        for table in db.metadata.sorted_tables:
            if table.name == "audit_events":
                state[table.name] = db.session.scalar(
                    select(func.count()).where(~AuditEvent.action.endswith(".read"))
                )
                continue
            if table.name == "audit_head":
                continue
            state[table.name] = db.session.scalar(select(func.count()).select_from(table))
            if "updated_at" in table.c:
                state[f"{table.name}.updated_at"] = db.session.execute(
                    select(table.c.id, table.c.updated_at).order_by(table.c.id)
                ).all()
        db.session.remove()
    return state


def changed_between(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return sorted(key for key in before if before[key] != after.get(key))


# --- CSRF -------------------------------------------------------------------------------


def forged_tokens(app: Flask) -> Iterator[tuple[str, dict[str, str]]]:
    """No token, a made-up token, and a valid token of another person's session."""
    yield "no token", {}
    yield "a wrong token", {"csrf_token": "IjBhZDk2ZjQ1In0.not-a-valid-token"}
    other = app.test_client()
    yield "another session's token", {"csrf_token": csrf_token_from(other.get("/auth/login"))}


def refused_as_it_should(app: Flask, endpoint: str, role: str, status: int) -> bool:
    """400; or, for a form view, the refusal that comes before its form is read."""
    if status == 400:
        return True
    if not is_form_view(app, endpoint):
        return False
    expected = EXPECTED[(endpoint, "POST")][1][role]
    if status != expected:
        return False
    if status in (403, 404, 409):  # access or state refused: the form is never read
        return True
    return status == 302 and endpoint in SENT_AWAY_BEFORE_THE_FORM


@pytest.mark.parametrize("role", SIGNED_IN_ROLES)
def test_csrf_sweep_every_post_without_a_valid_token_is_refused_and_changes_nothing(
    app: Flask, role: str
) -> None:
    scene = fresh_scene(app)
    client = signed_in(app, role)
    endpoints = methods_of(app, "POST")
    before = snapshot(app)
    failures = []
    requests = 0

    for endpoint in endpoints:
        url = url_for_route(app, endpoint, scene.values)
        for name, token in forged_tokens(app):
            response = client.post(url, data={**form_data(endpoint, "POST"), **token})
            requests += 1
            if not refused_as_it_should(app, endpoint, role, response.status_code):
                failures.append(f"{endpoint} with {name}: {response.status_code}")
            changed = changed_between(before, snapshot(app))
            if changed:
                failures.append(f"{endpoint} with {name} changed {changed}")
                before = snapshot(app)

    print(f"CSRF sweep as {role}: {len(endpoints)} POST routes, {requests} forged requests")
    assert not failures, "\n".join(failures)
    assert len(endpoints) > 40
    assert client.get("/").status_code == 200  # still signed in: sign-out was refused too


def test_csrf_sweep_would_see_a_change(app: Flask) -> None:
    """The snapshot notices what a forged request could change (the sweep is not blind)."""
    scene = fresh_scene(app)
    client = signed_in(app, "monitor")
    auth = AuthActions(client)
    before = snapshot(app)

    auth.post(
        f"/findings/{scene.world.finding_id}/edit",
        {**VALID_DATA["findings.edit"], "title": "Changed with a valid token"},
    )

    assert "findings.updated_at" in changed_between(before, snapshot(app))


# --- Security headers -------------------------------------------------------------------


def header_problems(endpoint: str, response: TestResponse) -> list[str]:
    headers = response.headers
    policy = headers.get("Content-Security-Policy", "")
    problems = []
    if not policy:
        problems.append("no Content-Security-Policy")
    if "'unsafe-inline'" in policy:
        problems.append("CSP allows 'unsafe-inline'")
    if "frame-ancestors 'none'" not in policy:
        problems.append("CSP lacks frame-ancestors 'none'")
    if headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    if headers.get("Referrer-Policy") != "same-origin":
        problems.append("Referrer-Policy is not same-origin")
    cache = headers.get("Cache-Control", "")
    if endpoint in STATIC_ENDPOINTS:
        if "no-store" in cache:
            problems.append("static file not cacheable")
    elif "no-store" not in cache:
        problems.append(f"Cache-Control is {cache!r}, not no-store")
    return problems


@pytest.mark.parametrize("role", ["anonymous", *SIGNED_IN_ROLES])
def test_headers_sweep_every_get_route_carries_the_security_headers(app: Flask, role: str) -> None:
    scene = fresh_scene(app)
    client = signed_in(app, None if role == "anonymous" else role)
    endpoints = methods_of(app, "GET")
    failures = []
    statuses: dict[int, int] = {}

    for endpoint in endpoints:
        url = url_for_route(app, endpoint, scene.values)
        response = client.get(url)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        failures += [
            f"{endpoint} ({url}): {problem}" for problem in header_problems(endpoint, response)
        ]
    missing = client.get("/no-such-page")
    failures += [f"404 page: {problem}" for problem in header_problems("none", missing)]

    print(
        f"Headers sweep as {role}: {len(endpoints)} GET routes, statuses {sorted(statuses.items())}"
    )
    assert not failures, "\n".join(failures)


# --- Guessed ids (IDOR) -----------------------------------------------------------------

# Arguments naming visit content: whoever is not on the visit's team (or a
# supervisor) never gets it, whatever the route.
CONTENT_ARGUMENTS = frozenset(
    {"interview_id", "finding_id", "attachment_id", "check_id", "recommendation_id"}
)


def object_arguments(app: Flask, endpoint: str) -> set[str]:
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    return {name for name in rule.arguments if name.endswith("_id")}


def own_visit_of(app: Flask, scene: Scene) -> int:
    """A visit the outsider leads, at another place, with content of its own."""
    outsider = scene.account_ids["outsider"]
    with app.app_context():
        place = db.session.get(Place, scene.world.place_id)
        assert place is not None
        other_place = make_place(
            place.region, place.place_type, place.authority, name="Outsider's place"
        )
        visit = make_visit(other_place, outsider)
        make_interview(visit, outsider, real_name="Outsider's own")
        make_finding(visit, outsider, title="Outsider's finding")
        make_attachment(app, visit, outsider)
        db.session.commit()
        return visit.id


def content_snapshot(app: Flask) -> list[Any]:
    """The world's visit content, as stored."""
    with app.app_context():
        rows = [
            db.session.execute(text(f"SELECT * FROM {table} ORDER BY 1")).all()  # noqa: S608
            for table in (
                "visits",
                "visit_members",
                "interviews",
                "findings",
                "finding_interviews",
                "attachments",
                "reprisal_checks",
                "checklist_answers",
            )
        ]
        db.session.remove()
        return rows


def idor_request(app: Flask, role: str, endpoint: str, method: str, own: bool) -> TestResponse:
    """One request on a fresh world, as ``role``, with the world's (or mixed) ids."""
    scene = fresh_scene(app)
    values = dict(scene.values)
    if own:
        values["visit_id"] = own_visit_of(app, scene)
    client = signed_in(app, role)
    url = url_for_route(app, endpoint, values)
    before = content_snapshot(app)
    if method == "GET":
        response = client.get(url)
    else:
        token = csrf_token_from(client.get("/auth/login", follow_redirects=True))
        # A complete form where the request must be refused; else the access row's
        # data, whose answer the access matrix knows.
        refused = EXPECTED[(endpoint, method)][1][role] in (403, 404)
        data = form_data(endpoint, method, valid=refused)
        response = client.post(url, data={**data, "csrf_token": token})
    assert content_snapshot(app) == before, f"{role} {method} {endpoint} changed content"
    return response


def test_idor_sweep_no_object_route_yields_another_teams_content(app: Flask) -> None:
    routes = sorted(
        (endpoint, method)
        for endpoint, method in route_methods(app)
        if object_arguments(app, endpoint)
    )
    failures = []
    requests = 0

    for endpoint, method in routes:
        arguments = object_arguments(app, endpoint)
        expected = EXPECTED[(endpoint, method)][1]
        for role in ("outsider", "admin"):
            response = idor_request(app, role, endpoint, method, own=False)
            requests += 1
            status = response.status_code
            body = response.get_data().decode("utf-8", "replace")
            if status != expected[role]:
                failures.append(
                    f"{role} {method} {endpoint}: {status}, policy says {expected[role]}"
                )
            if arguments & CONTENT_ARGUMENTS and status not in (403, 404):
                failures.append(f"{role} {method} {endpoint}: {status} for content")
            leaked = [secret for secret in WORLD_SECRETS if secret in body]
            if leaked:
                failures.append(f"{role} {method} {endpoint}: shows {leaked}")
        # The outsider's own visit in the URL, another team's object beside it.
        if "visit_id" in arguments and len(arguments) > 1:
            response = idor_request(app, "outsider", endpoint, method, own=True)
            requests += 1
            if response.status_code not in (403, 404):
                failures.append(
                    f"outsider {method} {endpoint} (own visit, foreign object): "
                    f"{response.status_code}"
                )

    print(f"IDOR sweep: {len(routes)} object routes, {requests} requests")
    assert not failures, "\n".join(failures)
    assert len(routes) > 30
