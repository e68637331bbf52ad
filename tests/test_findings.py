"""Findings: sources, allegation records, the review, locking and conflicts."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest
from flask import Flask, render_template
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.factories import (
    make_attachment,
    make_finding,
    make_interview,
    make_place,
    make_reference,
    make_visit,
)
from tests.support import Account, AuthActions, counting_queries
from visits.access.rules import can_edit_finding
from visits.extensions import db
from visits.findings import services
from visits.models import (
    Confidentiality,
    Finding,
    Place,
    ReviewState,
    Severity,
    SourceType,
    ThematicArea,
    User,
    Visit,
    VisitStatus,
)
from visits.models.finding import findings_of


@dataclass(frozen=True)
class Scene:
    visit_id: int
    interview_ids: tuple[int, int]
    other_visit_interview_id: int


@pytest.fixture
def scene(app: Flask, monitor: Account, outsider: Account) -> Scene:
    """A visit led by ``monitor`` with two interviews, and another team's visit."""
    with app.app_context():
        place = make_place(*make_reference())
        visit = make_visit(place, monitor.id)
        first = make_interview(visit, monitor.id)
        second = make_interview(visit, monitor.id, number=2)
        other = make_visit(place, outsider.id)
        foreign = make_interview(other, outsider.id)
        db.session.commit()
        return Scene(visit.id, (first.id, second.id), foreign.id)


@pytest.fixture
def team(auth: AuthActions, monitor: Account) -> AuthActions:
    auth.login(monitor)
    return auth


@pytest.fixture
def reviewer(
    client_as: Callable[[Account | None], FlaskClient], supervisor: Account
) -> AuthActions:
    return AuthActions(client_as(supervisor))


def finding_data(**fields: Any) -> dict[str, Any]:
    return {
        "area": "treatment",
        "source_type": "detainee_interview",
        "severity": "high",
        "confidentiality": "confidential",
        "title": "Beatings during arrest",
        "text": "Two people held described blows to the head in the police car.",
        **fields,
    }


def findings_in(app: Flask, visit_id: int) -> list[Finding]:
    with app.app_context():
        return list(db.session.scalars(findings_of(visit_id)))


def create(team: AuthActions, scene: Scene, **fields: Any) -> int:
    response = team.post(f"/visits/{scene.visit_id}/findings/new", finding_data(**fields))
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def version_of(app: Flask, finding_id: int) -> str:
    with app.app_context():
        finding = db.session.get(Finding, finding_id)
        assert finding is not None
        return str(finding.version)


def edit(team: AuthActions, app: Flask, finding_id: int, **fields: Any) -> Any:
    data = finding_data(version=version_of(app, finding_id), **fields)
    return team.post(f"/findings/{finding_id}/edit", data)


def state_of(app: Flask, finding_id: int) -> ReviewState:
    with app.app_context():
        finding = db.session.get(Finding, finding_id)
        assert finding is not None
        return finding.review_state


def test_finding_rests_on_interviews_of_its_visit(
    app: Flask, client: FlaskClient, team: AuthActions, scene: Scene
) -> None:
    finding_id = create(team, scene, interview_ids=list(scene.interview_ids))
    second_id = create(team, scene, title="No daylight in cells", source_type="observation")

    [first, second] = findings_in(app, scene.visit_id)
    assert (first.id, first.number, second.id, second.number) == (finding_id, 1, second_id, 2)
    assert [i.id for i in first.interviews] == list(scene.interview_ids)
    assert first.review_state is ReviewState.DRAFT
    page = client.get(f"/findings/{finding_id}").get_data(as_text=True)
    assert "Finding 1: Beatings during arrest" in page
    assert "-I1</a>" in page
    assert "-I2</a>" in page
    assert "Draft" in page


def test_another_visits_interview_cannot_be_cited(
    app: Flask, team: AuthActions, scene: Scene
) -> None:
    response = team.post(
        f"/visits/{scene.visit_id}/findings/new",
        finding_data(interview_ids=[scene.interview_ids[0], scene.other_visit_interview_id]),
    )

    assert response.status_code == 422
    assert "Beatings during arrest" in response.get_data(as_text=True)
    assert findings_in(app, scene.visit_id) == []


