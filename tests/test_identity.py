"""An interviewee's real name and identifying details are the visit team's alone.

A supervisor outside the team reviews the interview under its pseudonym: the
identity is neither shown, nor offered for editing, nor blanked when they save.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import World, build_world
from tests.support import Account, AuthActions
from visits.extensions import db
from visits.models import Expertise, Gender, Interview, VisitMember

REAL_NAME = "Real Name Of Detainee"
DETAILS = "Brother of the cook, cell 4, scar on the left hand"
NOTES = "Interview notes: beaten at arrest"


@pytest.fixture
def world(app: Flask, monitor: Account) -> World:
    world = build_world(app, monitor.id)
    with app.app_context():
        interview = db.session.get(Interview, world.interview_id)
        assert interview is not None
        interview.identifying_details = DETAILS
        db.session.commit()
    return world


def page(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def edit_data(version: int, **changes: str) -> dict[str, str]:
    return {
        "kind": "individual",
        "people_count": "1",
        "consent_scope": "anonymous",
        "consent_date": "2020-01-01",
        "notes": NOTES,
        "version": str(version),
        **changes,
    }


def version_of(app: Flask, interview_id: int) -> int:
    with app.app_context():
        interview = db.session.get(Interview, interview_id)
        assert interview is not None
        return interview.version


def identity_of(app: Flask, interview_id: int) -> tuple[str, str, str]:
    with app.app_context():
        interview = db.session.get(Interview, interview_id)
        assert interview is not None
        return interview.real_name, interview.identifying_details, interview.notes


def test_a_supervisor_outside_the_team_reads_the_interview_without_its_identity(
    world: World, supervisor: Account, client_as: Callable[[Account | None], FlaskClient]
) -> None:
    chief = client_as(supervisor)
    shown = page(chief, f"/interviews/{world.interview_id}")
    form = page(chief, f"/interviews/{world.interview_id}/edit")

    assert NOTES in shown
    assert "-I1" in shown  # the pseudonym
    for text in (shown, form):
        assert REAL_NAME not in text
        assert DETAILS not in text
        assert "Identity (team only)" not in text
    assert 'name="real_name"' not in form
    assert 'name="identifying_details"' not in form


def test_the_team_reads_and_edits_the_identity(
    world: World, monitor: Account, client_as: Callable[[Account | None], FlaskClient]
) -> None:
    team = client_as(monitor)
    shown = page(team, f"/interviews/{world.interview_id}")
    form = page(team, f"/interviews/{world.interview_id}/edit")
    assert REAL_NAME in shown
    assert DETAILS in shown
    assert 'name="real_name"' in form
    assert REAL_NAME in form


def test_a_supervisor_on_the_team_reads_the_identity(
    app: Flask,
    world: World,
    supervisor: Account,
    client_as: Callable[[Account | None], FlaskClient],
) -> None:
    with app.app_context():
        db.session.add(
            VisitMember(
                visit_id=world.visit_id,
                user_id=supervisor.id,
                expertise=Expertise.DOCTOR,
                gender=Gender.FEMALE,
            )
        )
        db.session.commit()
    shown = page(client_as(supervisor), f"/interviews/{world.interview_id}")
    assert REAL_NAME in shown
    assert DETAILS in shown


def test_saving_by_a_supervisor_outside_the_team_never_blanks_or_changes_the_identity(
    app: Flask,
    world: World,
    supervisor: Account,
    client_as: Callable[[Account | None], FlaskClient],
) -> None:
    chief = AuthActions(client_as(supervisor))
    saved = chief.post(
        f"/interviews/{world.interview_id}/edit",
        # A forged form carrying identity fields changes nothing of the identity.
        edit_data(
            version_of(app, world.interview_id),
            notes="Reviewed by the supervisor",
            real_name="Forged",
            identifying_details="",
        ),
    )
    assert saved.status_code == 302, saved.get_data(as_text=True)
    assert identity_of(app, world.interview_id) == (
        REAL_NAME,
        DETAILS,
        "Reviewed by the supervisor",
    )


def test_the_conflict_page_shows_the_identity_to_the_team_only(
    app: Flask,
    world: World,
    monitor: Account,
    supervisor: Account,
    client_as: Callable[[Account | None], FlaskClient],
) -> None:
    stale = version_of(app, world.interview_id) - 1
    chief = AuthActions(client_as(supervisor)).post(
        f"/interviews/{world.interview_id}/edit", edit_data(stale, notes="Late")
    )
    team = AuthActions(client_as(monitor)).post(
        f"/interviews/{world.interview_id}/edit", edit_data(stale, notes="Late")
    )
    assert chief.status_code == team.status_code == 409
    assert REAL_NAME not in chief.get_data(as_text=True)
    assert DETAILS not in chief.get_data(as_text=True)
    assert REAL_NAME in team.get_data(as_text=True)
