"""Interview rules: numbering and pseudonyms, population, consent, reprisal checks.

Who may change an interview, and who may see its identity, is
``visits.access``; these functions enforce state, add and flush.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from visits import audit
from visits.errors import Invalid, WrongState
from visits.extensions import db
from visits.i18n import npm_today
from visits.models import (
    ConsentScope,
    Finding,
    Interview,
    InterviewKind,
    ReprisalCheck,
    User,
    Visit,
)
from visits.models.base import check_version
from visits.models.finding import finding_interviews
from visits.models.interview import DETAINEE_KINDS
from visits.models.reprisal import check_with_history
from visits.visits.rules import check_fieldwork_started, lock_for_change, lock_visit

# Two team members saving at the same moment may pick the same number; the
# unique constraint refuses the second, which then takes the next one.
NUMBERING_ATTEMPTS = 3


@dataclass(frozen=True)
class InterviewInput:
    kind: InterviewKind
    people_count: int
    conducted_on: date | None
    consent_scope: ConsentScope
    consent_date: date | None
    # None: kept as it is (the form of someone outside the team has no identity).
    real_name: str | None
    identifying_details: str | None
    reprisal_risk: bool
    notes: str


class TooManyInterviewed(Invalid):
    """More people interviewed than were held on the day."""

    def __init__(self, population: int, already: int) -> None:
        super().__init__(
            _(
                "People held on the day: %(population)d. Already interviewed: %(already)d. "
                "This interview would count more people than were there: check the number "
                "of people, or correct the population on the visit.",
                population=population,
                already=already,
            ),
            field="people_count",
        )


def _consent_withdrawn() -> WrongState:
    return WrongState(
        _("The person withdrew their consent to this interview: it can no longer be changed.")
    )


def pseudonym_for(visit: Visit, number: int) -> str:
    """``V-2026-0042-I3``: the visit's reference and the interview's number."""
    return f"{visit.reference}-I{number}"


def next_number(visit_id: int) -> int:
    highest = db.session.scalar(
        select(func.max(Interview.number)).where(Interview.visit_id == visit_id)
    )
    return (highest or 0) + 1


def people_interviewed(visit_id: int, excluding_id: int | None = None) -> int:
    """People held who were interviewed on this visit (staff and doctors aside)."""
    query = select(func.coalesce(func.sum(Interview.people_count), 0)).where(
        Interview.visit_id == visit_id,
        Interview.kind.in_(DETAINEE_KINDS),
        Interview.live(),
    )
    if excluding_id is not None:
        query = query.where(Interview.id != excluding_id)
    return int(db.session.scalar(query) or 0)


def check_population(visit: Visit, data: InterviewInput, excluding_id: int | None = None) -> None:
    """Refuse to count more people interviewed than the population recorded on the day."""
    if visit.population_total is None or data.kind not in DETAINEE_KINDS:
        return
    already = people_interviewed(visit.id, excluding_id)
    if already + data.people_count > visit.population_total:
        raise TooManyInterviewed(visit.population_total, already)


def _apply(interview: Interview, data: InterviewInput) -> None:
    interview.kind = data.kind
    interview.people_count = data.people_count
    interview.conducted_on = data.conducted_on
    interview.consent_scope = data.consent_scope
    interview.consent_date = data.consent_date
    if data.real_name is not None:
        interview.real_name = data.real_name
    if data.identifying_details is not None:
        interview.identifying_details = data.identifying_details
    interview.reprisal_risk = data.reprisal_risk
    interview.notes = data.notes


def ensure_reprisal_check(interview: Interview, visit: Visit) -> ReprisalCheck | None:
    """A reprisal risk raises one check for the next visit to the place, never two."""
    if not interview.reprisal_risk:
        return None
    existing = db.session.scalar(
        select(ReprisalCheck).where(ReprisalCheck.interview_id == interview.id)
    )
    if existing is not None:
        return existing
    check = ReprisalCheck(place_id=visit.place_id, interview_id=interview.id)
    db.session.add(check)
    db.session.flush()
    audit.record("reprisal_check.create", check, interview_id=interview.id)
    return check


def create_interview(visit: Visit, author: User, data: InterviewInput) -> Interview:
    """Record an interview under the next pseudonym of the visit (on site or later)."""
    lock_for_change(visit)
    check_fieldwork_started(visit)
    check_population(visit, data)
    for attempt in range(NUMBERING_ATTEMPTS):
        number = next_number(visit.id)
        interview = Interview(
            visit_id=visit.id,
            number=number,
            pseudonym=pseudonym_for(visit, number),
            created_by_id=author.id,
        )
        _apply(interview, data)
        try:
            with db.session.begin_nested():
                db.session.add(interview)
        except IntegrityError:
            if attempt == NUMBERING_ATTEMPTS - 1:
                raise
            continue
        break
    ensure_reprisal_check(interview, visit)
    audit.record("interview.create", interview, fields=audit.filled_fields(interview))
    return interview


def update_interview(interview: Interview, data: InterviewInput, seen_version: int) -> Interview:
    """Save the interview's new content, unless someone saved it since ``seen_version``."""
    check_version(interview, seen_version)
    visit = interview.visit
    lock_for_change(visit)
    if interview.consent_withdrawn:
        raise _consent_withdrawn()
    check_population(visit, data, excluding_id=interview.id)
    _apply(interview, data)
    fields = audit.changed_fields(interview)
    db.session.flush()
    ensure_reprisal_check(interview, visit)
    audit.record("interview.update", interview, fields=fields)
    return interview


def withdraw_consent(interview: Interview, on: date | None = None) -> Interview:
    """From now on the content is hidden and kept out of every report.

    Recorded in any state of the visit, an approved one included: it changes
    no finding, it only hides what the person said.
    """
    lock_visit(interview.visit)
    if interview.consent_withdrawn:
        raise _consent_withdrawn()
    interview.consent_withdrawn_on = on or npm_today()
    audit.record("interview.consent_withdraw", interview)
    return interview


def reprisal_check_of(interview: Interview) -> ReprisalCheck | None:
    """The check the interview raised, with its history of outcomes loaded."""
    return db.session.scalar(check_with_history(interview.id))


def findings_resting_on(interview: Interview) -> list[Finding]:
    """The findings of the visit that cite this interview, by number (deleted ones aside)."""
    return list(
        db.session.scalars(
            select(Finding)
            .join(finding_interviews, finding_interviews.c.finding_id == Finding.id)
            .where(finding_interviews.c.interview_id == interview.id, Finding.live())
            .order_by(Finding.number)
        )
    )
