"""Reprisal checks: only a visit to the place that has been on site since records an
outcome; outcomes keep their history; cancelling or deleting the visit that recorded
one opens the check again for the next visit, and restoring it lets it stand again.

The world (tests.factories): the visit that raised the check ended nine days ago;
its team's next visit to the place, in twenty days, is being prepared.

Guards: visits/reprisals.py (``concerns``, ``recording_refusal``, ``follow_visit``),
called from visits/visits/views.py ``record_reprisal_check``, visits/visits/lifecycle.py
``transition`` and visits/deleted/services.py ``soft_delete`` / ``restore``; the SQL of
visits/models/reprisal.py (``ReprisalCheck.is_open``, ``follows``).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from tests.factories import World, add, build_world, make_interview, make_visit
from tests.support import Account, AuthActions, counting_queries
from visits import reprisals
from visits.errors import WrongState
from visits.extensions import db
from visits.i18n import npm_today
from visits.main.dashboard import dashboard_for
from visits.models import (
    AuditEvent,
    Interview,
    PlannedVisit,
    ReprisalCheck,
    ReprisalCheckOutcome,
    ReprisalOutcome,
    User,
    Visit,
    VisitStatus,
)
from visits.models.base import utcnow

ClientAs = Callable[[Account | None], FlaskClient]
S = VisitStatus


@pytest.fixture
def world(app: Flask, monitor: Account) -> World:
    return build_world(app, monitor.id)


@pytest.fixture
def team(client_as: ClientAs, monitor: Account) -> AuthActions:
    return AuthActions(client_as(monitor))


def text_of(response: Any) -> str:
    return str(response.get_data(as_text=True))


def visit_at_the_place(
    app: Flask, world: World, lead_id: int, status: VisitStatus, days_after_the_interview: int
) -> int:
    """A visit to the world's place starting ``days`` after the interview's visit ended."""
    with app.app_context():
        raised_on = db.session.get(Visit, world.visit_id)
        assert raised_on is not None
        start = raised_on.end_date + timedelta(days=days_after_the_interview)
        visit = make_visit(raised_on.place, lead_id, status=status, start_date=start)
        db.session.commit()
        return visit.id


def later_visit(app: Flask, world: World, lead_id: int, status: VisitStatus) -> int:
    return visit_at_the_place(app, world, lead_id, status, days_after_the_interview=3)


def set_status(app: Flask, visit_id: int, status: VisitStatus) -> None:
    with app.app_context():
        visit = db.session.get(Visit, visit_id)
        assert visit is not None
        visit.status = status
        db.session.commit()


def record(
    team: AuthActions, visit_id: int, check_id: int, status: str = "no_signs", note: str = ""
) -> Any:
    prefix = f"check{check_id}-"
    return team.post(
        f"/visits/{visit_id}/reprisal-checks/{check_id}",
        {
            f"{prefix}csrf_token": team.csrf_token(),
            f"{prefix}status": status,
            f"{prefix}note": note,
        },
    )


def form_action(visit_id: int, check_id: int) -> str:
    return f'action="/visits/{visit_id}/reprisal-checks/{check_id}"'


def history(app: Flask, check_id: int) -> list[tuple[int, ReprisalOutcome, bool]]:
    """(visit, outcome, still stands) of each outcome, oldest first."""
    with app.app_context():
        return [
            (entry.visit_id, entry.outcome, entry.stands)
            for entry in db.session.scalars(
                select(ReprisalCheckOutcome)
                .where(ReprisalCheckOutcome.check_id == check_id)
                .order_by(ReprisalCheckOutcome.id)
            )
        ]


def is_open(app: Flask, check_id: int) -> bool:
    with app.app_context():
        query = select(ReprisalCheck.id).where(
            ReprisalCheck.id == check_id, ReprisalCheck.is_open()
        )
        return db.session.scalar(query) is not None


def events(app: Flask, action: str) -> list[dict[str, Any]]:
    with app.app_context():
        rows = db.session.scalars(
            select(AuditEvent.details).where(AuditEvent.action == action).order_by(AuditEvent.id)
        )
        return [json.loads(details) for details in rows]


def checks_due(app: Flask, account: Account) -> int:
    """The dashboard's count of checks due on the person's coming visits."""
    with app.app_context():
        return dashboard_for(db.session.get(User, account.id)).reprisal_checks_due


def reference(app: Flask, visit_id: int) -> str:
    with app.app_context():
        visit = db.session.get(Visit, visit_id)
        assert visit is not None
        return visit.reference


def assert_nothing_recorded(app: Flask, world: World) -> None:
    assert history(app, world.check_id) == []
    assert events(app, "reprisal_check.record") == []
    assert is_open(app, world.check_id)


# --- Which visit records ------------------------------------------------------------------


@pytest.mark.parametrize("status", [S.PLANNED, S.PREPARING])
def test_a_visit_still_to_go_sees_the_check_due_but_cannot_record_it(
    app: Flask, world: World, team: AuthActions, monitor: Account, status: VisitStatus
) -> None:
    visit_id = later_visit(app, world, monitor.id, status)

    page = text_of(team.client.get(f"/visits/{visit_id}"))
    assert f"{reference(app, world.visit_id)}-I1" in page
    assert "To check once the team is on site" in page
    assert form_action(visit_id, world.check_id) not in page

    refused = record(team, visit_id, world.check_id, note="Seen in the yard")
    assert refused.status_code == 409
    assert "The team records this check once it is on site" in text_of(refused)
    assert_nothing_recorded(app, world)


@pytest.mark.parametrize(
    ("status", "refusal"),
    [
        (S.CANCELLED, "This visit is Cancelled: its content can no longer be changed."),
        (S.APPROVED, "This visit is Approved: its content can no longer be changed."),
    ],
)
def test_a_cancelled_or_approved_visit_cannot_record(
    app: Flask,
    world: World,
    team: AuthActions,
    monitor: Account,
    status: VisitStatus,
    refusal: str,
) -> None:
    visit_id = later_visit(app, world, monitor.id, status)

    page = text_of(team.client.get(f"/visits/{visit_id}"))
    assert 'id="reprisal-checks"' not in page

    refused = record(team, visit_id, world.check_id)
    assert refused.status_code == 409
    assert refusal in text_of(refused)
    assert_nothing_recorded(app, world)


def test_a_deleted_visit_cannot_record(
    app: Flask, world: World, team: AuthActions, monitor: Account
) -> None:
    visit_id = later_visit(app, world, monitor.id, S.ON_SITE)
    assert team.post(f"/visits/{visit_id}/delete", {"reason": "Twice"}).status_code == 302

    assert record(team, visit_id, world.check_id).status_code == 404
    assert_nothing_recorded(app, world)


def test_a_visit_deleted_while_its_team_typed_the_outcome_records_nothing(
    app: Flask, world: World, monitor: Account
) -> None:
    visit_id = later_visit(app, world, monitor.id, S.ON_SITE)
    with app.test_request_context():
        check = db.get_or_404(ReprisalCheck, world.check_id)
        visit = db.get_or_404(Visit, visit_id)  # loaded before the deletion
        author = db.get_or_404(User, monitor.id)
        with db.engine.begin() as another_request:
            another_request.execute(
                update(Visit).where(Visit.id == visit_id).values(deleted_at=utcnow())
            )
        with pytest.raises(WrongState, match="A cancelled or deleted visit"):
            reprisals.record(check, visit, author, ReprisalOutcome.NO_SIGNS, "")
        db.session.rollback()
    assert_nothing_recorded(app, world)


@pytest.mark.parametrize("days_after_the_interview", [-30, -1])
def test_an_earlier_visit_to_the_place_cannot_record(
    app: Flask, world: World, team: AuthActions, monitor: Account, days_after_the_interview: int
) -> None:
    """Before the interview, or overlapping its visit: the person had not spoken yet."""
    visit_id = visit_at_the_place(app, world, monitor.id, S.ANALYSIS, days_after_the_interview)

    assert 'id="reprisal-checks"' not in text_of(team.client.get(f"/visits/{visit_id}"))
    refused = record(team, visit_id, world.check_id)
    assert refused.status_code == 409
    assert f"This visit started before visit {reference(app, world.visit_id)} ended" in text_of(
        refused
    )
    assert_nothing_recorded(app, world)


def test_the_interviews_own_visit_cannot_record(
    app: Flask, world: World, team: AuthActions
) -> None:
    assert record(team, world.visit_id, world.check_id).status_code == 404
    assert_nothing_recorded(app, world)


def test_a_later_visit_on_site_records_and_the_interview_shows_the_history(
    app: Flask, world: World, team: AuthActions, monitor: Account
) -> None:
    visit_id = later_visit(app, world, monitor.id, S.ON_SITE)
    assert form_action(visit_id, world.check_id) in text_of(team.client.get(f"/visits/{visit_id}"))

    response = record(team, visit_id, world.check_id, note="Seen alone; no fear")
    assert response.status_code == 302, text_of(response)

    assert history(app, world.check_id) == [(visit_id, ReprisalOutcome.NO_SIGNS, True)]
    assert not is_open(app, world.check_id)
    assert events(app, "reprisal_check.record") == [{"outcome": "no_signs", "visit_id": visit_id}]
    interview_page = text_of(team.client.get(f"/interviews/{world.interview_id}"))
    history_part = interview_page.split('class="reprisal-history"', 1)[1]
    assert f"No sign of reprisals: recorded on visit {reference(app, visit_id)}." in history_part
    assert "Seen alone; no fear" in history_part
    assert "Mira Monitor" in history_part
    # Reading what was found about the person's safety is audited, like the interview.
    assert events(app, "reprisal_check.outcome_read") == [{}]


def test_a_second_visit_adds_its_outcome_and_the_latest_stands(
    app: Flask, world: World, team: AuthActions, monitor: Account
) -> None:
    """Two teams at the place at once: the second keeps what it typed, and counts from now."""
    first = later_visit(app, world, monitor.id, S.ON_SITE)
    second = later_visit(app, world, monitor.id, S.ANALYSIS)
    assert form_action(second, world.check_id) in text_of(team.client.get(f"/visits/{second}"))

    assert record(team, first, world.check_id).status_code == 302
    response = record(team, second, world.check_id, "signs_found", "Threatened by a guard")
    assert response.status_code == 302, text_of(response)

    assert history(app, world.check_id) == [
        (first, ReprisalOutcome.NO_SIGNS, True),
        (second, ReprisalOutcome.SIGNS_FOUND, True),
    ]
    page = text_of(team.client.get(f"/interviews/{world.interview_id}"))
    history_part = page.split('class="reprisal-history"', 1)[1]
    assert f"Signs of reprisals found: recorded on visit {reference(app, second)}." in history_part
    # Latest first.
    assert history_part.index(reference(app, second)) < history_part.index(reference(app, first))
    assert history_part.index("Threatened by a guard") < history_part.index("No sign of reprisals")
    with app.app_context():
        check = db.session.get(ReprisalCheck, world.check_id)
        assert check is not None
        assert check.current is not None
        assert check.current.visit_id == second


# --- What undoes an outcome -----------------------------------------------------------------


def test_cancelling_the_recording_visit_reopens_the_check_for_the_next_visit(
    app: Flask, world: World, team: AuthActions, monitor: Account
) -> None:
    recorder = later_visit(app, world, monitor.id, S.ON_SITE)
    assert checks_due(app, monitor) == 1  # the world's next visit, being prepared
    assert record(team, recorder, world.check_id, note="Seen alone").status_code == 302
    assert checks_due(app, monitor) == 0
    next_page = text_of(team.client.get(f"/visits/{world.next_visit_id}"))
    assert f"check-{world.check_id}" not in next_page

    cancelled = team.post(
        f"/visits/{recorder}/transition", {"target": "cancelled", "comment": "Refused entry"}
    )
    assert cancelled.status_code == 302, text_of(cancelled)

    assert history(app, world.check_id) == [(recorder, ReprisalOutcome.NO_SIGNS, False)]
    assert is_open(app, world.check_id)
    assert checks_due(app, monitor) == 1
    next_page = text_of(team.client.get(f"/visits/{world.next_visit_id}"))
    assert f"check-{world.check_id}" in next_page
    assert events(app, "reprisal_check.reopen") == [
        {"because": "visit_cancelled", "visit_id": recorder}
    ]
    interview_page = text_of(team.client.get(f"/interviews/{world.interview_id}"))
    assert "To be checked: the next visit to this place records it" in interview_page
    assert "No longer stands: its visit was cancelled." in interview_page
    assert "Seen alone" in interview_page  # kept in the history

    set_status(app, world.next_visit_id, S.ON_SITE)
    assert record(team, world.next_visit_id, world.check_id).status_code == 302
    assert not is_open(app, world.check_id)


def test_deleting_the_recording_visit_reopens_the_check_and_restoring_it_reinstates_it(
    app: Flask,
    world: World,
    team: AuthActions,
    monitor: Account,
    supervisor: Account,
    client_as: ClientAs,
) -> None:
    recorder = later_visit(app, world, monitor.id, S.ANALYSIS)
    assert record(team, recorder, world.check_id, note="Seen alone").status_code == 302

    assert team.post(f"/visits/{recorder}/delete", {"reason": "Entered twice"}).status_code == 302

    assert history(app, world.check_id) == [(recorder, ReprisalOutcome.NO_SIGNS, False)]
    assert is_open(app, world.check_id)
    assert checks_due(app, monitor) == 1
    assert f"check-{world.check_id}" in text_of(team.client.get(f"/visits/{world.next_visit_id}"))
    assert events(app, "reprisal_check.reopen") == [
        {"because": "visit_deleted", "visit_id": recorder}
    ]
    interview_page = text_of(team.client.get(f"/interviews/{world.interview_id}"))
    assert "No longer stands: its visit was deleted." in interview_page
    assert f"/visits/{recorder}" not in interview_page
    assert "Seen alone" not in interview_page  # hidden with its visit

    manager = AuthActions(client_as(supervisor))
    assert manager.post(f"/deleted/visits/{recorder}/restore").status_code == 302

    assert history(app, world.check_id) == [(recorder, ReprisalOutcome.NO_SIGNS, True)]
    assert not is_open(app, world.check_id)
    assert checks_due(app, monitor) == 0
    assert events(app, "reprisal_check.reinstate") == [{"visit_id": recorder}]
    assert "Seen alone" in text_of(team.client.get(f"/interviews/{world.interview_id}"))


def test_a_restored_visit_that_no_longer_follows_the_interview_does_not_stand_again(
    app: Flask,
    world: World,
    team: AuthActions,
    monitor: Account,
    supervisor: Account,
    client_as: ClientAs,
) -> None:
    recorder = later_visit(app, world, monitor.id, S.ON_SITE)
    assert record(team, recorder, world.check_id).status_code == 302
    assert team.post(f"/visits/{recorder}/delete", {"reason": "Wrong dates"}).status_code == 302
    with app.app_context():  # meanwhile the interview's visit turns out to have ended later
        raised_on = db.session.get(Visit, world.visit_id)
        restored = db.session.get(Visit, recorder)
        assert raised_on is not None
        assert restored is not None
        raised_on.end_date = restored.start_date + timedelta(days=1)
        db.session.commit()

    manager = AuthActions(client_as(supervisor))
    assert manager.post(f"/deleted/visits/{recorder}/restore").status_code == 302

    assert history(app, world.check_id) == [(recorder, ReprisalOutcome.NO_SIGNS, False)]
    assert is_open(app, world.check_id)
    assert events(app, "reprisal_check.reinstate") == []


def test_the_dashboard_counts_a_check_due_only_on_a_coming_visit_after_the_interview(
    app: Flask, world: World, monitor: Account
) -> None:
    """Not on the visit that raised it, still on site, nor on one that started before it ended."""
    assert checks_due(app, monitor) == 1  # the world's check, on the next visit
    with app.app_context():
        entry = db.session.get(PlannedVisit, world.entry_id)
        assert entry is not None
        today = npm_today()
        on_site = make_visit(entry.place, monitor.id, status=S.ON_SITE, start_date=today)
        interview = make_interview(on_site, monitor.id, reprisal_risk=True)
        add(ReprisalCheck(place=entry.place, interview=interview))
        make_visit(entry.place, monitor.id, status=S.PREPARING, start_date=today)
        db.session.commit()
    assert checks_due(app, monitor) == 1
    with app.app_context():
        entry = db.session.get(PlannedVisit, world.entry_id)
        assert entry is not None
        later = npm_today() + timedelta(days=9)
        make_visit(entry.place, monitor.id, status=S.PLANNED, start_date=later)
        db.session.commit()
    assert checks_due(app, monitor) == 2


# --- The audit trail ---------------------------------------------------------------------------


def csv_details(client: FlaskClient) -> dict[str, dict[str, Any]]:
    body = text_of(client.get("/admin/audit/export.csv"))
    details: dict[str, dict[str, Any]] = {}
    for row in csv.DictReader(io.StringIO(body.lstrip("\ufeff"))):
        details.setdefault(row["action"], json.loads(row["details"]))
    return details


def test_an_administrator_learns_nothing_of_a_reopening(
    app: Flask,
    world: World,
    team: AuthActions,
    monitor: Account,
    admin: Account,
    supervisor: Account,
    client_as: ClientAs,
) -> None:
    recorder = later_visit(app, world, monitor.id, S.ON_SITE)
    assert record(team, recorder, world.check_id).status_code == 302
    team.post(f"/visits/{recorder}/transition", {"target": "cancelled", "comment": "Storm"})

    as_admin = client_as(admin)
    assert "Reprisal check reopened" in text_of(as_admin.get("/admin/audit"))
    hidden = "Hidden from your role"
    assert csv_details(as_admin)["reprisal_check.reopen"] == {
        "because": hidden,
        "visit_id": hidden,
    }
    assert csv_details(client_as(supervisor))["reprisal_check.reopen"] == {
        "because": "visit_cancelled",
        "visit_id": recorder,
    }


# --- Queries ------------------------------------------------------------------------------------


def add_checks(app: Flask, world: World, visit_id: int, author_id: int, count: int) -> None:
    """``count`` checks due on the visit and ``count`` it recorded."""
    with app.app_context():
        raised_on = db.session.get(Visit, world.visit_id)
        assert raised_on is not None
        first = 1 + (
            db.session.scalar(
                select(func.max(Interview.number)).where(Interview.visit_id == raised_on.id)
            )
            or 0
        )
        for number in range(first, first + 2 * count):
            interview = make_interview(raised_on, author_id, number=number, reprisal_risk=True)
            check = add(ReprisalCheck(place=raised_on.place, interview=interview))
            if number % 2:
                add(
                    ReprisalCheckOutcome(
                        check=check,
                        visit_id=visit_id,
                        outcome=ReprisalOutcome.SIGNS_FOUND,
                        note=f"Note {number}",
                        recorded_by_id=author_id,
                    )
                )
        db.session.commit()


def test_the_visit_page_makes_as_many_queries_for_ten_checks_as_for_two(
    app: Flask, world: World, team: AuthActions, monitor: Account
) -> None:
    visit_id = later_visit(app, world, monitor.id, S.ON_SITE)

    def queries() -> int:
        with counting_queries(app) as statements:
            assert team.client.get(f"/visits/{visit_id}").status_code == 200
        return len(statements)

    add_checks(app, world, visit_id, monitor.id, 1)
    few = queries()
    add_checks(app, world, visit_id, monitor.id, 5)
    page = text_of(team.client.get(f"/visits/{visit_id}"))
    assert page.count(f'action="/visits/{visit_id}/reprisal-checks/') == 1 + 1 + 5
    assert page.count("Signs of reprisals found</strong>") == 1 + 5
    assert queries() == few
