"""Reprisal checks: which visit may say that a person who spoke is safe, and what undoes it.

An interview with a reprisal risk raises a check for its place
(``visits.interviews.services.ensure_reprisal_check``). Only a visit that
has really been to the place since can answer it: a visit to the same place,
not the one that raised it, starting once that one ended, and on site or
back from it (on site, analysis, in review). A visit still planned or being
prepared sees the check as due, to be made once on site. An approved (sent,
closed) visit records no more outcomes: its content is the record, closed to
new content like any other; the check stays open for the next visit. A
cancelled or deleted visit records nothing.

An outcome is added to the check's history and stands until its visit is
cancelled or deleted (``follow_visit``, called by the life cycle and by
deletion): then it is set aside, kept in the history, and the check is open
again for the next visit unless another outcome stands. Restoring a deleted
visit lets its outcomes stand again where it could still record them.

The boundary checks who may act (the visit's team or a supervisor); these
functions enforce the visit's state and the check's, add and flush.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.orm import selectinload

from visits import audit
from visits.errors import Invalid, NotFound, WrongState
from visits.extensions import db
from visits.models import (
    Interview,
    ReprisalCheck,
    ReprisalCheckOutcome,
    ReprisalOutcome,
    SetAsideBecause,
    User,
    Visit,
    VisitStatus,
)
from visits.models.base import utcnow
from visits.visits.rules import lock_for_change

# A visit in these states has been on site and may still change its content.
RECORDING_STATUSES = frozenset({VisitStatus.ON_SITE, VisitStatus.ANALYSIS, VisitStatus.IN_REVIEW})
# A visit in these states will go to the place: its checks are due, not yet made.
COMING_STATUSES = frozenset({VisitStatus.PLANNED, VisitStatus.PREPARING})


def awaits_checks(visit: Visit) -> bool:
    """The visit is still to go to the place, or has been and still writes: checks are due on it."""
    return not visit.is_deleted and visit.status in RECORDING_STATUSES | COMING_STATUSES


def records_checks(visit: Visit) -> bool:
    """The visit's state lets it record outcomes: on site or back from it, not yet approved."""
    return _state_refusal(visit) is None


def concerns(check: ReprisalCheck, visit: Visit) -> bool:
    """The check is one for a visit to this place to make (whatever the visit's state).

    Not when the visit is the one that raised it, nor when the interview or
    its visit was deleted: then the check does not exist for anyone.
    """
    interview = check.interview
    live = not interview.is_deleted and not interview.visit.is_deleted
    return live and _same_place_other_visit(check, visit)


def _same_place_other_visit(check: ReprisalCheck, visit: Visit) -> bool:
    return check.place_id == visit.place_id and check.interview.visit_id != visit.id


def check_to_record(visit: Visit, check_id: int) -> ReprisalCheck:
    """The check this visit's team is about to record: 404 when it is not one for this
    visit, 409 when this visit may not record it (``recording_refusal``)."""
    check = db.session.get(
        ReprisalCheck,
        check_id,
        options=[selectinload(ReprisalCheck.interview).selectinload(Interview.visit)],
    )
    if check is None or not concerns(check, visit):
        raise NotFound
    refusal = recording_refusal(check, visit)
    if refusal is not None:
        raise WrongState(refusal)
    return check


def recording_refusal(check: ReprisalCheck, visit: Visit) -> str | None:
    """Why ``visit`` may not record an outcome of ``check`` now; None when it may."""
    refusal = _state_refusal(visit) or _date_refusal(check, visit)
    if refusal is None and _recorded_by(check, visit):
        refusal = _("This visit already recorded this check.")
    return refusal


def _state_refusal(visit: Visit) -> str | None:
    if visit.is_deleted or visit.status is VisitStatus.CANCELLED:
        return _("A cancelled or deleted visit records no reprisal check.")
    if visit.is_locked:
        return visit.locked_message
    if visit.status not in RECORDING_STATUSES:
        return _(
            "The team records this check once it is on site: a visit that is %(status)s "
            "has not seen the person yet.",
            status=visit.status.label,
        )
    return None


