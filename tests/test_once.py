"""One click, one record: every form that makes a record saves at most one per form shown.

Each create form carries a one-time token from when it was shown; the same
form sent again (a double click, a reload, the back button) leads to what
the first one made, with "This form was already saved", and makes nothing.
Two copies sent at the same moment, really in parallel, make one record on
SQLite and PostgreSQL. Every POST route of the app is listed here as a
create form or not (with why), so that a new create form cannot forget it.

Guards: visits/web/once.py (the tokens, the hook), visits/web/boundary.py
``commit_once``, visits/forms.py ``CreateForm``; the browser's side is
tests/e2e/test_double_click_browser.py.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import insert, select, text, update
from werkzeug.test import TestResponse

from tests.factories import build_world, make_sent_recommendation
from tests.html_forms import PageForm, Step, Walk, fill, post_forms
from tests.support import Account, in_parallel
from tests.test_access_matrix import route_methods
from visits.extensions import db
from visits.i18n import npm_today
from visits.interviews import services as interview_services
from visits.models import FormSubmission, Interview, Role, Visit, VisitStatus
from visits.models.base import utcnow
from visits.models.recommendation import Recommendation, RecommendationStatus
from visits.web import once

ClientAs = Callable[[Account | None], FlaskClient]

ALREADY_SAVED = "This form was already saved: it was not saved a second time."
STALE = "Nothing was saved: this form was opened too long ago."


@dataclass(frozen=True)
class Create:
    """A create form: who opens which page, what they choose, and the table it adds to."""

    role: str
    page: str
    table: str
    choices: dict[str, str] = field(default_factory=dict)
    status: int = 302  # the first save's answer


FINDING_CHOICES = {
    "area": "treatment",
    "source_type": "observation",
    "severity": "high",
    "confidentiality": "confidential",
}

# Every form that makes a record. A new one goes here (and uses CreateForm and
# commit_once); tests/test_once.py fails until every POST route is listed.
CREATES: dict[str, Create] = {
    "visits.new": Create(
        "team",
        "/visits/new",
        "visits",
        {"place_id": "{place}", "visit_type": "special", "start_date": "{later}"}
        | {"end_date": "{later}"},
    ),
    "interviews.new": Create(
        "team",
        "/visits/{visit}/interviews/new",
        "interviews",
        {"kind": "individual", "consent_scope": "named", "consent_date": "{today}"},
    ),
    "findings.new": Create("team", "/visits/{visit}/findings/new", "findings", FINDING_CHOICES),
    "attachments.upload": Create("team", "/visits/{visit}", "attachments"),
    "visits.add_member": Create("team", "/visits/{visit}", "visit_members"),
    "visits.record_reprisal_check": Create(
        "team", "/visits/{next_visit}", "reprisal_check_outcomes"
    ),
    "checklists.new": Create(
        "supervisor", "/checklists/new", "checklist_items", {"kind": "phase", "area": ""}
    ),
    "checklists.edit": Create("supervisor", "/checklists/{item}/edit", "checklist_items"),
    "places.new": Create("supervisor", "/places/new", "places"),
    "plans.add_entry": Create("supervisor", "/plans/{year}", "planned_visits"),
    "reference.new": Create("supervisor", "/reference/regions/new", "regions", {"code": "{code}"}),
    "admin.new_user": Create(
        "admin",
        "/admin/users/new",
        "users",
        {"email": "new.monitor@test.example", "role": "monitor"},
        status=201,
    ),
    "admin.new_team": Create("admin", "/admin/teams/new", "teams"),
    "admin.add_team_member": Create("admin", "/admin/teams/{team}", "team_members"),
    "recommendations.new_from_visit": Create(
        "team", "/visits/{visit}/recommendations/new", "recommendations"
    ),
    "recommendations.new": Create(
        "supervisor",
        "/recommendations/new",
        "recommendations",
        {"authority_id": "{authority}", "level": "ministry", "source": "annual_report"},
    ),
    "recommendations.send": Create(
        "supervisor", "/recommendations/send?authority={authority}", "recommendation_letters"
    ),
    "recommendations.new_response": Create(
        "supervisor",
        "/recommendations/{sent_recommendation}/responses/new",
        "recommendation_responses",
        {"kind": "progress"},
    ),
}

# Every other POST route, and why sending it twice cannot make a second record.
NOT_CREATES: dict[str, str] = {
    "recommendations.edit": "edits a draft under its version: a second save is a conflict page",
    "recommendations.transition": "a step of the life cycle: the second finds it taken (409)",
    "admin.change_role": "a role given twice is the same role (the second changes nothing)",
    "admin.deactivate_team": "a state: deactivating twice leaves one deactivated team",
    "admin.deactivate_user": "a state",
    "admin.end_sessions": "ends sessions, makes none",
    "admin.reactivate_team": "a state",
    "admin.reactivate_user": "a state",
    "admin.remove_team_member": "removes",
    "admin.require_two_factor": "a setting",
    "admin.reset_password": (
        "replaces the password, shown on its answer: a second click's answer shows the one "
        "that stands (it asks for approval again, though)"
    ),
    "admin.reset_two_factor": "the second finds no second factor to remove",
    "admin.update_team": "changes the team",
    "approvals.approve": "decides a pending request: the second finds it decided",
    "approvals.refuse": "decides a pending request: the second finds it decided",
    "attachments.delete": "a soft delete: the second finds it deleted",
    "auth.change_password": "changes the password",
    "auth.confirm": "re-authentication",
    "auth.end_all_sessions": "ends sessions",
    "auth.login": "signing in",
    "auth.logout": "signing out",
    "auth.second_factor": "signing in",
    "auth.two_factor_disable": "a setting",
    "auth.two_factor_setup": "a setting, confirmed by a single-use code",
    "checklists.retire": "a state",
    "deleted.restore": "a state: the second finds it restored",
    "findings.delete": "a soft delete",
    "findings.edit": "an edit under optimistic locking (version)",
    "findings.review": "a decision on a submitted finding: the second finds it decided",
    "findings.submit": "a state",
    "interviews.delete": "a soft delete",
    "interviews.edit": "an edit under optimistic locking (version)",
    "interviews.withdraw_consent": "a state",
    "main.set_language": "a setting",
    "places.deactivate": "a state",
    "places.edit": "an edit",
    "places.reactivate": "a state",
    "plans.withdraw_entry": "a state",
    "reference.edit": "an edit",
    "visits.checklist": "answers the visit's own checklist rows (made with the visit)",
    "visits.delete": "a soft delete",
    "visits.edit": "an edit under optimistic locking (version)",
    "visits.remove_member": "removes",
    "visits.transition": "a move of the life cycle, under the visit's lock",
}


def test_every_post_route_is_a_create_form_or_says_why_not(app: Flask) -> None:
    posts = {endpoint for endpoint, method in route_methods(app) if method == "POST"}
    unlisted = sorted(posts - CREATES.keys() - NOT_CREATES.keys())
    assert not unlisted, (
        f"{unlisted}: list each in tests/test_once.py: in CREATES if it makes a record "
        "(then its form is a CreateForm saved with commit_once), else in NOT_CREATES with why"
    )
    assert not (CREATES.keys() | NOT_CREATES.keys()) - posts, "a listed route is gone"


# --- The scene --------------------------------------------------------------------------


@pytest.fixture
def scene(app: Flask, monitor: Account, make_user: Callable[..., Account]) -> dict[str, Any]:
    """The world led by ``monitor``; its next visit on site, so it records reprisal checks."""
    world = build_world(app, monitor.id)
    colleague = make_user(Role.MONITOR, email="colleague@test.example", name="Chynara Colleague")
    with app.app_context():
        db.session.execute(
            update(Visit).where(Visit.id == world.next_visit_id).values(status=VisitStatus.ON_SITE)
        )
        # The world's recommendation approved, so that a letter can send it.
        db.session.execute(
            update(Recommendation)
            .where(Recommendation.id == world.recommendation_id)
            .values(status=RecommendationStatus.APPROVED)
        )
        sent = make_sent_recommendation(
            db.session.get(Visit, world.visit_id), monitor.id, npm_today() - timedelta(days=3)
        )
        sent_id = sent.id
        db.session.commit()
        today = npm_today()
    return {
        "sent_recommendation": sent_id,
        "place": world.place_id,
        "visit": world.visit_id,
        "next_visit": world.next_visit_id,
        "item": world.item_id,
        "year": world.year,
        "team": world.team_id,
        "authority": world.authority_id,
        "colleague": colleague.id,
        "today": today.isoformat(),
        "later": (today + timedelta(days=30)).isoformat(),
        "default_date": today.isoformat(),
        "code": "issyk-kul",
    }


@pytest.fixture
def clients(
    client_as: ClientAs, monitor: Account, supervisor: Account, admin: Account
) -> dict[str, FlaskClient]:
    return {
        "team": client_as(monitor),
        "supervisor": client_as(supervisor),
        "admin": client_as(admin),
    }


def count(app: Flask, table: str) -> int:
    with app.app_context():
        return int(db.session.scalar(text(f"SELECT count(*) FROM {table}")) or 0)  # noqa: S608


def shown_form(app: Flask, client: FlaskClient, page: str, endpoint: str) -> PageForm:
    response = client.get(page)
    assert response.status_code == 200, (page, response.status_code)
    adapter = app.url_map.bind("localhost")
    forms = [
        form
        for form in post_forms(response.get_data(as_text=True), page)
        if adapter.match(urlsplit(form.action).path, method="POST")[0] == endpoint
    ]
    assert forms, f"{page} shows no form for {endpoint}"
    return forms[0]


def token_of(form: PageForm) -> str:
    tokens = [control.value for control in form.controls if control.name == once.FIELD]
    assert len(tokens) == 1, f"the form to {form.action} carries no one-time token"
    return tokens[0]


def post(client: FlaskClient, form: PageForm, data: dict[str, Any]) -> TestResponse:
    multipart = any(isinstance(v, tuple) for values in data.values() for v in values)
    # A file's stream is read once: each sending gets its own copy.
    copy = {
        name: [(type(v[0])(v[0].getvalue()), v[1]) if isinstance(v, tuple) else v for v in values]
        for name, values in data.items()
    }
    return client.post(
        form.action, data=copy, content_type="multipart/form-data" if multipart else None
    )


def filled(form: PageForm, endpoint: str, create: Create, ids: dict[str, Any]) -> dict[str, Any]:
    data = fill(form, Step(create.role, create.page, endpoint, create.choices), ids, Walk())
    if endpoint in {"visits.add_member", "admin.add_team_member"}:
        data["user_id"] = [str(ids["colleague"])]
    return data


# --- (a) Every create form, sent twice ------------------------------------------------------


@pytest.mark.parametrize("endpoint", sorted(CREATES))
def test_a_create_form_sent_twice_makes_one_record_and_leads_to_it(
    app: Flask, scene: dict[str, Any], clients: dict[str, FlaskClient], endpoint: str
) -> None:
    create = CREATES[endpoint]
    client = clients[create.role]
    form = shown_form(app, client, create.page.format(**scene), endpoint)
    assert once.is_usable(token_of(form))
    data = filled(form, endpoint, create, scene)
    before = count(app, create.table)

    first = post(client, form, data)
    body = first.get_data(as_text=True)
    assert first.status_code == create.status, (endpoint, first.status_code, body[-3000:])
    assert count(app, create.table) == before + 1
    with app.app_context():
        shown_at = db.session.scalar(
            select(FormSubmission.url).where(FormSubmission.token == token_of(form))
        )
    if create.status == 302:
        assert first.headers["Location"] == shown_at

    again = post(client, form, data)
    assert again.status_code == 303, (endpoint, again.status_code)
    assert again.headers["Location"] == shown_at
    assert count(app, create.table) == before + 1
    page = client.get(again.headers["Location"])
    assert ALREADY_SAVED in page.get_data(as_text=True)


def test_the_pages_show_each_create_form_with_a_token_of_its_own(
    app: Flask, scene: dict[str, Any], clients: dict[str, FlaskClient]
) -> None:
    """Two showings of a form are two forms: each may be saved once."""
    client = clients["team"]
    page = f"/visits/{scene['visit']}/interviews/new"
    first = token_of(shown_form(app, client, page, "interviews.new"))
    second = token_of(shown_form(app, client, page, "interviews.new"))
    assert first != second
    visit_page = client.get(f"/visits/{scene['next_visit']}").get_data(as_text=True)
    assert 'id="form_token"' not in visit_page  # several forms on a page: no repeated id


# --- What the token refuses and what it lets through -------------------------------------


def new_visit_form(
    app: Flask, client: FlaskClient, scene: dict[str, Any]
) -> tuple[PageForm, dict[str, Any]]:
    create = CREATES["visits.new"]
    form = shown_form(app, client, create.page, "visits.new")
    return form, filled(form, "visits.new", create, scene)


def test_a_form_refused_by_a_rule_is_saved_once_corrected(
    app: Flask, scene: dict[str, Any], clients: dict[str, FlaskClient]
) -> None:
    """The refusal rolls the token back with the rest: the corrected form saves."""
    client = clients["team"]
    form, data = new_visit_form(app, client, scene)
    before = count(app, "visits")
    refused = post(client, form, data | {"end_date": [scene["today"]]})
    assert refused.status_code == 422
    assert "The last day cannot be before the first day." in refused.get_data(as_text=True)
    assert post(client, form, data).status_code == 302
    assert post(client, form, data).status_code == 303
    assert count(app, "visits") == before + 1


@pytest.mark.parametrize("token", ["", "not-a-token", "expired"])
def test_a_form_without_a_token_it_was_shown_with_saves_nothing(
    app: Flask, scene: dict[str, Any], clients: dict[str, FlaskClient], token: str
) -> None:
    """Missing, forged or older than a day (its record may be purged): refused, the text
    kept, and the page comes back with a new token that saves."""
    client = clients["team"]
    form, data = new_visit_form(app, client, scene)
    if token == "expired":
        issued = utcnow() - once.LIFETIME - timedelta(minutes=1)
        token = f"{int(issued.timestamp()):x}.{'a' * 32}"
    data[once.FIELD] = [token]
    data["purpose"] = ["Follow up the complaint of cell 12"]
    before = count(app, "visits")
    refused = post(client, form, data)
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert STALE in body
    assert "Follow up the complaint of cell 12" in body
    assert count(app, "visits") == before
    renewed = token_of(post_forms(body, "/visits/new")[-1])
    assert once.is_usable(renewed)
    assert post(client, form, data | {once.FIELD: [renewed]}).status_code == 302


def test_a_token_another_account_saved_leads_it_nowhere(
    app: Flask, make_user: Callable[..., Account], client_as: ClientAs, admin: Account
) -> None:
    """Not a way to learn where someone else's form led."""
    other = client_as(make_user(Role.ADMIN, email="other.admin@test.example"))
    first = client_as(admin)
    form = shown_form(app, first, "/admin/teams/new", "admin.new_team")
    data = {"csrf_token": [token_of_csrf(form)], once.FIELD: [token_of(form)], "name_en": ["South"]}
    assert first.post(form.action, data=data).status_code == 302
    stolen = shown_form(app, other, "/admin/teams/new", "admin.new_team")
    response = other.post(form.action, data=data | {"csrf_token": [token_of_csrf(stolen)]})
    assert response.status_code == 422
    assert STALE in response.get_data(as_text=True)
    assert count(app, "teams") == 1