def test_services_refuse_a_foreign_interview_too(
    app: Flask, monitor: Account, scene: Scene
) -> None:
    with app.app_context():
        visit = db.session.get(Visit, scene.visit_id)
        author = db.session.get(User, monitor.id)
        assert visit is not None
        assert author is not None
        data = services.FindingInput(
            area=ThematicArea.TREATMENT,
            source_type=SourceType.DETAINEE_INTERVIEW,
            interview_ids=(scene.interview_ids[0], scene.other_visit_interview_id),
            severity=Severity.HIGH,
            confidentiality=Confidentiality.CONFIDENTIAL,
            title="Beatings during arrest",
            text="Blows to the head",
            alleges_ill_treatment=False,
            allegation_what="",
            allegation_when="",
            allegation_by_whom="",
            allegation_medical_evidence="",
            allegation_consent_to_transmit=False,
        )
        with pytest.raises(services.ForeignInterview):
            services.create_finding(visit, author, data)
        assert db.session.scalar(select(func.count(Finding.id))) == 0


def test_an_allegation_must_say_what_was_alleged(
    app: Flask, client: FlaskClient, team: AuthActions, scene: Scene
) -> None:
    missing = team.post(
        f"/visits/{scene.visit_id}/findings/new",
        finding_data(alleges_ill_treatment="y", allegation_when="On arrest, 3 March"),
    )
    assert missing.status_code == 422
    assert "Describe what was alleged." in missing.get_data(as_text=True)
    assert 'value="On arrest, 3 March"' in missing.get_data(as_text=True)

    finding_id = create(
        team,
        scene,
        alleges_ill_treatment="y",
        allegation_what="Blows with a baton to the soles of the feet",
        allegation_when="On arrest, 3 March",
        allegation_by_whom="Two officers of the district police",
        allegation_medical_evidence="Bruising seen by the team's doctor",
        allegation_consent_to_transmit="y",
    )
    page = client.get(f"/findings/{finding_id}").get_data(as_text=True)
    record = page[page.index("Allegation of torture or ill-treatment") :]
    for detail in (
        "Blows with a baton to the soles of the feet",
        "On arrest, 3 March",
        "Two officers of the district police",
        "Bruising seen by the team&#39;s doctor",
    ):
        assert detail in record


def test_details_of_an_unticked_allegation_are_not_kept(
    app: Flask, team: AuthActions, scene: Scene
) -> None:
    create(team, scene, allegation_what="Typed, then the box was unticked")
    [finding] = findings_in(app, scene.visit_id)
    assert finding.alleges_ill_treatment is False
    assert finding.allegation_what == ""


def test_submitted_finding_waits_for_a_supervisor(
    app: Flask, client: FlaskClient, team: AuthActions, reviewer: AuthActions, scene: Scene
) -> None:
    finding_id = create(team, scene)

    assert team.post(f"/findings/{finding_id}/submit").status_code == 302
    assert state_of(app, finding_id) is ReviewState.SUBMITTED
    page = client.get(f"/findings/{finding_id}").get_data(as_text=True)
    assert "Submitted for review" in page
    assert f'action="/findings/{finding_id}/edit"' not in page

    refused = edit(team, app, finding_id, title="Changed while in review")
    assert refused.status_code == 409
    assert "This finding was submitted for review" in refused.get_data(as_text=True)
    assert client.get(f"/findings/{finding_id}/edit").status_code == 409
    assert team.post(f"/findings/{finding_id}/submit").status_code == 409

    assert edit(reviewer, app, finding_id, title="Supervisor's title").status_code == 302
    assert findings_in(app, scene.visit_id)[0].title == "Supervisor's title"


