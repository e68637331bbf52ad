"""Responses and progress (issue 9, item 5): the authority's response with its answer,
its progress reports and the NPM's assessment, each moving the recommendation through
the one rules table; one response for several recommendations of the same letter."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, text

from tests.factories import (
    make_place,
    make_recommendation,
    make_reference,
    make_sent_recommendation,
    make_visit,
)
from tests.support import Account, AuthActions, counting_queries
from visits.extensions import db
from visits.i18n import npm_today
from visits.models import (
    AuditEvent,
    AuthorityAnswer,
    Recommendation,
    RecommendationEvent,
    RecommendationResponse,
    RecommendationStatus,
    Visit,
)
from visits.web.once import new_token

S = RecommendationStatus


@dataclass(frozen=True)
class Scene:
    visit_id: int
    sent_on: date
    first: int  # sent with the letter
    second: int  # sent with the same letter
    draft: int


@pytest.fixture
def scene(app: Flask, monitor: Account, supervisor: Account) -> Scene:
    with app.app_context():
        visit = make_visit(make_place(*make_reference()), monitor.id)
        sent_on = npm_today() - timedelta(days=10)
        first = make_sent_recommendation(visit, monitor.id, sent_on)
        second = make_recommendation(visit, monitor.id, text="Repair the ventilation")
        second.letter_id, second.status = first.letter_id, S.SENT
        draft = make_recommendation(visit, monitor.id)
        db.session.commit()
        return Scene(visit.id, sent_on, first.id, second.id, draft.id)


def today(app: Flask) -> date:
    with app.app_context():
        return npm_today()


def response_form(**fields: Any) -> dict[str, Any]:
    return {
        "kind": "response",
        "received_on": npm_today().isoformat(),
        "reference": "MVD-7/1234",
        "text": "The ministry will install windows in block B by June",
        "answer": "partly_accepted",
        "form_token": new_token(),
        **fields,
    }


def post(app: Flask, client: FlaskClient, rid: int, **fields: Any) -> Any:
    with app.test_request_context():
        data = response_form(**fields)
    return AuthActions(client).post(f"/recommendations/{rid}/responses/new", data)


def load(app: Flask, rid: int) -> Recommendation:
    with app.app_context():
        recommendation = db.session.get(Recommendation, rid)
        assert recommendation is not None
        db.session.expunge(recommendation)
        return recommendation


def test_a_supervisor_records_the_response_and_the_answer_is_kept_apart_from_the_status(
    app: Flask, scene: Scene, supervisor: Account, client_as: Callable[..., FlaskClient]
) -> None:
    client = client_as(supervisor)
    assert "Record a response" in client.get(f"/recommendations/{scene.first}").get_data(
        as_text=True
    )
    answer = post(app, client, scene.first)
    assert answer.status_code == 302
    recommendation = load(app, scene.first)
    assert recommendation.status is S.RESPONSE_RECEIVED
    assert recommendation.authority_answer is AuthorityAnswer.PARTLY_ACCEPTED
    body = client.get(f"/recommendations/{scene.first}").get_data(as_text=True)
    assert "The ministry will install windows in block B by June" in body
    assert "MVD-7/1234" in body
    assert "Partly accepted" in body
    with app.app_context():
        # The text is content: encrypted in its column.
        stored = db.session.scalar(text("SELECT text FROM recommendation_responses"))
        assert "windows" not in stored
        moves = db.session.scalars(
            select(RecommendationEvent.to_status).where(
                RecommendationEvent.recommendation_id == scene.first
            )
        ).all()
        assert moves[-1] is S.RESPONSE_RECEIVED
        actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"recommendation_response.create", "recommendation.transition"} <= actions


def test_one_response_answers_several_recommendations_of_the_same_letter(
    app: Flask, scene: Scene, supervisor: Account, client_as: Callable[..., FlaskClient]
) -> None:
    client = client_as(supervisor)
    form_page = client.get(f"/recommendations/{scene.first}/responses/new").get_data(as_text=True)
    assert f"R-{scene.second}" in form_page
    assert post(app, client, scene.first, also_ids=[str(scene.second)]).status_code == 302
    assert load(app, scene.second).status is S.RESPONSE_RECEIVED
    assert load(app, scene.second).authority_answer is AuthorityAnswer.PARTLY_ACCEPTED
    with app.app_context():
        assert db.session.scalar(select(func.count(RecommendationResponse.id))) == 1
    body = client.get(f"/recommendations/{scene.second}").get_data(as_text=True)
    assert "The ministry will install windows" in body
    # A recommendation of another letter cannot be answered with it.
    with app.app_context():
        visit = db.session.get(Visit, scene.visit_id)
        other = make_sent_recommendation(visit, supervisor.id, scene.sent_on)
        db.session.commit()
        other_id = other.id
    refused = post(app, client, scene.first, kind="progress", also_ids=[str(other_id)])
    assert refused.status_code == 422
    assert "same letter" in refused.get_data(as_text=True)


def test_progress_then_the_npms_assessment_move_through_the_rules_table_in_order(
    app: Flask, scene: Scene, supervisor: Account, client_as: Callable[..., FlaskClient]
) -> None:
    client = client_as(supervisor)
    day = today(app)
    first = post(app, client, scene.first, received_on=(day - timedelta(days=5)).isoformat())
    assert first.status_code == 302
    progress = post(
        app,
        client,
        scene.first,
        kind="progress",
        answer="",
        received_on=(day - timedelta(days=2)).isoformat(),
        text="Windows installed in half of block B",
    )
    assert progress.status_code == 302
    assert load(app, scene.first).status is S.RESPONSE_RECEIVED  # progress moves nothing
    assessed = post(
        app,
        client,
        scene.first,
        kind="assessment",
        answer="",
        assessed_status="partially_implemented",
        text="Seen on the follow-up visit: block A still dark",
    )
    assert assessed.status_code == 302
    recommendation = load(app, scene.first)
    assert recommendation.status is S.PARTIALLY_IMPLEMENTED
    # The NPM's assessment never overwrites what the authority answered.
    assert recommendation.authority_answer is AuthorityAnswer.PARTLY_ACCEPTED
    body = client.get(f"/recommendations/{scene.first}").get_data(as_text=True)
    order = [
        body.index("The ministry will install windows"),
        body.index("Windows installed in half of block B"),
        body.index("Seen on the follow-up visit"),
    ]
    assert order == sorted(order)
    assert "Progress report from the authority" in body
    assert "Partially implemented" in body
    # A formal response once more is a step the table does not allow: 409 with the reason.
    again = post(app, client, scene.first)
    assert again.status_code == 409
    assert "cannot become" in again.get_data(as_text=True)


def test_a_response_dated_before_the_letter_or_in_the_future_is_refused_on_the_field(
    app: Flask,
    scene: Scene,
    supervisor: Account,
    make_user: Callable[..., Account],
    client_as: Callable[..., FlaskClient],
) -> None:
    client = client_as(supervisor)
    before = post(
        app, client, scene.first, received_on=(scene.sent_on - timedelta(days=1)).isoformat()
    )
    assert before.status_code == 422
    body = before.get_data(as_text=True)
    assert "before the letter" in body
    assert "The ministry will install windows" in body  # nothing typed is lost
    future = post(
        app, client, scene.first, received_on=(today(app) + timedelta(days=1)).isoformat()
    )
    assert future.status_code == 422
    assert "cannot be in the future" in future.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(RecommendationResponse.id))) == 0
    assert load(app, scene.first).status is S.SENT
    # In the user's language.
    ru = client_as(make_user("supervisor", preferred_locale="ru"))
    translated = post(
        app, ru, scene.first, received_on=(today(app) + timedelta(days=1)).isoformat()
    )
    assert translated.status_code == 422
    assert "не может быть в будущем" in translated.get_data(as_text=True)


def test_an_answer_without_its_answer_or_to_a_recommendation_not_sent_is_refused(
    app: Flask, scene: Scene, supervisor: Account, client_as: Callable[..., FlaskClient]
) -> None:
    client = client_as(supervisor)
    no_answer = post(app, client, scene.first, answer="")
    assert no_answer.status_code == 422
    assert "Choose what the authority answered" in no_answer.get_data(as_text=True)
    not_sent = post(app, client, scene.draft)
    assert not_sent.status_code == 409
    assert "it was not sent" in not_sent.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(RecommendationResponse.id))) == 0


def test_the_same_response_sent_twice_makes_one_record(
    app: Flask, scene: Scene, supervisor: Account, client_as: Callable[..., FlaskClient]
) -> None:
    client = client_as(supervisor)
    with app.test_request_context():
        data = response_form()
    first = AuthActions(client).post(f"/recommendations/{scene.first}/responses/new", data)
    again = AuthActions(client).post(f"/recommendations/{scene.first}/responses/new", data)
    assert first.status_code == 302
    assert again.status_code == 303
    assert again.headers["Location"] == first.headers["Location"]
    with app.app_context():
        assert db.session.scalar(select(func.count(RecommendationResponse.id))) == 1


def test_monitors_read_the_responses_only_supervisors_record_them_admins_see_nothing(
    app: Flask,
    scene: Scene,
    monitor: Account,
    supervisor: Account,
    admin: Account,
    make_user: Callable[..., Account],
    client_as: Callable[..., FlaskClient],
) -> None:
    from visits.models import Role

    assert post(app, client_as(supervisor), scene.first).status_code == 302
    outsider = make_user(Role.MONITOR, email="outsider@test.example", name="Other Monitor")
    for reader in (monitor, outsider):
        body = client_as(reader).get(f"/recommendations/{scene.first}").get_data(as_text=True)
        assert "The ministry will install windows" in body
        assert "Record a response" not in body
    assert post(app, client_as(monitor), scene.first).status_code == 403
    assert client_as(admin).get(f"/recommendations/{scene.first}/responses/new").status_code == 404
    assert post(app, client_as(admin), scene.first).status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count(RecommendationResponse.id))) == 1
    # Reads of the response's text are audited, like the rationale.
    with app.app_context():
        readers = db.session.scalars(
            select(AuditEvent.user_id).where(AuditEvent.action == "recommendation_response.read")
        ).all()
    assert {monitor.id, outsider.id} <= set(readers)


def test_queries_on_the_recommendation_page_do_not_grow_with_the_responses(
    app: Flask,
    scene: Scene,
    supervisor: Account,
    make_user: Callable[..., Account],
    client_as: Callable[..., FlaskClient],
) -> None:
    client = client_as(supervisor)
    assert post(app, client, scene.first, also_ids=[str(scene.second)]).status_code == 302

    def count() -> int:
        with counting_queries(app) as statements:
            assert client.get(f"/recommendations/{scene.first}").status_code == 200
        return len(statements)

    few = count()
    for number in range(5):
        # Each recorded by another supervisor, with its name on the page.
        colleague = make_user("supervisor", name=f"Supervisor {number}")
        progress = post(
            app,
            client_as(colleague),
            scene.first,
            kind="progress",
            answer="",
            text=f"Progress {number}",
        )
        assert progress.status_code == 302
    many = count()
    print(f"queries on a recommendation's page: {few} with 1 response, {many} with 6")
    assert many == few


@pytest.mark.parametrize("intruder", ["outsider", "admin"])
def test_another_team_and_administrators_find_no_draft_to_answer_whatever_they_send(
    app: Flask,
    scene: Scene,
    admin: Account,
    make_user: Callable[..., Account],
    client_as: Callable[..., FlaskClient],
    intruder: str,
) -> None:
    from visits.models import Role

    account = (
        admin
        if intruder == "admin"
        else make_user(Role.MONITOR, email="outsider@test.example", name="Other Monitor")
    )
    client = client_as(account)
    assert client.get(f"/recommendations/{scene.draft}/responses/new").status_code == 404
    assert post(app, client, scene.draft).status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count(RecommendationResponse.id))) == 0
    assert load(app, scene.draft).status is S.DRAFT
