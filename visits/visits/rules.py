"""What every rule about a visit's content shares: the visit's lock, its dates, its counts."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, text
from sqlalchemy.orm.attributes import set_committed_value

from visits.errors import Invalid, WrongState
from visits.extensions import db
from visits.i18n import add_years, npm_today, show_day
from visits.models import Interview, Visit
from visits.models.interview import DETAINEE_KINDS
from visits.models.visit import VISITED_STATUSES


def lock_visit(visit: Visit) -> None:
    """Hold the visit's row until this transaction ends, and read its state afresh.

    Every change to a visit's content and every move of its life cycle takes
    this lock first, so that approving a visit and writing a draft into it
    happen one after the other, never across each other: the second sees
    what the first did. PostgreSQL locks the row (``SELECT ... FOR UPDATE``);
    SQLite, which has no row locks, takes its database write lock with a
    write that changes nothing (pysqlite begins the transaction there).
    """
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(text("UPDATE visits SET id = id WHERE id = :id"), {"id": visit.id})
    # Only the status: the version stays the one the page was opened with, so that
    # an edit of the visit itself still detects a save made meanwhile.
    status = db.session.scalar(select(Visit.status).where(Visit.id == visit.id).with_for_update())
    set_committed_value(visit, "status", status)


def lock_for_change(visit: Visit) -> None:
    """``lock_visit``, refusing with 409 when the visit turned out to be approved meanwhile."""
    lock_visit(visit)
    if visit.is_locked:
        raise WrongState(visit.locked_message)


class BeforeFieldwork(WrongState):
    """Interviews and findings come from the visit itself: none before the team is on site."""


def check_fieldwork_started(visit: Visit) -> None:
    """Interviews and findings are recorded once the team is on site, or later.

    What a team learns before the visit (a complaint, a report) goes into the
    visit's purpose; an interview is held and a finding made on the visit.
    Recording them earlier would also date them before the visit and, for an
    interview with a reprisal risk, open a check on the place of a visit
    that may never happen.
    """
    if visit.status not in VISITED_STATUSES:
        raise BeforeFieldwork(
            _(
                "This visit is %(status)s: interviews and findings are recorded once the "
                "team is on site. Move the visit to “On site” first.",
                status=visit.status.label,
            )
        )


# How far ahead a visit may be dated: further is a mistyped year.
YEARS_AHEAD = 2


def founding_year() -> int:
    """The year the NPM began (``NPM_FOUNDING_YEAR``): nothing it recorded is older."""
    return int(current_app.config["NPM_FOUNDING_YEAR"])


def latest_visit_day() -> date:
    return add_years(npm_today(), YEARS_AHEAD)


def check_visit_day(day: date, field: str) -> None:
    """Refuse a visit's day before the NPM existed or more than two years ahead.

    Such a date is a slip of the keyboard (2062 for 2026, 0202 for 2020), and
    it would put the visit first or last in every list for years.
    """
    if day.year < founding_year():
        raise Invalid(
            _(
                "%(day)s is before %(year)d, when the NPM began its visits: check the year.",
                day=show_day(day),
                year=founding_year(),
            ),
            field=field,
        )
    if day > latest_visit_day():
        raise Invalid(
            _(
                "%(day)s is more than two years ahead: a visit can be dated up to "
                "%(latest)s. Check the year.",
                day=show_day(day),
                latest=show_day(latest_visit_day()),
            ),
            field=field,
        )


def check_dates(start_date: date, end_date: date, saved: Visit | None = None) -> None:
    """A visit's days: each plausible, the last not before the first.

    A day left as it is on ``saved`` is not checked again: a visit recorded before
    this rule, or long ago, stays editable.
    """
    for field, day in (("start_date", start_date), ("end_date", end_date)):
        if saved is None or getattr(saved, field) != day:
            check_visit_day(day, field)
    if end_date < start_date:
        raise Invalid(_("The last day cannot be before the first day."), field="end_date")


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