def test_supervisor_accepts_a_submitted_finding(
    app: Flask, team: AuthActions, reviewer: AuthActions, supervisor: Account, scene: Scene
) -> None:
    finding_id = create(team, scene)
    team.post(f"/findings/{finding_id}/submit")

    response = reviewer.post(f"/findings/{finding_id}/review", {"decision": "accept"})

    assert response.status_code == 302
    [finding] = findings_in(app, scene.visit_id)
    assert finding.review_state is ReviewState.ACCEPTED
    assert finding.reviewed_by_id == supervisor.id
    assert finding.reviewed_at is not None
    page = reviewer.client.get(f"/findings/{finding_id}").get_data(as_text=True)
    assert "Accepted" in page
    assert "By Sara Supervisor" in page
    accepted_edit = edit(team, app, finding_id, title="Late change")
    assert accepted_edit.status_code == 409
    assert "only a supervisor can change it" in accepted_edit.get_data(as_text=True)


def test_returning_a_finding_needs_a_comment_the_team_then_sees(
    app: Flask,
    client: FlaskClient,
    team: AuthActions,
    reviewer: AuthActions,
    scene: Scene,
) -> None:
    finding_id = create(team, scene)
    team.post(f"/findings/{finding_id}/submit")

    silent = reviewer.post(f"/findings/{finding_id}/review", {"decision": "return"})
    assert silent.status_code == 422
    assert "Say what the team should change." in silent.get_data(as_text=True)
    assert state_of(app, finding_id) is ReviewState.SUBMITTED

    returned = reviewer.post(
        f"/findings/{finding_id}/review",
        {"decision": "return", "comment": "Name the second source, please."},
    )
    assert returned.status_code == 302
    assert state_of(app, finding_id) is ReviewState.RETURNED
    page = client.get(f"/findings/{finding_id}").get_data(as_text=True)
    assert "Returned" in page
    assert "What the supervisor asks the team to change" in page
    assert "Name the second source, please." in page

    assert edit(team, app, finding_id, text="Now with two sources.").status_code == 302
    assert team.post(f"/findings/{finding_id}/submit").status_code == 302
    assert state_of(app, finding_id) is ReviewState.SUBMITTED


def test_a_team_monitor_cannot_review(app: Flask, team: AuthActions, scene: Scene) -> None:
    finding_id = create(team, scene)
    team.post(f"/findings/{finding_id}/submit")

    response = team.post(f"/findings/{finding_id}/review", {"decision": "accept"})

    assert response.status_code == 403
    assert state_of(app, finding_id) is ReviewState.SUBMITTED


def test_only_submitted_findings_are_reviewed(
    app: Flask, team: AuthActions, reviewer: AuthActions, scene: Scene
) -> None:
    finding_id = create(team, scene)
    response = reviewer.post(f"/findings/{finding_id}/review", {"decision": "accept"})
    assert response.status_code == 409
    assert state_of(app, finding_id) is ReviewState.DRAFT


def test_nobody_edits_findings_once_the_visit_is_approved(
    app: Flask, client: FlaskClient, team: AuthActions, reviewer: AuthActions, scene: Scene
) -> None:
    finding_id = create(team, scene)
    with app.app_context():
        visit = db.session.get(Visit, scene.visit_id)
        assert visit is not None
        visit.status = VisitStatus.APPROVED
        db.session.commit()

    for actor in (team, reviewer):
        response = edit(actor, app, finding_id, title="After approval")
        assert response.status_code == 409
        assert "its content can no longer be changed" in response.get_data(as_text=True)
    assert team.post(f"/findings/{finding_id}/submit").status_code == 409
    assert team.post(f"/visits/{scene.visit_id}/findings/new", finding_data()).status_code == 409
    assert findings_in(app, scene.visit_id)[0].title == "Beatings during arrest"
    assert client.get(f"/findings/{finding_id}").status_code == 200


