"""Rules that must not contradict each other (deleting and editing, consent, sources, files)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import World, build_world, make_attachment, make_interview
from tests.support import Account, AuthActions
from visits.extensions import db
from visits.i18n import npm_today
from visits.models import Finding, Interview, ReviewState, Visit, VisitStatus

REASON = "Entered twice by mistake"


@pytest.fixture
def world(app: Flask, monitor: Account) -> World:
    return build_world(app, monitor.id)


@pytest.fixture
def team(monitor: Account, client_as: Callable[[Account | None], FlaskClient]) -> AuthActions:
    return AuthActions(client_as(monitor))


def set_state(app: Flask, model: type, object_id: int, **values: object) -> None:
    with app.app_context():
        record = db.session.get(model, object_id)
        assert record is not None
        for name, value in values.items():
            setattr(record, name, value)
        db.session.commit()


@pytest.mark.parametrize("state", [ReviewState.SUBMITTED, ReviewState.ACCEPTED])
def test_the_team_cannot_delete_a_finding_it_may_no_longer_edit(
    app: Flask, world: World, team: AuthActions, state: ReviewState
) -> None:
    set_state(app, Finding, world.finding_id, review_state=state)
    page = team.client.get(f"/findings/{world.finding_id}").get_data(as_text=True)
    assert f"/findings/{world.finding_id}/delete" not in page
    assert f"/findings/{world.finding_id}/edit" not in page
    refused = team.post(f"/findings/{world.finding_id}/delete", {"reason": REASON})
    assert refused.status_code == 409
    assert team.client.get(f"/findings/{world.finding_id}/delete").status_code == 409
    with app.app_context():
        finding = db.session.get(Finding, world.finding_id)
        assert finding is not None
        assert not finding.is_deleted


@pytest.mark.parametrize(
    "status",
    [VisitStatus.IN_REVIEW, VisitStatus.APPROVED, VisitStatus.SENT, VisitStatus.CLOSED],
)
def test_a_withdrawal_of_consent_is_recorded_in_every_state_of_the_visit(
    app: Flask, world: World, team: AuthActions, status: VisitStatus
) -> None:
    set_state(app, Visit, world.visit_id, status=status)
    page = team.client.get(f"/interviews/{world.interview_id}").get_data(as_text=True)
    assert f"/interviews/{world.interview_id}/withdraw-consent" in page
    recorded = team.post(f"/interviews/{world.interview_id}/withdraw-consent", {"confirm": "y"})
    assert recorded.status_code == 302
    with app.app_context():
        interview = db.session.get(Interview, world.interview_id)
        assert interview is not None
        assert interview.consent_withdrawn_on == npm_today()
    shown = team.client.get(f"/interviews/{world.interview_id}").get_data(as_text=True)
    assert "Interview notes: beaten at arrest" not in shown


def test_the_files_of_a_deleted_finding_are_hidden_with_it(
    app: Flask, world: World, team: AuthActions, monitor: Account
) -> None:
    with app.app_context():
        visit = db.session.get(Visit, world.visit_id)
        assert visit is not None
        attached = make_attachment(
            app, visit, monitor.id, finding_id=world.finding_id, original_name="bruise.png"
        ).id
        db.session.commit()
    assert "bruise.png" in team.client.get(f"/visits/{world.visit_id}").get_data(as_text=True)
    assert team.post(f"/findings/{world.finding_id}/delete", {"reason": REASON}).status_code == 302

    assert "bruise.png" not in team.client.get(f"/visits/{world.visit_id}").get_data(as_text=True)
    assert team.client.get(f"/attachments/{attached}").status_code == 404
    assert team.client.get(f"/attachments/{attached}/delete").status_code == 404


def test_an_interview_whose_consent_was_withdrawn_is_no_source_for_a_new_finding(
    app: Flask, world: World, team: AuthActions, monitor: Account
) -> None:
    with app.app_context():
        visit = db.session.get(Visit, world.visit_id)
        assert visit is not None
        withdrawn = make_interview(visit, monitor.id, number=2, consent_withdrawn_on=npm_today())
        db.session.commit()
        withdrawn_id, pseudonym = withdrawn.id, withdrawn.pseudonym
    form = team.client.get(f"/visits/{world.visit_id}/findings/new").get_data(as_text=True)
    assert pseudonym not in form
    assert f'value="{world.interview_id}"' in form

    refused = team.post(
        f"/visits/{world.visit_id}/findings/new",
        {
            "area": "treatment",
            "source_type": "detainee_interview",
            "interview_ids": [str(withdrawn_id)],
            "severity": "high",
            "confidentiality": "confidential",
            "title": "Resting on a withdrawn interview",
            "text": "Kept in the form",
        },
    )
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "Kept in the form" in page  # nothing typed is lost
    assert "not a valid choice" in page.lower() or "whose consent stands" in page
    with app.app_context():
        assert db.session.query(Finding).count() == 1  # the world's, no new one
