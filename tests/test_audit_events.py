"""What the audit trail records, as people use the app: one test per kind of event.

Each test does what a person does (through the pages), then reads the rows
of ``audit_events``: who, what, which object, and details that name fields
and states but never hold what was typed into them.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.factories import PNG_BYTES, World, build_world, make_finding
from tests.support import Account, AuthActions
from visits.extensions import db
from visits.models import AuditEvent, Confidentiality, Finding, Visit, VisitStatus

TODAY = datetime.now(UTC).date()


@dataclass(frozen=True)
class Event:
    action: str
    user_id: int | None
    object_type: str
    object_id: int | None
    details: dict[str, Any]
    raw: str


def events(app: Flask, action: str | None = None) -> list[Event]:
    """The recorded events (of one action, if given), oldest first."""
    with app.app_context():
        query = select(AuditEvent).order_by(AuditEvent.id)
        if action is not None:
            query = query.where(AuditEvent.action == action)
        return [
            Event(
                event.action,
                event.user_id,
                event.object_type,
                event.object_id,
                json.loads(event.details),
                " ".join(
                    str(value)
                    for value in (event.action, event.object_type, event.ip, event.details)
                ),
            )
            for event in db.session.scalars(query)
        ]


def only(app: Flask, action: str) -> Event:
    found = events(app, action)
    assert len(found) == 1, f"{action}: {found}"
    return found[0]


@pytest.fixture
def world(app: Flask, monitor: Account) -> World:
    return build_world(app, monitor.id)


@pytest.fixture
def team(auth: AuthActions, monitor: Account) -> AuthActions:
    assert auth.login(monitor).status_code == 302
    return auth


def version_of(app: Flask, model: Any, record_id: int) -> str:
    with app.app_context():
        return str(db.session.get(model, record_id).version)


def finding_form(**fields: Any) -> dict[str, Any]:
    return {
        "area": "treatment",
        "source_type": "detainee_interview",
        "severity": "high",
        "confidentiality": "confidential",
        "title": "Beatings during arrest",
        "text": "Two people held described blows to the head in the police car.",
        **fields,
    }


def interview_form(**fields: Any) -> dict[str, Any]:
    day = (TODAY - timedelta(days=2)).isoformat()
    return {
        "kind": "individual",
        "people_count": "1",
        "conducted_on": day,
        "consent_scope": "anonymous",
        "consent_date": day,
        "real_name": "Azamat Toktosunov",
        "identifying_details": "Cell 4, upper bunk",
        "notes": "Says he was kicked during the arrest.",
        **fields,
    }


# --- Signing in and out ---------------------------------------------------------------


def test_a_sign_in_is_recorded_with_the_account(
    app: Flask, auth: AuthActions, monitor: Account
) -> None:
    assert auth.login(monitor).status_code == 302
    event = only(app, "auth.sign_in")
    assert event.user_id == monitor.id
    assert (event.object_type, event.object_id) == ("users", monitor.id)


def test_a_refused_sign_in_names_the_account_never_the_password(
    app: Flask, auth: AuthActions, monitor: Account
) -> None:
    auth.login(monitor, password="wrong horse battery staple")
    event = only(app, "auth.sign_in_failed")
    # Nobody is signed in: the account tried is the event's object.
    assert event.user_id is None
    assert (event.object_type, event.object_id) == ("users", monitor.id)
    assert event.details == {"reason": "wrong_password"}
    assert "wrong horse" not in event.raw


def test_a_sign_in_to_an_unknown_account_records_neither_email_nor_password(
    app: Flask, auth: AuthActions
) -> None:
    auth.login("nobody.here@test.example", password="guessed password 1")
    event = only(app, "auth.sign_in_failed")
    assert (event.user_id, event.object_id) == (None, None)
    assert "nobody.here" not in event.raw
    assert "guessed" not in event.raw


def test_a_sign_out_is_recorded(app: Flask, auth: AuthActions, monitor: Account) -> None:
    auth.login(monitor)
    auth.logout()
    assert only(app, "auth.sign_out").user_id == monitor.id


# --- Creating and changing ------------------------------------------------------------


def test_a_new_visit_is_recorded_with_the_fields_given(
    app: Flask, team: AuthActions, world: World, monitor: Account
) -> None:
    response = team.post(
        "/visits/new",
        {
            "place_id": str(world.place_id),
            "visit_type": "comprehensive",
            "start_date": TODAY.isoformat(),
            "end_date": (TODAY + timedelta(days=1)).isoformat(),
            "purpose": "Allegations of beatings in cell 4",
        },
    )
    assert response.status_code == 302
    event = only(app, "visit.create")
    visit_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert (event.user_id, event.object_type, event.object_id) == (monitor.id, "visits", visit_id)
    assert {"place_id", "visit_type", "start_date", "end_date", "purpose"} <= set(
        event.details["fields"]
    )
    assert "beatings" not in event.raw


def test_a_changed_finding_names_the_changed_fields_and_no_values(
    app: Flask, team: AuthActions, world: World, monitor: Account
) -> None:
    response = team.post(
        f"/findings/{world.finding_id}/edit",
        finding_form(
            title="Beatings at arrest",
            text="Rewritten: blows with a baton in the corridor.",
            version=version_of(app, Finding, world.finding_id),
            interview_ids=[str(world.interview_id)],
        ),
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    event = only(app, "finding.update")
    assert (event.user_id, event.object_type, event.object_id) == (
        monitor.id,
        "findings",
        world.finding_id,
    )
    # Area, severity, confidentiality, title and sources are as they were.
    assert event.details == {"fields": ["text"]}
    assert "baton" not in event.raw


def test_a_new_interview_names_its_fields_and_hides_their_content(
    app: Flask, team: AuthActions, world: World
) -> None:
    response = team.post(f"/visits/{world.visit_id}/interviews/new", interview_form())
    assert response.status_code == 302, response.get_data(as_text=True)
    event = only(app, "interview.create")
    assert {"real_name", "notes", "identifying_details"} <= set(event.details["fields"])
    assert "Azamat" not in event.raw
    assert "kicked" not in event.raw


def test_an_upload_is_recorded_without_the_file_name(
    app: Flask, team: AuthActions, world: World
) -> None:
    response = team.post(
        f"/visits/{world.visit_id}/attachments",
        {"file": (io.BytesIO(PNG_BYTES), "ivanov-bruises.png"), "caption": "Cell 4"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    event = only(app, "attachment.create")
    assert event.object_type == "attachments"
    assert event.details["content_type"] == "image/png"
    assert "ivanov" not in event.raw


def test_an_account_change_names_the_account_and_the_administrator(
    app: Flask, client_as: Any, admin: Account, monitor: Account
) -> None:
    auth = AuthActions(client_as(admin))
    assert auth.post(f"/admin/users/{monitor.id}/deactivate").status_code == 302
    event = only(app, "user.deactivate")
    assert (event.user_id, event.object_type, event.object_id) == (admin.id, "users", monitor.id)


def test_a_new_account_records_its_role(app: Flask, client_as: Any, admin: Account) -> None:
    auth = AuthActions(client_as(admin))
    response = auth.post(
        "/admin/users/new",
        {"email": "new@test.example", "display_name": "Nurlan New", "role": "monitor"},
    )
    assert response.status_code == 201
    event = events(app, "user.create")[-1]
    assert event.user_id == admin.id
    assert event.details == {"role": "monitor"}
    assert "Nurlan" not in event.raw


# --- State transitions -------------------------------------------------------------------


def test_a_visit_transition_records_both_states(
    app: Flask, team: AuthActions, world: World, monitor: Account
) -> None:
    response = team.post(
        f"/visits/{world.next_visit_id}/transition", {"target": "on_site", "comment": ""}
    )
    assert response.status_code == 302
    event = only(app, "visit.transition")
    assert (event.user_id, event.object_id) == (monitor.id, world.next_visit_id)
    assert event.details == {"from_status": "preparing", "to_status": "on_site"}


def test_a_cancellation_keeps_its_comment_out_of_the_trail(
    app: Flask, team: AuthActions, world: World
) -> None:
    team.post(
        f"/visits/{world.next_visit_id}/transition",
        {"target": "cancelled", "comment": "Detainee Ivanov asked us not to come"},
    )
    event = only(app, "visit.transition")
    assert event.details["to_status"] == "cancelled"
    assert "Ivanov" not in event.raw


def test_a_review_of_a_finding_records_the_decision(
    app: Flask, team: AuthActions, world: World, client_as: Any, supervisor: Account
) -> None:
    assert team.post(f"/findings/{world.finding_id}/submit").status_code == 302
    submitted = only(app, "finding.submit")
    assert submitted.details == {"from_status": "draft", "to_status": "submitted"}
    reviewer = AuthActions(client_as(supervisor))
    response = reviewer.post(
        f"/findings/{world.finding_id}/review", {"decision": "return", "comment": "Name the cell"}
    )
    assert response.status_code == 302
    reviewed = only(app, "finding.review")
    assert reviewed.user_id == supervisor.id
    assert reviewed.details == {
        "decision": "return",
        "from_status": "submitted",
        "to_status": "returned",
    }


def test_a_withdrawal_of_consent_is_recorded(app: Flask, team: AuthActions, world: World) -> None:
    response = team.post(f"/interviews/{world.interview_id}/withdraw-consent", {"confirm": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert only(app, "interview.consent_withdraw").object_id == world.interview_id


def test_a_reprisal_check_outcome_is_recorded_without_its_note(
    app: Flask, team: AuthActions, world: World
) -> None:
    on_site = team.post(f"/visits/{world.next_visit_id}/transition", {"target": "on_site"})
    assert on_site.status_code == 302, on_site.get_data(as_text=True)
    prefix = f"check{world.check_id}-"
    response = team.post(
        f"/visits/{world.next_visit_id}/reprisal-checks/{world.check_id}",
        {
            f"{prefix}csrf_token": team.csrf_token(),
            f"{prefix}status": "signs_found",
            f"{prefix}note": "Bruises on Ivanov's arms",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    event = only(app, "reprisal_check.record")
    assert event.details == {"outcome": "signs_found", "visit_id": world.next_visit_id}
    assert "Ivanov" not in event.raw


# --- Reads -----------------------------------------------------------------------------


def test_opening_a_confidential_finding_is_recorded(
    app: Flask, client_as: Any, world: World, supervisor: Account
) -> None:
    assert client_as(supervisor).get(f"/findings/{world.finding_id}").status_code == 200
    event = only(app, "finding.read")
    assert (event.user_id, event.object_type, event.object_id) == (
        supervisor.id,
        "findings",
        world.finding_id,
    )


def test_opening_an_internal_finding_is_not_a_confidential_read(
    app: Flask, client_as: Any, world: World, monitor: Account
) -> None:
    with app.app_context():
        visit = db.session.get(Visit, world.visit_id)
        assert visit is not None
        internal = make_finding(
            visit, monitor.id, number=2, confidentiality=Confidentiality.INTERNAL
        ).id
        db.session.commit()
    assert client_as(monitor).get(f"/findings/{internal}").status_code == 200
    assert events(app, "finding.read") == []


def test_opening_an_interview_is_recorded(
    app: Flask, client_as: Any, world: World, monitor: Account
) -> None:
    client = client_as(monitor)
    assert client.get(f"/interviews/{world.interview_id}").status_code == 200
    assert client.get(f"/interviews/{world.interview_id}/edit").status_code == 200
    reads = events(app, "interview.read")
    assert [(read.user_id, read.object_id) for read in reads] == [
        (monitor.id, world.interview_id)
    ] * 2


def test_a_refused_interview_leaves_no_read(
    app: Flask, client_as: Any, world: World, outsider: Account
) -> None:
    assert client_as(outsider).get(f"/interviews/{world.interview_id}").status_code == 404
    assert events(app, "interview.read") == []


def test_downloading_a_file_is_recorded(
    app: Flask, client_as: Any, world: World, monitor: Account
) -> None:
    response = client_as(monitor).get(f"/attachments/{world.attachment_id}")
    assert response.status_code == 200
    event = only(app, "attachment.download")
    assert (event.user_id, event.object_id) == (monitor.id, world.attachment_id)


# --- Confidential values never reach the trail ---------------------------------------------

CANARY = "CANARY-7f3a9c-Токтосунов"


def test_no_confidential_value_typed_anywhere_reaches_the_trail(
    app: Flask, team: AuthActions, world: World, client_as: Any, admin: Account
) -> None:
    response = team.post(
        f"/visits/{world.visit_id}/interviews/new",
        interview_form(
            real_name=CANARY, identifying_details=CANARY, notes=CANARY, reprisal_risk="y"
        ),
    )
    assert response.status_code == 302
    interview_id = int(response.headers["Location"].rsplit("/", 1)[1])
    response = team.post(
        f"/visits/{world.visit_id}/findings/new",
        finding_form(
            title=CANARY,
            text=CANARY,
            alleges_ill_treatment="y",
            allegation_what=CANARY,
            allegation_when=CANARY,
            allegation_by_whom=CANARY,
            allegation_medical_evidence=CANARY,
            interview_ids=[str(interview_id)],
        ),
    )
    assert response.status_code == 302
    finding_id = int(response.headers["Location"].rsplit("/", 1)[1])
    team.post(
        f"/findings/{finding_id}/edit",
        finding_form(
            title=CANARY + " 2",
            text=CANARY + " 2",
            version=version_of(app, Finding, finding_id),
            interview_ids=[str(interview_id)],
        ),
    )
    team.client.get(f"/findings/{finding_id}")
    team.client.get(f"/interviews/{interview_id}")
    team.post(
        f"/visits/{world.next_visit_id}/transition", {"target": "cancelled", "comment": CANARY}
    )

    recorded = events(app)
    assert {"interview.create", "finding.create", "finding.update", "finding.read"} <= {
        event.action for event in recorded
    }
    assert not [event for event in recorded if CANARY in event.raw]
    admin_client: FlaskClient = client_as(admin)
    assert CANARY not in admin_client.get("/admin/audit").get_data(as_text=True)
    assert CANARY not in admin_client.get("/admin/audit/export.csv").get_data(as_text=True)


def test_reads_of_a_locked_visit_are_recorded_too(
    app: Flask, client_as: Any, world: World, supervisor: Account
) -> None:
    with app.app_context():
        visit = db.session.get(Visit, world.visit_id)
        assert visit is not None
        visit.status = VisitStatus.APPROVED
        db.session.commit()
    assert client_as(supervisor).get(f"/interviews/{world.interview_id}").status_code == 200
    assert len(events(app, "interview.read")) == 1