def _date_refusal(check: ReprisalCheck, visit: Visit) -> str | None:
    raised_on = check.interview.visit
    if visit.start_date < raised_on.end_date:
        return _(
            "This visit started before visit %(reference)s ended: only a later visit "
            "checks on the people it interviewed.",
            reference=raised_on.reference,
        )
    return None


def _recorded_by(check: ReprisalCheck, visit: Visit) -> bool:
    """An outcome of this visit stands for the check already."""
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    ReprisalCheckOutcome.check_id == check.id,
                    ReprisalCheckOutcome.visit_id == visit.id,
                    ReprisalCheckOutcome.standing(),
                )
            )
        )
    )


def record(
    check: ReprisalCheck, visit: Visit, user: User, outcome: ReprisalOutcome, note: str
) -> ReprisalCheckOutcome:
    """Add what ``visit`` found to the check's history; the latest outcome that stands counts.

    Another visit's outcome may stand already (two teams at the place at the
    same time): this one is added after it, and counts from now on.
    """
    lock_for_change(visit)
    # Deleted meanwhile? The lock orders this after a deletion, not its loading.
    db.session.refresh(visit, ["deleted_at"])
    if not concerns(check, visit):
        raise NotFound(_("This check is not one for this visit to make."))
    refusal = recording_refusal(check, visit)
    if refusal is not None:
        raise WrongState(refusal)
    note = note.strip()
    if outcome is ReprisalOutcome.SIGNS_FOUND and not note:
        raise Invalid(_("Describe the signs of reprisals that were found."), field="note")
    entry = ReprisalCheckOutcome(
        check=check, visit_id=visit.id, outcome=outcome, note=note, recorded_by_id=user.id
    )
    db.session.add(entry)
    db.session.flush()
    audit.record("reprisal_check.record", check, outcome=outcome.value, visit_id=visit.id)
    return entry


def follow_visit(visit: Visit, user: User) -> None:
    """Keep the outcomes a visit recorded in step with it: after a move, a deletion, a restoring.

    A cancelled or deleted visit vouches for nobody's safety any more: its
    standing outcomes are set aside (kept in the history) and their checks
    are open again, unless another outcome stands. A restored visit's
    outcomes, set aside by its deletion, stand again where the visit could
    still record them.
    """
    if visit.is_deleted or visit.status is VisitStatus.CANCELLED:
        because = (
            SetAsideBecause.VISIT_DELETED if visit.is_deleted else SetAsideBecause.VISIT_CANCELLED
        )
        _set_aside(visit, because, user)
    else:
        _reinstate(visit, user)


def _outcomes_of(visit: Visit, condition: ColumnElement[bool]) -> list[ReprisalCheckOutcome]:
    query = select(ReprisalCheckOutcome).where(ReprisalCheckOutcome.visit_id == visit.id, condition)
    return list(db.session.scalars(query.order_by(ReprisalCheckOutcome.id)))


def _set_aside(visit: Visit, because: SetAsideBecause, user: User) -> None:
    now = utcnow()
    for entry in _outcomes_of(visit, ReprisalCheckOutcome.standing()):
        entry.set_aside_at = now
        entry.set_aside_because = because
        audit.record(
            "reprisal_check.reopen",
            entry.check,
            user_id=user.id,
            visit_id=visit.id,
            because=because.value,
        )
    db.session.flush()


def _reinstate(visit: Visit, user: User) -> None:
    if not records_checks(visit):
        return
    deleted = ReprisalCheckOutcome.set_aside_because == SetAsideBecause.VISIT_DELETED
    for entry in _outcomes_of(visit, deleted):
        check = entry.check
        if not _same_place_other_visit(check, visit) or _date_refusal(check, visit):
            continue
        entry.set_aside_at = None
        entry.set_aside_because = None
        audit.record("reprisal_check.reinstate", check, user_id=user.id, visit_id=visit.id)
    db.session.flush()