def token_of_csrf(form: PageForm) -> str:
    return next(c.value for c in form.controls if c.name == "csrf_token")


def test_tokens_older_than_a_day_are_purged_by_the_next_save(
    app: Flask, scene: dict[str, Any], clients: dict[str, FlaskClient], monitor: Account
) -> None:
    with app.app_context():
        old = utcnow() - once.LIFETIME - timedelta(hours=1)
        recent = utcnow() - timedelta(hours=1)
        db.session.execute(
            insert(FormSubmission),
            [
                {"token": "old", "user_id": monitor.id, "created_at": old, "url": "/"},
                {"token": "recent", "user_id": monitor.id, "created_at": recent, "url": "/"},
            ],
        )
        db.session.commit()
    form, data = new_visit_form(app, clients["team"], scene)
    assert post(clients["team"], form, data).status_code == 302
    with app.app_context():
        kept = set(db.session.scalars(select(FormSubmission.token)))
    assert kept == {"recent", token_of(form)}


# --- (b) Two copies at the same moment ------------------------------------------------------


def same_browser(app: Flask, browser: FlaskClient) -> FlaskClient:
    """A second connection of the same browser: the same session cookie."""
    twin = app.test_client()
    cookie = browser.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    twin.set_cookie(cookie.key, cookie.value)
    return twin