def test_stale_edit_shows_both_versions_and_keeps_the_users_text(
    app: Flask, team: AuthActions, reviewer: AuthActions, scene: Scene
) -> None:
    finding_id = create(team, scene)
    assert edit(reviewer, app, finding_id, text="The supervisor's rewrite.").status_code == 302

    response = team.post(
        f"/findings/{finding_id}/edit",
        finding_data(version="1", text="My field notes, typed for an hour."),
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else saved this first" in page
    assert "The supervisor&#39;s rewrite." in page
    assert "My field notes, typed for an hour.</textarea>" in page
    assert 'name="version" type="hidden" value="2"' in page
    assert f'data-draft="finding-{finding_id}"' in page
    assert findings_in(app, scene.visit_id)[0].text == "The supervisor's rewrite."


def test_validation_error_keeps_every_field_typed(team: AuthActions, scene: Scene) -> None:
    response = team.post(
        f"/visits/{scene.visit_id}/findings/new",
        finding_data(
            title="",
            interview_ids=[scene.interview_ids[1]],
            allegation_by_whom="The night shift",
            allegation_consent_to_transmit="y",
        ),
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Two people held described blows to the head in the police car.</textarea>" in page
    assert "The night shift</textarea>" in page
    assert re.search(
        rf'selected value="{scene.interview_ids[1]}"|value="{scene.interview_ids[1]}" selected',
        page,
    )
    assert re.search(r'selected value="confidential"|value="confidential" selected', page)
    assert re.search(
        r'id="allegation_consent_to_transmit"[^>]*checked|checked[^>]*id="allegation_consent_to_transmit"',
        page,
    )
    assert f'data-draft="finding-new-{scene.visit_id}"' in page


def test_finding_list_on_the_visit_page_shows_the_review(
    app: Flask, monitor: Account, scene: Scene
) -> None:
    with app.app_context():
        visit = db.session.get(Visit, scene.visit_id)
        assert visit is not None
        make_finding(visit, monitor.id, review_state=ReviewState.RETURNED)
        with app.test_request_context():
            html = render_template(
                "visits/_findings.html",
                visit=visit,
                findings=list(db.session.scalars(findings_of(visit.id))),
                perms=SimpleNamespace(can_edit=False),
            )
    assert "Beatings at arrest" in html
    assert "Treatment" in html
    assert "Serious concern" in html
    assert "Confidential" in html
    assert "Returned" in html
    assert "New finding" not in html
    assert "Confidential finding text" not in html


def test_who_may_edit_follows_the_review(
    app: Flask, monitor: Account, supervisor: Account, scene: Scene
) -> None:
    with app.test_request_context():
        visit = db.session.get(Visit, scene.visit_id)
        member = db.session.get(User, monitor.id)
        assert visit is not None
        assert member is not None
        chief = db.session.get(User, supervisor.id)
        assert chief is not None
        by_state = {
            state: make_finding(visit, monitor.id, number=n, review_state=state)
            for n, state in enumerate(ReviewState, start=1)
        }
        assert can_edit_finding(member, by_state[ReviewState.DRAFT])
        assert can_edit_finding(member, by_state[ReviewState.RETURNED])
        assert not can_edit_finding(member, by_state[ReviewState.SUBMITTED])
        assert not can_edit_finding(member, by_state[ReviewState.ACCEPTED])
        assert all(can_edit_finding(chief, f) for f in by_state.values())
        visit.status = VisitStatus.CLOSED
        assert not can_edit_finding(chief, by_state[ReviewState.DRAFT])
        db.session.rollback()


def finding_with(app: Flask, place_id: int, author_id: int, items: int) -> int:
    """A finding citing ``items`` interviews, with ``items`` photos attached."""
    with app.app_context():
        place = db.session.get(Place, place_id)
        assert place is not None
        visit = make_visit(place, author_id)
        finding = make_finding(visit, author_id)
        for number in range(1, items + 1):
            interview = make_interview(visit, author_id, number=number)
            finding.interviews.append(interview)
            make_attachment(app, visit, author_id, finding=finding, caption=f"Photo {number}")
        db.session.commit()
        return finding.id


def test_finding_page_queries_do_not_grow_with_its_sources(
    app: Flask, client: FlaskClient, team: AuthActions, monitor: Account
) -> None:
    with app.app_context():
        place_id = make_place(*make_reference()).id
        db.session.commit()
    counts = {}
    for items in (2, 10):
        finding_id = finding_with(app, place_id, monitor.id, items)
        with counting_queries(app) as statements:
            page = client.get(f"/findings/{finding_id}").get_data(as_text=True)
        assert page.count("Photo ") >= items
        assert page.count("-I") >= items
        counts[items] = len(statements)
    assert counts[2] == counts[10]
    with app.app_context():
        assert db.session.scalar(select(func.count(Finding.id))) == 2
