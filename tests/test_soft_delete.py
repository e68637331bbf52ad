"""Soft delete and restore: nothing is erased, a deletion needs a reason and hides the
record from every list, page and count, a supervisor restores it; all audited."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.factories import (
    World,
    add,
    build_world,
    make_attachment,
    make_finding,
    make_interview,
)
from tests.support import Account, AuthActions, counting_queries
from visits.audit.texts import referenced_key, texts_by_key
from visits.deleted import services as deletion
from visits.extensions import db
from visits.main.dashboard import dashboard_for
from visits.models import (
    Attachment,
    AuditEvent,
    Finding,
    Interview,
    Place,
    ReviewState,
    User,
    Visit,
    VisitMember,
    VisitStatus,
)
from visits.models.reprisal import checks_due_on
from visits.visits.rules import interview_quota

REASON = "Entered twice by mistake"


@pytest.fixture
def world(app: Flask, monitor: Account) -> World:
    return build_world(app, team_member_id=monitor.id)


@pytest.fixture
def as_monitor(client_as: Callable[[Account | None], FlaskClient], monitor: Account) -> AuthActions:
    return AuthActions(client_as(monitor))


@pytest.fixture
def as_supervisor(
    client_as: Callable[[Account | None], FlaskClient], supervisor: Account
) -> AuthActions:
    return AuthActions(client_as(supervisor))


def text_of(response: Any) -> str:
    return str(response.get_data(as_text=True))


def deleted_at(app: Flask, model: Any, object_id: int) -> Any:
    with app.app_context():
        obj = db.session.get(model, object_id)
        assert obj is not None
        return obj.deleted_at


def audit_events(app: Flask, action: str) -> list[tuple[int | None, int | None, dict[str, Any]]]:
    """The events' details, with the (encrypted) texts they refer to read back."""
    with app.app_context():
        rows = db.session.execute(
            select(AuditEvent.user_id, AuditEvent.object_id, AuditEvent.details)
            .where(AuditEvent.action == action)
            .order_by(AuditEvent.id)
        ).all()
        return [
            (user_id, object_id, with_texts(json.loads(details)))
            for user_id, object_id, details in rows
        ]


def with_texts(details: dict[str, Any]) -> dict[str, Any]:
    keys = {key: name for name, value in details.items() if (key := referenced_key(value))}
    texts = texts_by_key(set(keys))
    return details | {name: texts[key] for key, name in keys.items()}


def set_status(app: Flask, visit_id: int, status: VisitStatus) -> None:
    with app.app_context():
        visit = db.session.get(Visit, visit_id)
        assert visit is not None
        visit.status = status
        db.session.commit()


# --- Deleting an interview -----------------------------------------------------------


def test_deleted_interview_disappears_from_every_page_and_count(
    app: Flask, world: World, as_monitor: AuthActions, monitor: Account
) -> None:
    client = as_monitor.client
    with app.app_context():
        visit = db.session.get(Visit, world.visit_id)
        next_visit = db.session.get(Visit, world.next_visit_id)
        assert visit is not None
        assert next_visit is not None
        assert interview_quota(visit).interviewed == 1
        assert len(db.session.scalars(checks_due_on(next_visit)).all()) == 1
    assert "-I1" in text_of(client.get(f"/visits/{world.visit_id}"))

    form = client.get(f"/interviews/{world.interview_id}/delete")
    assert form.status_code == 200
    assert "Why is it deleted?" in text_of(form)
    response = as_monitor.post(f"/interviews/{world.interview_id}/delete", {"reason": REASON})

    assert response.status_code == 302
    assert client.get(f"/interviews/{world.interview_id}").status_code == 404
    assert client.get(f"/interviews/{world.interview_id}/edit").status_code == 404
    visit_page = text_of(client.get(f"/visits/{world.visit_id}"))
    assert "-I1" not in visit_page
    assert "No interview recorded yet." in visit_page
    finding_page = text_of(client.get(f"/findings/{world.finding_id}"))
    assert f"/interviews/{world.interview_id}" not in finding_page  # no longer a source
    next_page = text_of(client.get(f"/visits/{world.next_visit_id}"))
    assert f"check-{world.check_id}" not in next_page
    with app.app_context():
        visit = db.session.get(Visit, world.visit_id)
        next_visit = db.session.get(Visit, world.next_visit_id)
        assert visit is not None
        assert next_visit is not None
        assert interview_quota(visit).interviewed == 0  # the one-third rule
        assert db.session.scalars(checks_due_on(next_visit)).all() == []
        me = db.session.get(User, monitor.id)
        assert dashboard_for(me).reprisal_checks_due == 0
        interview = db.session.get(Interview, world.interview_id)
        assert interview is not None
        assert interview.deleted_at is not None  # hidden, not erased
        assert interview.deleted_by_id == monitor.id
        assert interview.deletion_reason == REASON
    assert audit_events(app, "interview.delete") == [
        (monitor.id, world.interview_id, {"reason": REASON})
    ]