def test_two_copies_sent_at_the_same_moment_make_one_interview(
    app: Flask,
    scene: dict[str, Any],
    client_as: ClientAs,
    monitor: Account,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A double click, really in parallel (each request its own connection), the first
    still saving when the second arrives: the second waits for the first to commit,
    then leads to its interview."""
    create = interview_services.create_interview

    def slowly(*args: Any, **kwargs: Any) -> Interview:
        time.sleep(0.3)  # the second request arrives while the first holds the token
        return create(*args, **kwargs)

    monkeypatch.setattr(interview_services, "create_interview", slowly)
    browser = client_as(monitor)
    page = f"/visits/{scene['visit']}/interviews/new"
    for _round in range(3):
        form = shown_form(app, browser, page, "interviews.new")
        data = filled(form, "interviews.new", CREATES["interviews.new"], scene)
        connections = [browser, same_browser(app, browser)]
        before = count(app, "interviews")
        answers = in_parallel(
            [lambda c=c, f=form, d=data: post(c, f, d) for c in connections]  # type: ignore[misc]
        )
        assert sorted(a.status_code for a in answers) == [302, 303]
        assert count(app, "interviews") == before + 1
        made, again = sorted(answers, key=lambda a: a.status_code)
        assert re.fullmatch(r"/interviews/\d+", made.headers["Location"])
        assert again.headers["Location"] == made.headers["Location"]
