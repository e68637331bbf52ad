"""What the dashboard shows each person: their visits, reviews and checks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import aliased

from visits.access import can
from visits.access.rules import can_read_content, is_supervisor, visits_with_content_for
from visits.approvals import requests
from visits.extensions import db
from visits.models import (
    ReprisalCheck,
    ReviewState,
    Visit,
    VisitMember,
    VisitStatus,
)
from visits.models.finding import findings_across_visits
from visits.models.reprisal import follows, open_checks

ACTIVE_STATUSES = (
    VisitStatus.PLANNED,
    VisitStatus.PREPARING,
    VisitStatus.ON_SITE,
    VisitStatus.ANALYSIS,
    VisitStatus.IN_REVIEW,
)
UPCOMING_STATUSES = (VisitStatus.PLANNED, VisitStatus.PREPARING, VisitStatus.ON_SITE)
SHOWN = 10


@dataclass
class Dashboard:
    my_visits: list[Visit] = field(default_factory=list)
    visits_in_review: list[Visit] = field(default_factory=list)
    findings_to_review: int = 0
    findings_returned: int = 0
    reprisal_checks_due: int = 0
    # Access requests, for a supervisor who may decide them; the account's own wait.
    may_approve: bool = False
    approvals_pending: int = 0
    awaiting_approval: bool = False


def dashboard_for(user: Any) -> Dashboard:
    """A handful of queries, whatever the amount of data."""
    board = Dashboard(awaiting_approval=bool(user.awaiting_approval))
    if not can_read_content(user):
        return board
    board.my_visits = list(
        db.session.scalars(
            Visit.listing(member_id=user.id).where(Visit.status.in_(ACTIVE_STATUSES)).limit(SHOWN)
        )
    )
    # Deleted visits, and deleted content, count for nothing.
    my_visit_ids = (
        select(VisitMember.visit_id)
        .join(Visit, Visit.id == VisitMember.visit_id)
        .where(
            VisitMember.user_id == user.id,
            VisitMember.awaiting_approval.is_(False),
            Visit.live(),
        )
    )
    # What the counts say is what their links list (``findings.index``).
    readable = visits_with_content_for(user)
    board.findings_returned = _count(findings_across_visits(readable, ReviewState.RETURNED))
    upcoming = aliased(Visit)
    due_on_my_upcoming_visits = exists().where(
        upcoming.id.in_(my_visit_ids),
        upcoming.status.in_(UPCOMING_STATUSES),
        follows(upcoming),
    )
    board.reprisal_checks_due = (
        db.session.scalar(
            open_checks()
            .where(due_on_my_upcoming_visits)
            .with_only_columns(func.count(ReprisalCheck.id))
        )
        or 0
    )
    if can(user, "approve_access"):
        board.may_approve = True
        board.approvals_pending = requests.pending_count()
    if is_supervisor(user):
        board.visits_in_review = list(
            db.session.scalars(Visit.listing(status=VisitStatus.IN_REVIEW).limit(SHOWN))
        )
        board.findings_to_review = _count(findings_across_visits(readable, ReviewState.SUBMITTED))
    return board


def _count(query: Select[Any]) -> int:
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