def test_deletion_needs_a_reason(app: Flask, world: World, as_monitor: AuthActions) -> None:
    response = as_monitor.post(f"/interviews/{world.interview_id}/delete", {"reason": "  "})

    assert response.status_code == 422
    assert "Say why it is deleted" in text_of(response)
    assert deleted_at(app, Interview, world.interview_id) is None
    assert audit_events(app, "interview.delete") == []


def test_deleting_twice_is_a_conflict(app: Flask, world: World, as_monitor: AuthActions) -> None:
    url = f"/findings/{world.finding_id}/delete"
    assert as_monitor.post(url, {"reason": REASON}).status_code == 302
    first = deleted_at(app, Finding, world.finding_id)

    again = as_monitor.post(url, {"reason": "Once more"})

    assert again.status_code == 409
    assert "already deleted" in text_of(again)
    assert deleted_at(app, Finding, world.finding_id) == first
    assert len(audit_events(app, "finding.delete")) == 1


@pytest.mark.parametrize("intruder", ["outsider", "admin"])
def test_other_teams_and_administrators_cannot_delete_anything(
    app: Flask,
    world: World,
    client_as: Callable[[Account | None], FlaskClient],
    intruder: str,
    request: pytest.FixtureRequest,
) -> None:
    auth = AuthActions(client_as(request.getfixturevalue(intruder)))
    reason = {"reason": REASON}

    statuses = [
        auth.post(f"/interviews/{world.interview_id}/delete", reason).status_code,
        auth.post(f"/findings/{world.finding_id}/delete", reason).status_code,
        auth.post(f"/attachments/{world.attachment_id}/delete", reason).status_code,
        auth.post(f"/visits/{world.visit_id}/delete", reason).status_code,
    ]

    # Content does not exist for them (404); the visit is known but not theirs (403).
    assert statuses == [404, 404, 404, 403]
    for model, object_id in (
        (Interview, world.interview_id),
        (Finding, world.finding_id),
        (Attachment, world.attachment_id),
        (Visit, world.visit_id),
    ):
        assert deleted_at(app, model, object_id) is None


# --- Deleting a visit -----------------------------------------------------------------


