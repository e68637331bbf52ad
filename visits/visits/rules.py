"""What every rule of the visits area shares: its refusals and its counts.

Every refusal raises a ``VisitRuleError`` subclass carrying a translated
message and the HTTP status the view answers with, so that no broken rule
ever becomes a 500.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from visits.access.rules import can_see_content
from visits.extensions import db
from visits.models import Interview, Visit
from visits.models.interview import DETAINEE_KINDS


class VisitRuleError(Exception):
    """A change the rules refuse; ``field`` names the form field it concerns."""

    status = 422

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidChange(VisitRuleError):
    """What was entered breaks a rule: the form comes back with the message."""

    status = 422


class WrongState(VisitRuleError):
    """The visit's state (or the record's) forbids the change."""

    status = 409


class NotAllowed(VisitRuleError):
    """This person may not make this change."""

    status = 403


class NotFound(VisitRuleError):
    """The object named does not belong to this visit."""

    status = 404


def require_editable(user: Any, visit: Visit) -> None:
    """The team or a supervisor, before approval (the same rule as the policy's)."""
    if not can_see_content(user, visit):
        raise NotAllowed(_("Only the visit's team and supervisors can change this visit."))
    if visit.is_locked:
        raise WrongState(
            _(
                "This visit is %(status)s: its content can no longer be changed.",
                status=visit.status.label,
            )
        )


def check_dates(start_date: date, end_date: date) -> None:
    if end_date < start_date:
        raise InvalidChange(_("The last day cannot be before the first day."), field="end_date")


def people_interviewed(visit: Visit) -> int:
    """People held who were interviewed: individual and group interviews, by head."""
    total = db.session.scalar(
        select(func.coalesce(func.sum(Interview.people_count), 0)).where(
            Interview.visit_id == visit.id,
            Interview.kind.in_(DETAINEE_KINDS),
            Interview.live(),
        )
    )
    return int(total or 0)


@dataclass(frozen=True)
class InterviewQuota:
    """How many people held were interviewed against the third of those held."""

    interviewed: int
    population: int | None

    @property
    def needed(self) -> int | None:
        return None if self.population is None else math.ceil(self.population / 3)

    @property
    def met(self) -> bool:
        return self.needed is not None and self.interviewed >= self.needed


def interview_quota(visit: Visit) -> InterviewQuota:
    return InterviewQuota(people_interviewed(visit), visit.population_total)
