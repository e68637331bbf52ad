"""Approving a visit and writing its content happen one after the other, never across.

Two people at once: a supervisor approves the visit while a monitor saves a
new draft finding into it. Whichever comes first, the other must see it: no
approved visit may hold a finding nobody reviewed. The requests run in
parallel threads against the real database (SQLite or PostgreSQL); a short
pause inside the first one makes the overlap certain rather than lucky.

Guard: ``visits.visits.rules.lock_for_change`` / ``lock_visit``, taken by the
life cycle and by every content write.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from tests.factories import build_world
from tests.support import Account, AuthActions, in_parallel
from visits.extensions import db
from visits.findings import services as findings
from visits.models import Finding, ReviewState, Visit, VisitStatus
from visits.visits import lifecycle
from visits.web import once
from visits.web.once import new_token

PAUSE = 0.4

NEW_FINDING = {
    "area": "treatment",
    "source_type": "observation",
    "severity": "low",
    "confidentiality": "internal",
    "title": "Written while the visit was being approved",
    "text": "A late draft",
}


def visit_in_review(app: Flask, monitor: Account) -> int:
    world = build_world(app, monitor.id)
    with app.app_context():
        visit = db.session.get(Visit, world.visit_id)
        assert visit is not None
        visit.status = VisitStatus.IN_REVIEW
        for finding in db.session.scalars(select(Finding).where(Finding.visit_id == visit.id)):
            finding.review_state = ReviewState.ACCEPTED
        db.session.commit()
        return visit.id


def slowed(function: Callable[..., Any], before: float = 0.0, after: float = 0.0) -> Any:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        time.sleep(before)
        result = function(*args, **kwargs)
        time.sleep(after)
        return result

    return wrapper


def outcome(app: Flask, visit_id: int) -> tuple[VisitStatus, int]:
    with app.app_context():
        visit = db.session.get(Visit, visit_id)
        assert visit is not None
        unreviewed = db.session.scalar(
            select(func.count(Finding.id)).where(
                Finding.visit_id == visit_id, Finding.review_state != ReviewState.ACCEPTED
            )
        )
        return visit.status, int(unreviewed or 0)


@pytest.fixture
def clients(
    monitor: Account, supervisor: Account, client_as: Callable[[Account | None], Any]
) -> tuple[AuthActions, AuthActions]:
    return AuthActions(client_as(monitor)), AuthActions(client_as(supervisor))


def race(visit_id: int, team: AuthActions, chief: AuthActions) -> tuple[int, int]:
    team_token, chief_token = team.csrf_token(), chief.csrf_token()
    responses = in_parallel(
        [
            lambda: team.client.post(
                f"/visits/{visit_id}/findings/new",
                data={"csrf_token": team_token, "form_token": new_token(), **NEW_FINDING},
            ),
            lambda: chief.client.post(
                f"/visits/{visit_id}/transition",
                data={"csrf_token": chief_token, "target": "approved"},
            ),
        ]
    )
    return responses[0].status_code, responses[1].status_code


def test_a_draft_written_while_the_visit_is_approved_is_refused(
    app: Flask,
    monitor: Account,
    clients: tuple[AuthActions, AuthActions],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    visit_id = visit_in_review(app, monitor)
    # The approval has counted the unreviewed findings (none) and pauses before
    # saving; the draft arrives meanwhile.
    checked = lifecycle._check_findings_accepted
    monkeypatch.setattr(lifecycle, "_check_findings_accepted", slowed(checked, after=PAUSE))
    # The draft's one-time token is claimed first (a write): it too waits, so the
    # approval holds the visit when the draft begins.
    monkeypatch.setattr(once, "claim", slowed(once.claim, PAUSE / 4))
    monkeypatch.setattr(findings, "create_finding", slowed(findings.create_finding, PAUSE / 4))

    created, approved = race(visit_id, *clients)

    assert approved == 302
    assert created == 409
    assert outcome(app, visit_id) == (VisitStatus.APPROVED, 0)


def test_an_approval_made_while_a_draft_is_being_saved_sees_it(
    app: Flask,
    monitor: Account,
    clients: tuple[AuthActions, AuthActions],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    visit_id = visit_in_review(app, monitor)
    # The draft is being saved, slowly; the approval arrives meanwhile.
    monkeypatch.setattr(findings, "next_number", slowed(findings.next_number, after=PAUSE))
    monkeypatch.setattr(lifecycle, "lock_visit", slowed(lifecycle.lock_visit, before=PAUSE / 4))

    created, approved = race(visit_id, *clients)

    assert created == 302
    assert approved == 409
    assert outcome(app, visit_id) == (VisitStatus.IN_REVIEW, 1)