def test_lead_deletes_a_visit_and_its_content_goes_with_it(
    app: Flask, world: World, as_monitor: AuthActions, monitor: Account
) -> None:
    client = as_monitor.client
    with app.app_context():
        place = db.session.get(Place, world.place_id)
        assert place is not None
        assert place.last_visited_on is not None
        visit = db.session.get(Visit, world.visit_id)
        assert visit is not None
        reference = visit.reference
    page = text_of(client.get(f"/visits/{world.visit_id}"))
    assert f'href="/visits/{world.visit_id}/delete"' in page

    response = as_monitor.post(f"/visits/{world.visit_id}/delete", {"reason": REASON})

    assert response.status_code == 302
    assert response.headers["Location"] == "/visits/"
    for url in (
        f"/visits/{world.visit_id}",
        f"/visits/{world.visit_id}/edit",
        f"/visits/{world.visit_id}/checklist",
        f"/visits/{world.visit_id}/interviews/new",
        f"/interviews/{world.interview_id}",
        f"/findings/{world.finding_id}",
        f"/attachments/{world.attachment_id}",
    ):
        assert client.get(url).status_code == 404, url
    assert reference not in text_of(client.get("/visits/"))
    assert reference not in text_of(client.get(f"/places/{world.place_id}"))
    assert f'/visits/{world.visit_id}"' not in text_of(client.get("/"))
    with app.app_context():
        place = db.session.get(Place, world.place_id)
        assert place is not None
        assert place.last_visited_on is None  # the place history forgets the visit
        next_visit = db.session.get(Visit, world.next_visit_id)
        assert next_visit is not None
        assert db.session.scalars(checks_due_on(next_visit)).all() == []
        visit = db.session.get(Visit, world.visit_id)
        assert visit is not None
        assert visit.deleted_by_id == monitor.id
    assert audit_events(app, "visit.delete") == [(monitor.id, world.visit_id, {"reason": REASON})]
    again = as_monitor.post(f"/visits/{world.visit_id}/delete", {"reason": REASON})
    assert again.status_code == 409  # to its team; to anyone else it does not exist
    assert len(audit_events(app, "visit.delete")) == 1


def test_a_deleted_visit_does_not_exist_for_other_teams(
    app: Flask,
    world: World,
    as_monitor: AuthActions,
    client_as: Callable[[Account | None], FlaskClient],
    outsider: Account,
) -> None:
    as_monitor.post(f"/visits/{world.visit_id}/delete", {"reason": REASON})
    intruder = AuthActions(client_as(outsider))

    assert intruder.client.get(f"/visits/{world.visit_id}").status_code == 404
    assert intruder.post(f"/visits/{world.visit_id}/delete", {"reason": REASON}).status_code == 404


def test_only_the_lead_and_supervisors_delete_a_visit(
    app: Flask,
    world: World,
    client_as: Callable[[Account | None], FlaskClient],
    make_user: Callable[..., Account],
    supervisor: Account,
) -> None:
    member = make_user(name="Team Member")
    with app.app_context():
        add(VisitMember(visit_id=world.visit_id, user_id=member.id))
        db.session.commit()
    member_auth = AuthActions(client_as(member))
    page = text_of(member_auth.client.get(f"/visits/{world.visit_id}"))
    assert f"/visits/{world.visit_id}/delete" not in page

    refused = member_auth.post(f"/visits/{world.visit_id}/delete", {"reason": REASON})
    accepted = AuthActions(client_as(supervisor)).post(
        f"/visits/{world.visit_id}/delete", {"reason": REASON}
    )

    assert refused.status_code == 403
    assert accepted.status_code == 302
    assert deleted_at(app, Visit, world.visit_id) is not None


def test_an_approved_visit_keeps_its_record(
    app: Flask, world: World, as_monitor: AuthActions, as_supervisor: AuthActions
) -> None:
    set_status(app, world.visit_id, VisitStatus.APPROVED)
    reason = {"reason": REASON}

    visit = as_supervisor.post(f"/visits/{world.visit_id}/delete", reason)
    team_interview = as_monitor.post(f"/interviews/{world.interview_id}/delete", reason)
    team_file = as_monitor.post(f"/attachments/{world.attachment_id}/delete", reason)
    # A photo that shows who someone is must be removable whatever the state.
    supervisor_file = as_supervisor.post(f"/attachments/{world.attachment_id}/delete", reason)

    assert visit.status_code == 409
    assert "Approved" in text_of(visit)
    assert team_interview.status_code == 409
    assert team_file.status_code == 409
    assert supervisor_file.status_code == 302
    assert deleted_at(app, Visit, world.visit_id) is None
    assert deleted_at(app, Interview, world.interview_id) is None
    assert deleted_at(app, Attachment, world.attachment_id) is not None


