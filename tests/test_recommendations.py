"""Recommendations: drafting from a visit or a report, the identity guard, the life
cycle with its quality check, sending in one letter, who sees what, and the list."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, text, update

from tests.factories import (
    make_criteria,
    make_finding,
    make_interview,
    make_place,
    make_recommendation,
    make_reference,
    make_visit,
)
from tests.support import Account, AuthActions, counting_queries, in_parallel
from visits.extensions import db
from visits.i18n import npm_today
from visits.models import (
    AuditEvent,
    Authority,
    QualityCriterion,
    Recommendation,
    RecommendationEvent,
    RecommendationLetter,
    RecommendationStatus,
)
from visits.web.once import new_token

S = RecommendationStatus


def today(app: Flask) -> Any:
    with app.app_context():
        return npm_today()


@dataclass(frozen=True)
class Scene:
    visit_id: int
    place_id: int
    authority_id: int
    finding_id: int
    torture_finding_id: int
    other_authority_id: int


@pytest.fixture
def scene(app: Flask, monitor: Account) -> Scene:
    """A visit led by ``monitor`` with an interview (named, with details) and two findings."""
    with app.app_context():
        place = make_place(*make_reference())
        visit = make_visit(place, monitor.id)
        make_interview(
            visit,
            monitor.id,
            real_name="Azamat Toktogulov",
            identifying_details="cell 12; tattoo of an eagle",
        )
        finding = make_finding(visit, monitor.id, alleges_ill_treatment=False)
        torture = make_finding(
            visit, monitor.id, number=2, alleges_ill_treatment=True, allegation_what="Beaten"
        )
        make_criteria()
        other = Authority(code="gsin", name_en="GSIN", name_ru="ГСИН", name_ky="ЖАМК")
        db.session.add(other)
        db.session.commit()
        return Scene(visit.id, place.id, place.authority_id, finding.id, torture.id, other.id)


def form(scene: Scene, **fields: Any) -> dict[str, Any]:
    return {
        "text": "Ensure every cell has daylight and ventilation",
        "authority_id": str(scene.authority_id),
        "place_id": str(scene.place_id),
        "area": "material_conditions",
        "level": "facility",
        "priority": "high",
        "source": "visit_report",
        "rationale": "Cells 3 and 4 had no window",
        "internal_note": "Raise it at the round table",
        **fields,
    }


def draft(app: Flask, scene: Scene, author: Account, **fields: Any) -> int:
    with app.app_context():
        from visits.models import Visit

        visit = db.session.get(Visit, scene.visit_id)
        recommendation = make_recommendation(visit, author.id, **fields)
        db.session.commit()
        return recommendation.id


def approved(app: Flask, scene: Scene, author: Account, **fields: Any) -> int:
    return draft(app, scene, author, **{"status": S.APPROVED, **fields})


def get(app: Flask, recommendation_id: int) -> Recommendation:
    with app.app_context():
        recommendation = db.session.get(Recommendation, recommendation_id)
        assert recommendation is not None
        db.session.expunge(recommendation)
        return recommendation


# --- 1. Drafting -----------------------------------------------------------------


def test_the_team_drafts_from_the_visits_findings_and_the_rationale_is_encrypted(
    app: Flask, scene: Scene, monitor: Account, client_as: Callable[..., FlaskClient]
) -> None:
    client = client_as(monitor)
    page = client.get(f"/visits/{scene.visit_id}/recommendations/new")
    assert page.status_code == 200
    assert "Beatings at arrest" in page.get_data(as_text=True)  # the findings to choose
    response = AuthActions(client).post(
        f"/visits/{scene.visit_id}/recommendations/new",
        form(scene, finding_ids=[str(scene.finding_id)]),
    )
    assert response.status_code == 302
    with app.app_context():
        recommendation = db.session.scalars(select(Recommendation)).one()
        assert recommendation.status is S.DRAFT
        assert [f.id for f in recommendation.findings] == [scene.finding_id]
        raw = db.session.execute(
            text("SELECT text, rationale, internal_note FROM recommendations")
        ).one()
        assert raw[0] == "Ensure every cell has daylight and ventilation"  # plain, searchable
        assert "no window" not in raw[1]
        assert "round table" not in raw[2]
        rid = recommendation.id
        assert (
            db.session.scalar(
                select(func.count()).where(AuditEvent.action == "recommendation.create")
            )
            == 1
        )
    body = client.get(f"/recommendations/{rid}").get_data(as_text=True)
    assert "Cells 3 and 4 had no window" in body
    assert "History" in body
    assert "Draft" in body


@pytest.mark.parametrize(
    ("missing", "kept"),
    [("authority_id", "Ensure every cell has daylight"), ("text", "Cells 3 and 4 had no window")],
)
def test_without_authority_or_text_the_form_comes_back_with_what_was_typed(
    scene: Scene, monitor: Account, client_as: Callable[..., FlaskClient], missing: str, kept: str
) -> None:
    response = AuthActions(client_as(monitor)).post(
        f"/visits/{scene.visit_id}/recommendations/new", form(scene, **{missing: ""})
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert kept in body
    assert f'id="{missing}-error"' in body


def test_a_standalone_recommendation_from_an_spt_report_needs_its_symbol(
    app: Flask, scene: Scene, supervisor: Account, client_as: Callable[..., FlaskClient]
) -> None:
    actions = AuthActions(client_as(supervisor))
    data = form(scene, source="spt_report", place_id="", level="legislation")
    refused = actions.post("/recommendations/new", data)
    assert refused.status_code == 422
    assert "document symbol" in refused.get_data(as_text=True)
    saved = actions.post(
        "/recommendations/new", {**data, "source_symbol": "CAT/OP/KGZ/1", "source_paragraph": "42"}
    )
    assert saved.status_code == 302
    with app.app_context():
        recommendation = db.session.scalars(select(Recommendation)).one()
        assert recommendation.visit_id is None
        assert recommendation.place_id is None
        assert (recommendation.source_symbol, recommendation.source_paragraph) == (
            "CAT/OP/KGZ/1",
            "42",
        )


def test_a_monitor_cannot_draft_a_standalone_recommendation(
    monitor: Account, client_as: Callable[..., FlaskClient]
) -> None:
    assert client_as(monitor).get("/recommendations/new").status_code == 403


def test_only_a_draft_is_edited(
    app: Flask, scene: Scene, monitor: Account, client_as: Callable[..., FlaskClient]
) -> None:
    rid = draft(app, scene, monitor)
    actions = AuthActions(client_as(monitor))
    edited = actions.post(f"/recommendations/{rid}/edit", form(scene, text="New text", version="1"))
    assert edited.status_code == 302
    assert get(app, rid).text == "New text"
    sent = approved(app, scene, monitor)
    refused = actions.post(f"/recommendations/{sent}/edit", form(scene, version="1"))
    assert refused.status_code == 409
    assert "only a draft can be changed" in refused.get_data(as_text=True)


def test_an_edit_over_someone_elses_save_shows_the_conflict_and_keeps_the_text(
    app: Flask, scene: Scene, monitor: Account, client_as: Callable[..., FlaskClient]
) -> None:
    rid = draft(app, scene, monitor)
    actions = AuthActions(client_as(monitor))
    assert actions.post(f"/recommendations/{rid}/edit", form(scene, version="1")).status_code == 302
    stale = actions.post(f"/recommendations/{rid}/edit", form(scene, text="Mine", version="1"))
    assert stale.status_code == 409
    assert "Mine" in stale.get_data(as_text=True)


# --- Repeats -----------------------------------------------------------------------


def test_repeats_refuses_itself_and_a_circle(
    app: Flask, scene: Scene, supervisor: Account, client_as: Callable[..., FlaskClient]
) -> None:
    first = approved(app, scene, supervisor)
    second = draft(app, scene, supervisor, repeats_id=first)
    actions = AuthActions(client_as(supervisor))
    itself = actions.post(
        f"/recommendations/{second}/edit", form(scene, repeats_id=str(second), version="1")
    )
    assert itself.status_code == 422
    assert "cannot repeat itself" in itself.get_data(as_text=True)
    # The first goes back to draft to be edited, and tries to repeat the second.
    with app.app_context():
        db.session.get(Recommendation, first).status = S.DRAFT  # type: ignore[union-attr]
        db.session.get(Recommendation, second).status = S.APPROVED  # type: ignore[union-attr]
        db.session.commit()
    circle = actions.post(
        f"/recommendations/{first}/edit", form(scene, repeats_id=str(second), version="2")
    )
    assert circle.status_code == 422
    assert "circle" in circle.get_data(as_text=True)
    assert get(app, first).repeats_id is None
    fine = actions.post(f"/recommendations/{second}/edit", form(scene, version="2"))
    assert fine.status_code == 409  # approved now: only drafts change


def test_the_form_suggests_an_earlier_one_not_implemented_for_the_same_place_and_theme(
    app: Flask, scene: Scene, supervisor: Account, client_as: Callable[..., FlaskClient]
) -> None:
    open_one = approved(app, scene, supervisor, text="Earlier: open windows")
    approved(app, scene, supervisor, text="Earlier, done", status=S.IMPLEMENTED)
    approved(app, scene, supervisor, text="Earlier, other theme", area="health_care")
    rid = draft(app, scene, supervisor)
    body = client_as(supervisor).get(f"/recommendations/{rid}/edit").get_data(as_text=True)
    assert f"R-{open_one}" in body
    assert "Earlier: open windows" in body
    assert "Earlier, done" not in body
    assert "Earlier, other theme" not in body


# --- 3. Identity guard ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "what"),
    [
        ("Transfer {pseudonym} to another cell", "the pseudonym"),
        ("Protect azamat toktogulov from reprisals", "the real name"),
        ("Protect TOKTOGULOV from reprisals", "a part of the real name"),
        ("Repair Cell 12 at once", "an identifying detail"),
    ],
)
def test_the_text_may_not_identify_a_person_interviewed_on_the_source_visit(
    app: Flask,
    scene: Scene,
    monitor: Account,
    client_as: Callable[..., FlaskClient],
    typed: str,
    what: str,
) -> None:
    with app.app_context():
        from visits.models import Visit

        pseudonym = f"{db.session.get(Visit, scene.visit_id).reference}-I1"  # type: ignore[union-attr]
    response = AuthActions(client_as(monitor)).post(
        f"/visits/{scene.visit_id}/recommendations/new",
        form(scene, text=typed.format(pseudonym=pseudonym)),
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'id="text-error"' in body
    assert what in body
    assert pseudonym in body
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Recommendation)) == 0


def test_the_guard_matches_whole_words_only_and_speaks_the_users_language(
    app: Flask,
    scene: Scene,
    make_user: Callable[..., Account],
    client_as: Callable[..., FlaskClient],
) -> None:
    # "Cell 123" is not "cell 12"; "Azamatovich" is not "Azamat" (too short a part anyway).
    actions = AuthActions(client_as(make_user("supervisor", preferred_locale="ru")))
    fine = actions.post(
        f"/visits/{scene.visit_id}/recommendations/new",
        form(scene, text="Repair cell 123 and Toktogulovka street"),
    )
    assert fine.status_code == 302
    refused = actions.post(
        f"/visits/{scene.visit_id}/recommendations/new",
        form(scene, text="Repair cell 12"),
    )
    assert refused.status_code == 422
    assert "идентифицирующую деталь" in refused.get_data(as_text=True)


# --- Life cycle and 2. quality check ----------------------------------------------------


def test_approval_records_the_double_smart_criteria_ticked(
    app: Flask,
    scene: Scene,
    monitor: Account,
    supervisor: Account,
    client_as: Callable[..., FlaskClient],
) -> None:
    with app.app_context():
        criteria = db.session.scalars(
            select(QualityCriterion).order_by(QualityCriterion.position)
        ).all()
        assert len(criteria) == 10
        assert criteria[0].name_ru == "Конкретная"
        assert criteria[0].name_ky == "Конкреттүү"
        ticked = [str(criteria[0].id), str(criteria[4].id)]
    rid = draft(app, scene, monitor)
    client = client_as(supervisor)
    page = client.get(f"/recommendations/{rid}").get_data(as_text=True)
    assert "Root-cause responsive" in page
    response = AuthActions(client).post(
        f"/recommendations/{rid}/transition", {"target": "approved", "criteria": ticked}
    )
    assert response.status_code == 302
    body = client.get(f"/recommendations/{rid}").get_data(as_text=True)
    assert "2 criteria of 10 met" in body
    assert "Time-bound" in body
    with app.app_context():
        recommendation = db.session.get(Recommendation, rid)
        assert recommendation is not None
        assert recommendation.status is S.APPROVED
        assert [c.code for c in recommendation.criteria_met] == ["specific", "time_bound"]
        history = db.session.scalars(
            select(RecommendationEvent.to_status).where(
                RecommendationEvent.recommendation_id == rid
            )
        ).all()
        assert history[-1] is S.APPROVED
        assert (
            db.session.scalar(
                select(func.count()).where(AuditEvent.action == "recommendation.transition")
            )
            == 1
        )


def test_a_step_the_life_cycle_does_not_allow_is_refused_with_the_reason(
    app: Flask,
    scene: Scene,
    monitor: Account,
    supervisor: Account,
    client_as: Callable[..., FlaskClient],
) -> None:
    rid = draft(app, scene, monitor)
    refused = AuthActions(client_as(supervisor)).post(
        f"/recommendations/{rid}/transition", {"target": "implemented"}
    )
    assert refused.status_code == 409
    assert "A recommendation that is Draft cannot become Implemented." in refused.get_data(
        as_text=True
    )
    monitor_try = AuthActions(client_as(monitor)).post(
        f"/recommendations/{rid}/transition", {"target": "approved"}
    )
    assert monitor_try.status_code == 403
    sent_alone = AuthActions(client_as(supervisor)).post(
        f"/recommendations/{approved(app, scene, monitor)}/transition", {"target": "sent"}
    )
    assert sent_alone.status_code == 409
    assert "sent with a letter" in sent_alone.get_data(as_text=True)
    assert get(app, rid).status is S.DRAFT


def test_returning_to_draft_needs_a_comment_and_the_answer_is_kept_apart(
    app: Flask,
    scene: Scene,
    monitor: Account,
    supervisor: Account,
    client_as: Callable[..., FlaskClient],
) -> None:
    actions = AuthActions(client_as(supervisor))
    rid = approved(app, scene, monitor)
    assert (
        actions.post(f"/recommendations/{rid}/transition", {"target": "draft"}).status_code == 422
    )
    sent = approved(app, scene, monitor, status=S.AWAITING_RESPONSE)
    response = actions.post(
        f"/recommendations/{sent}/transition",
        {"target": "response_received", "answer": "partly_accepted"},
    )
    assert response.status_code == 302
    recommendation = get(app, sent)
    assert recommendation.status is S.RESPONSE_RECEIVED
    assert recommendation.authority_answer.value == "partly_accepted"


# --- 4. Sending --------------------------------------------------------------------------


def test_a_supervisor_sends_several_in_one_letter_with_due_dates_by_allegation(
    app: Flask,
    scene: Scene,
    monitor: Account,
    supervisor: Account,
    client_as: Callable[..., FlaskClient],
) -> None:
    plain = approved(app, scene, monitor)
    urgent = approved(app, scene, monitor)
    with app.app_context():
        from visits.models import Finding

        recommendation = db.session.get(Recommendation, urgent)
        recommendation.findings.append(db.session.get(Finding, scene.torture_finding_id))  # type: ignore[union-attr, arg-type]
        db.session.commit()
    client = client_as(supervisor)
    page = client.get(f"/recommendations/send?authority={scene.authority_id}")
    assert f"R-{plain}" in page.get_data(as_text=True)
    day = today(app)
    response = AuthActions(client).post(
        f"/recommendations/send?authority={scene.authority_id}",
        {
            "recommendation_ids": [str(plain), str(urgent)],
            "sent_on": day.isoformat(),
            "reference": "NPM-2026/114",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        letters = db.session.scalars(select(RecommendationLetter)).all()
        assert [letter.reference for letter in letters] == ["NPM-2026/114"]
        assert letters[0].sent_on == day
    assert get(app, plain).due_date == day + timedelta(days=30)
    assert get(app, urgent).due_date == day + timedelta(days=1)
    assert get(app, plain).status is S.SENT
    assert get(app, plain).letter_id == letters[0].id
    body = client.get(f"/recommendations/{urgent}").get_data(as_text=True)
    assert "NPM-2026/114" in body
    assert "Sent" in body


def test_the_response_days_are_settings(
    app: Flask,
    scene: Scene,
    monitor: Account,
    supervisor: Account,
    client_as: Callable[..., FlaskClient],
) -> None:
    rid = approved(app, scene, monitor)
    app.config["RECOMMENDATION_RESPONSE_DAYS"] = 45
    try:
        response = AuthActions(client_as(supervisor)).post(
            f"/recommendations/send?authority={scene.authority_id}",
            {
                "recommendation_ids": [str(rid)],
                "sent_on": today(app).isoformat(),
                "reference": "1",
            },
        )
    finally:
        app.config["RECOMMENDATION_RESPONSE_DAYS"] = 30
    assert response.status_code == 302
    assert get(app, rid).due_date == today(app) + timedelta(days=45)


@pytest.mark.parametrize(
    ("days", "message"),
    [(1, "cannot be in the future"), (-40, "already past")],
)
def test_a_letter_dated_in_the_future_or_too_long_ago_is_refused(
    app: Flask,
    scene: Scene,
    monitor: Account,
    supervisor: Account,
    client_as: Callable[..., FlaskClient],
    days: int,
    message: str,
) -> None:
    rid = approved(app, scene, monitor)
    response = AuthActions(client_as(supervisor)).post(
        f"/recommendations/send?authority={scene.authority_id}",
        {
            "recommendation_ids": [str(rid)],
            "sent_on": (today(app) + timedelta(days=days)).isoformat(),
            "reference": "NPM-7",
        },
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert message in body
    assert "NPM-7" in body
    assert get(app, rid).status is S.APPROVED


def test_sending_the_same_recommendation_twice_records_one_letter(
    app: Flask,
    scene: Scene,
    monitor: Account,
    supervisor: Account,
    make_user: Callable[..., Account],
    client_as: Callable[..., FlaskClient],
) -> None:
    rid = approved(app, scene, monitor)
    other = make_user("supervisor")
    first, second = AuthActions(client_as(supervisor)), AuthActions(client_as(other))
    url = f"/recommendations/send?authority={scene.authority_id}"
    data = {"recommendation_ids": [str(rid)], "sent_on": today(app).isoformat(), "reference": "X"}
    # Both open the page (the CSRF tokens are fetched first), then send at once.
    tokens = [first.csrf_token(), second.csrf_token()]
    results = in_parallel(
        [
            lambda: first.client.post(
                url, data={**data, "csrf_token": tokens[0], "form_token": new_token()}
            ),
            lambda: second.client.post(
                url, data={**data, "csrf_token": tokens[1], "form_token": new_token()}
            ),
        ]
    )
    assert sorted(r.status_code for r in results) == [302, 409]
    refused = next(r for r in results if r.status_code == 409)
    assert "only an approved recommendation can be sent, once" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RecommendationLetter)) == 1
        assert (
            db.session.scalar(
                select(func.count()).where(
                    RecommendationEvent.recommendation_id == rid,
                    RecommendationEvent.to_status == S.SENT,
                )
            )
            == 1
        )


def test_a_recommendation_to_another_authority_is_not_sent_with_this_letter(
    app: Flask,
    scene: Scene,
    monitor: Account,
    supervisor: Account,
    client_as: Callable[..., FlaskClient],
) -> None:
    rid = approved(app, scene, monitor, authority_id=scene.other_authority_id)
    response = AuthActions(client_as(supervisor)).post(
        f"/recommendations/send?authority={scene.authority_id}",
        {"recommendation_ids": [str(rid)], "sent_on": today(app).isoformat(), "reference": "Y"},
    )
    assert response.status_code == 422
    assert get(app, rid).status is S.APPROVED


def test_overdue_is_computed_in_sql_from_the_due_date(
    app: Flask,
    scene: Scene,
    monitor: Account,
    supervisor: Account,
    client_as: Callable[..., FlaskClient],
) -> None:
    late = approved(
        app,
        scene,
        monitor,
        status=S.SENT,
        due_date=today(app) - timedelta(days=1),
        text="Late one",
    )
    approved(app, scene, monitor, status=S.SENT, due_date=today(app), text="Due today")
    approved(
        app,
        scene,
        monitor,
        status=S.RESPONSE_RECEIVED,
        due_date=today(app) - timedelta(days=5),
        text="Answered late",
    )
    with app.app_context():
        assert db.session.scalars(
            select(Recommendation.id).where(Recommendation.is_overdue)
        ).all() == [late]
    body = client_as(supervisor).get("/recommendations/?overdue=y").get_data(as_text=True)
    assert "Late one" in body
    assert "Due today" not in body
    assert "Answered late" not in body
    assert "Overdue" in client_as(supervisor).get(f"/recommendations/{late}").get_data(as_text=True)


# --- 9. Who sees what ------------------------------------------------------------------


def test_a_draft_is_visit_content_and_an_approved_one_is_for_every_monitor(
    app: Flask,
    scene: Scene,
    monitor: Account,
    outsider: Account,
    admin: Account,
    client_as: Callable[..., FlaskClient],
) -> None:
    rid = draft(app, scene, monitor, text="A draft text")
    other = client_as(outsider)
    assert other.get(f"/recommendations/{rid}").status_code == 404
    assert "A draft text" not in other.get("/recommendations/").get_data(as_text=True)
    with app.app_context():
        db.session.get(Recommendation, rid).status = S.APPROVED  # type: ignore[union-attr]
        db.session.commit()
    page = other.get(f"/recommendations/{rid}")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "A draft text" in body
    # The rationale and the note stay the visit team's.
    assert "Confidential rationale" not in body
    assert "Internal note of the NPM" not in body
    assert "A draft text" in other.get("/recommendations/").get_data(as_text=True)
    administrator = client_as(admin)
    assert administrator.get(f"/recommendations/{rid}").status_code == 404
    assert administrator.get("/recommendations/").status_code == 403
    assert client_as(None).get(f"/recommendations/{rid}").status_code == 302


def test_reading_the_rationale_is_audited(
    app: Flask,
    scene: Scene,
    monitor: Account,
    supervisor: Account,
    client_as: Callable[..., FlaskClient],
) -> None:
    rid = draft(app, scene, monitor)
    body = client_as(supervisor).get(f"/recommendations/{rid}").get_data(as_text=True)
    assert "Confidential rationale about cell conditions" in body
    with app.app_context():
        reads = db.session.scalars(
            select(AuditEvent.object_id).where(AuditEvent.action == "recommendation.read")
        ).all()
    assert reads == [rid]
    client_as(supervisor).get("/recommendations/")
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count()).where(AuditEvent.action == "recommendation.read")
            )
            == 1
        )  # the list decrypts nothing


# --- The list ----------------------------------------------------------------------------


def test_the_list_searches_the_text_and_filters_by_status_and_authority(
    app: Flask,
    scene: Scene,
    monitor: Account,
    supervisor: Account,
    client_as: Callable[..., FlaskClient],
) -> None:
    approved(app, scene, monitor, text="Provide drinking water in the yard")
    approved(app, scene, monitor, text="Train staff on restraint", status=S.SENT)
    approved(
        app,
        scene,
        monitor,
        text="Amend the law on drinking water",
        authority_id=scene.other_authority_id,
    )
    client = client_as(supervisor)

    def shown(query: str) -> set[str]:
        body = client.get(f"/recommendations/?{query}").get_data(as_text=True)
        texts = ("Provide drinking water", "Train staff", "Amend the law")
        return {t for t in texts if t in body}

    assert shown("q=drinking+water") == {"Provide drinking water", "Amend the law"}
    assert shown("q=DRINKING") == {"Provide drinking water", "Amend the law"}
    assert shown("status=sent") == {"Train staff"}
    assert shown(f"authority={scene.other_authority_id}") == {"Amend the law"}
    assert shown("q=nothing+like+it") == set()
    assert client.get("/recommendations/?status=nonsense").status_code == 400


def test_queries_per_page_do_not_grow_with_the_data(
    app: Flask,
    scene: Scene,
    monitor: Account,
    supervisor: Account,
    client_as: Callable[..., FlaskClient],
) -> None:
    client = client_as(supervisor)
    first = approved(app, scene, monitor)
    with app.app_context():
        db.session.add(
            RecommendationEvent(recommendation_id=first, user_id=monitor.id, to_status=S.DRAFT)
        )
        db.session.commit()

    def count(url: str) -> int:
        with counting_queries(app) as statements:
            assert client.get(url).status_code == 200
        return len(statements)

    few_list, few_page = count("/recommendations/"), count(f"/recommendations/{first}")
    for _ in range(6):
        rid = approved(app, scene, monitor, status=S.SENT, authority_id=scene.other_authority_id)
    with app.app_context():
        recommendation = db.session.get(Recommendation, first)
        for _number in range(5):
            db.session.add(
                RecommendationEvent(
                    recommendation=recommendation, user_id=supervisor.id, to_status=S.APPROVED
                )
            )
        db.session.commit()
    print(f"queries: list {few_list}, recommendation page {few_page}")
    assert count("/recommendations/") == few_list
    assert count(f"/recommendations/{first}") == few_page
    assert rid


# --- IDOR ------------------------------------------------------------------------------


@pytest.mark.parametrize("intruder", ["outsider", "admin"])
def test_another_team_and_administrators_find_no_draft_whatever_they_send(
    app: Flask,
    scene: Scene,
    monitor: Account,
    outsider: Account,
    admin: Account,
    client_as: Callable[..., FlaskClient],
    intruder: str,
) -> None:
    rid = draft(app, scene, monitor)
    actions = AuthActions(client_as(outsider if intruder == "outsider" else admin))
    valid = form(scene, text="Overwritten by an intruder", version="1")
    answers = [
        actions.client.get(f"/recommendations/{rid}"),
        actions.client.get(f"/recommendations/{rid}/edit"),
        actions.post(f"/recommendations/{rid}/edit", valid),
        actions.post(f"/recommendations/{rid}/transition", {"target": "approved"}),
    ]
    assert [answer.status_code for answer in answers] == [404, 404, 404, 404]
    for answer in answers:
        assert "Confidential rationale" not in answer.get_data(as_text=True)
    recommendation = get(app, rid)
    assert (recommendation.text, recommendation.status) == (
        "Install daylight windows in every cell",
        S.DRAFT,
    )


def test_a_foreign_finding_or_a_foreign_draft_cannot_be_linked(
    app: Flask,
    scene: Scene,
    monitor: Account,
    outsider: Account,
    client_as: Callable[..., FlaskClient],
) -> None:
    foreign_draft = draft(app, scene, monitor)
    with app.app_context():
        from visits.models import Place

        place = db.session.get(Place, scene.place_id)
        own = make_visit(place, outsider.id)  # type: ignore[arg-type]
        db.session.commit()
        own_id = own.id
    actions = AuthActions(client_as(outsider))
    url = f"/visits/{own_id}/recommendations/new"
    finding = actions.post(url, form(scene, finding_ids=[str(scene.finding_id)]))
    assert finding.status_code == 422
    repeats = actions.post(url, form(scene, repeats_id=str(foreign_draft)))
    assert repeats.status_code == 422
    assert f"There is no approved recommendation R-{foreign_draft}" in repeats.get_data(
        as_text=True
    )
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Recommendation)) == 1


def test_the_criteria_are_data_a_supervisor_edits_like_other_reference_rows(
    app: Flask,
    scene: Scene,
    monitor: Account,
    supervisor: Account,
    client_as: Callable[..., FlaskClient],
) -> None:
    with app.app_context():
        argued = db.session.scalars(
            select(QualityCriterion).where(QualityCriterion.code == "argued")
        ).one()
        argued_id = argued.id
    client = client_as(supervisor)
    assert "Argued" in client.get("/reference/quality-criteria").get_data(as_text=True)
    response = AuthActions(client).post(
        f"/reference/quality-criteria/{argued_id}/edit",
        {
            "name_en": "Argued",
            "name_ru": "Обоснованная",
            "name_ky": "Негизделген",
            "code": "argued",
            "position": "8",
        },  # "active" left out: deactivated
    )
    assert response.status_code == 302
    client.get(response.headers["Location"])  # the message that it was saved
    page = client.get(f"/recommendations/{draft(app, scene, monitor)}").get_data(as_text=True)
    assert "Root-cause responsive" in page
    assert "Argued" not in page


def test_the_visit_page_lists_the_recommendations_drafted_from_it(
    app: Flask, scene: Scene, monitor: Account, client_as: Callable[..., FlaskClient]
) -> None:
    page = client_as(monitor).get(f"/visits/{scene.visit_id}").get_data(as_text=True)
    assert "No recommendation drafted from this visit yet." in page
    rid = draft(app, scene, monitor)
    page = client_as(monitor).get(f"/visits/{scene.visit_id}").get_data(as_text=True)
    assert f'href="/recommendations/{rid}"' in page
    assert "Install daylight windows in every cell" in page


def test_a_deleted_visit_takes_its_recommendations_out_of_the_list(
    app: Flask, scene: Scene, monitor: Account, client_as: Callable[..., FlaskClient]
) -> None:
    rid = approved(app, scene, monitor)
    client = client_as(monitor)
    assert f'href="/recommendations/{rid}"' in client.get("/recommendations/").get_data(
        as_text=True
    )
    with app.app_context():
        from visits.models import Visit
        from visits.models.base import utcnow

        db.session.execute(
            update(Visit).where(Visit.id == scene.visit_id).values(deleted_at=utcnow())
        )
        db.session.commit()
    listing = client.get("/recommendations/").get_data(as_text=True)
    assert f'href="/recommendations/{rid}"' not in listing
    assert client.get(f"/recommendations/{rid}").status_code == 404