# --- Findings and files ---------------------------------------------------------------


def test_deleted_finding_counts_for_nothing(
    app: Flask,
    world: World,
    as_monitor: AuthActions,
    as_supervisor: AuthActions,
    supervisor: Account,
    monitor: Account,
) -> None:
    with app.app_context():
        finding = db.session.get(Finding, world.finding_id)
        assert finding is not None
        finding.review_state = ReviewState.SUBMITTED
        db.session.commit()
        assert dashboard_for(db.session.get(User, supervisor.id)).findings_to_review == 1

    # Under review, the team may no longer delete it (as it may no longer edit it).
    refused = as_monitor.post(f"/findings/{world.finding_id}/delete", {"reason": REASON})
    assert refused.status_code == 409
    assert "submitted for review" in text_of(refused)
    assert deleted_at(app, Finding, world.finding_id) is None
    deleted = as_supervisor.post(f"/findings/{world.finding_id}/delete", {"reason": REASON})
    assert deleted.status_code == 302
    page = text_of(as_monitor.client.get(f"/visits/{world.visit_id}"))
    interview_page = text_of(as_monitor.client.get(f"/interviews/{world.interview_id}"))

    assert "Beatings at arrest" not in page
    assert "No finding recorded yet." in page
    assert "No finding cites this interview yet." in interview_page
    assert as_monitor.client.get(f"/findings/{world.finding_id}/edit").status_code == 404
    with app.app_context():
        assert dashboard_for(db.session.get(User, supervisor.id)).findings_to_review == 0
        # A deleted, unreviewed finding does not hold up the approval.
        from visits.visits.lifecycle import _check_findings_accepted

        visit = db.session.get(Visit, world.visit_id)
        assert visit is not None
        _check_findings_accepted(visit)


def test_deleted_file_is_gone_from_the_visit_and_its_download(
    app: Flask, world: World, as_monitor: AuthActions, monitor: Account
) -> None:
    client = as_monitor.client
    assert "cell.png" in text_of(client.get(f"/visits/{world.visit_id}"))
    assert f"/attachments/{world.attachment_id}/delete" in text_of(
        client.get(f"/visits/{world.visit_id}")
    )

    response = as_monitor.post(f"/attachments/{world.attachment_id}/delete", {"reason": REASON})

    assert response.status_code == 302
    assert client.get(f"/attachments/{world.attachment_id}").status_code == 404
    assert client.get(f"/attachments/{world.attachment_id}?inline=1").status_code == 404
    assert f"/attachments/{world.attachment_id}" not in text_of(
        client.get(f"/visits/{world.visit_id}")
    )
    assert audit_events(app, "attachment.delete") == [
        (monitor.id, world.attachment_id, {"reason": REASON})
    ]


def test_a_finding_file_goes_from_the_finding_page_and_a_deleted_finding_takes_no_file(
    app: Flask, world: World, as_monitor: AuthActions, monitor: Account
) -> None:
    with app.app_context():
        visit = db.session.get(Visit, world.visit_id)
        assert visit is not None
        attached = make_attachment(
            app, visit, monitor.id, finding_id=world.finding_id, original_name="bruise.png"
        )
        db.session.commit()
        attached_id = attached.id
    assert "bruise.png" in text_of(as_monitor.client.get(f"/findings/{world.finding_id}"))

    as_monitor.post(f"/attachments/{attached_id}/delete", {"reason": REASON})
    page = text_of(as_monitor.client.get(f"/findings/{world.finding_id}"))
    assert f"/attachments/{attached_id}" not in page

    as_monitor.post(f"/findings/{world.finding_id}/delete", {"reason": REASON})
    with app.app_context():
        from visits.attachments import services as attachment_services

        visit = db.session.get(Visit, world.visit_id)
        assert visit is not None
        with pytest.raises(attachment_services.ForeignFinding):
            attachment_services.finding_of_visit(visit, world.finding_id)


def test_a_deleted_interview_is_no_source_for_a_finding(
    app: Flask, world: World, as_monitor: AuthActions
) -> None:
    as_monitor.post(f"/interviews/{world.interview_id}/delete", {"reason": REASON})

    response = as_monitor.post(
        f"/visits/{world.visit_id}/findings/new",
        {
            "area": "treatment",
            "source_type": "detainee_interview",
            "interview_ids": [str(world.interview_id)],
            "severity": "low",
            "confidentiality": "internal",
            "title": "Resting on a deleted interview",
            "text": "Text",
        },
    )

    assert response.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.count(Finding.id))) == 1


# --- Restoring -------------------------------------------------------------------------


def test_supervisor_lists_filters_and_restores_deleted_records(
    app: Flask,
    world: World,
    as_monitor: AuthActions,
    as_supervisor: AuthActions,
    monitor: Account,
    supervisor: Account,
) -> None:
    as_monitor.post(f"/interviews/{world.interview_id}/delete", {"reason": "Duplicate of I2"})
    as_monitor.post(f"/attachments/{world.attachment_id}/delete", {"reason": "Blurred photo"})
    client = as_supervisor.client

    listing = text_of(client.get("/deleted/"))
    interviews_only = text_of(client.get("/deleted/?kind=interviews"))
    restored = as_supervisor.post(f"/deleted/interviews/{world.interview_id}/restore")

    assert "2 deleted records" in listing
    assert "Duplicate of I2" in listing
    assert "Blurred photo" in listing
    assert "Mira Monitor" in listing
    assert "Duplicate of I2" in interviews_only
    assert "Blurred photo" not in interviews_only
    assert client.get("/deleted/?kind=users").status_code == 400
    assert restored.status_code == 302
    assert client.get(f"/interviews/{world.interview_id}").status_code == 200
    assert "-I1" in text_of(as_monitor.client.get(f"/visits/{world.visit_id}"))
    assert "Duplicate of I2" not in text_of(client.get("/deleted/"))
    with app.app_context():
        interview = db.session.get(Interview, world.interview_id)
        assert interview is not None
        assert (interview.deleted_at, interview.deleted_by_id, interview.deletion_reason) == (
            None,
            None,
            "",
        )
    assert audit_events(app, "interview.restore") == [
        (supervisor.id, world.interview_id, {"deletion_reason": "Duplicate of I2"})
    ]


def test_restoring_what_is_not_deleted_or_does_not_exist_is_refused(
    app: Flask, world: World, as_supervisor: AuthActions
) -> None:
    live = as_supervisor.post(f"/deleted/findings/{world.finding_id}/restore")
    unknown_kind = as_supervisor.post(f"/deleted/users/{world.finding_id}/restore")
    unknown_id = as_supervisor.post("/deleted/findings/999999/restore")

    assert live.status_code == 409
    assert "nothing to restore" in text_of(live)
    assert unknown_kind.status_code == 404
    assert unknown_id.status_code == 404
    assert audit_events(app, "finding.restore") == []


@pytest.mark.parametrize("who", ["monitor", "outsider", "admin"])
def test_only_supervisors_see_and_restore_deleted_records(
    app: Flask,
    world: World,
    as_monitor: AuthActions,
    client_as: Callable[[Account | None], FlaskClient],
    who: str,
    request: pytest.FixtureRequest,
) -> None:
    as_monitor.post(f"/interviews/{world.interview_id}/delete", {"reason": REASON})
    auth = AuthActions(client_as(request.getfixturevalue(who)))

    assert auth.client.get("/deleted/").status_code == 403
    assert auth.post(f"/deleted/interviews/{world.interview_id}/restore").status_code == 403
    assert deleted_at(app, Interview, world.interview_id) is not None
    assert "Deleted records" not in text_of(auth.client.get("/"))


def test_content_restored_inside_a_deleted_visit_stays_hidden_until_the_visit_returns(
    app: Flask, world: World, as_monitor: AuthActions, as_supervisor: AuthActions
) -> None:
    as_monitor.post(f"/findings/{world.finding_id}/delete", {"reason": REASON})
    as_monitor.post(f"/visits/{world.visit_id}/delete", {"reason": REASON})
    listing = text_of(as_supervisor.client.get("/deleted/"))
    assert "Its visit is deleted too" in listing

    restored = as_supervisor.post(
        f"/deleted/findings/{world.finding_id}/restore", follow_redirects=True
    )
    assert "stays hidden while its visit" in text_of(restored)
    assert as_supervisor.client.get(f"/findings/{world.finding_id}").status_code == 404

    as_supervisor.post(f"/deleted/visits/{world.visit_id}/restore")
    assert as_supervisor.client.get(f"/findings/{world.finding_id}").status_code == 200
    assert as_supervisor.client.get(f"/interviews/{world.interview_id}").status_code == 200


def test_a_restored_interview_is_again_a_source_of_its_findings(
    app: Flask, world: World, as_monitor: AuthActions, as_supervisor: AuthActions
) -> None:
    as_monitor.post(f"/interviews/{world.interview_id}/delete", {"reason": REASON})
    with app.app_context():
        finding = db.session.get(Finding, world.finding_id)
        assert finding is not None
        version = finding.version
    # Saving the finding meanwhile must not cut the hidden link.
    saved = as_monitor.post(
        f"/findings/{world.finding_id}/edit",
        {
            "area": "treatment",
            "source_type": "observation",
            "severity": "high",
            "confidentiality": "confidential",
            "title": "Beatings at arrest",
            "text": "Saved while the interview was deleted",
            "version": str(version),
        },
    )
    assert saved.status_code == 302

    as_supervisor.post(f"/deleted/interviews/{world.interview_id}/restore")

    page = text_of(as_monitor.client.get(f"/findings/{world.finding_id}"))
    assert f"/interviews/{world.interview_id}" in page


def test_deleted_records_page_makes_as_many_queries_for_many_as_for_few(
    app: Flask, world: World, monitor: Account, supervisor: Account, as_supervisor: AuthActions
) -> None:
    def delete_some(count: int) -> None:
        with app.app_context():
            visit = db.session.get(Visit, world.visit_id)
            user = db.session.get(User, monitor.id)
            assert visit is not None
            assert user is not None
            start = db.session.scalar(select(func.count(Interview.id))) or 0
            for number in range(count):
                made = [
                    make_interview(visit, monitor.id, number=start + number + 10),
                    make_finding(visit, monitor.id, number=start + number + 10),
                    make_attachment(app, visit, monitor.id),
                ]
                for obj in made:
                    deletion.soft_delete(obj, user, f"Reason {number}")
            db.session.commit()

    def queries() -> int:
        with counting_queries(app) as statements:
            assert as_supervisor.client.get("/deleted/").status_code == 200
        return len(statements)

    delete_some(1)
    few = queries()
    delete_some(6)
    assert "21 deleted records" in text_of(as_supervisor.client.get("/deleted/"))
    assert queries() == few


def test_deleted_records_page_is_paginated(
    app: Flask, world: World, monitor: Account, as_supervisor: AuthActions
) -> None:
    with app.app_context():
        visit = db.session.get(Visit, world.visit_id)
        user = db.session.get(User, monitor.id)
        assert visit is not None
        assert user is not None
        for number in range(30):
            interview = make_interview(visit, monitor.id, number=number + 10)
            deletion.soft_delete(interview, user, f"Reason number {number:02d}")
            interview.deleted_at = interview.deleted_at + timedelta(minutes=number)
        db.session.commit()

    first = text_of(as_supervisor.client.get("/deleted/"))
    second = text_of(as_supervisor.client.get("/deleted/?page=2"))

    assert "30 deleted records" in first
    assert "Reason number 29" in first
    assert "Reason number 04" not in first
    assert "Reason number 04" in second
