"""The visit life cycle: one table of who may move a visit where.

``planned → preparing → on_site → analysis → in_review → approved → sent →
closed``; ``cancelled`` from the first three; a supervisor returns a visit
under review to ``analysis`` with a comment. A visit is approved once each
of its findings is accepted; it becomes "sent" with the day its report
went out and the letter's outgoing reference. Every move is one VisitEvent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_babel.speaklater import LazyString
from sqlalchemy import select

from visits import audit, reprisals
from visits.access.rules import can_move_as_supervisor, can_move_as_team
from visits.errors import Invalid, WrongState
from visits.extensions import db
from visits.i18n import npm_today, show_day
from visits.models import Finding, ReviewState, Visit, VisitEvent, VisitStatus, VisitType
from visits.models.visit import LETTER_REFERENCE_MAX_LENGTH
from visits.visits.rules import interview_quota, lock_visit

# The people who may take a step: a rule of ``visits.access.rules``, and what a
# refusal says.
Who = Callable[[Any, Visit], bool]
TEAM: Who = can_move_as_team
SUPERVISOR: Who = can_move_as_supervisor
WHO_REFUSALS: dict[Who, LazyString] = {
    TEAM: _l("Only the visit's team and supervisors can do this."),
    SUPERVISOR: _l("Only a supervisor can do this."),
}


@dataclass(frozen=True)
class Rule:
    may: Who
    # What the button says.
    action: LazyString
    comment_required: bool = False
    # The step records the letter that sent the report (its day and reference).
    letter_required: bool = False

    @property
    def refusal(self) -> str:
        return str(WHO_REFUSALS[self.may])


S = VisitStatus
RULES: dict[tuple[VisitStatus, VisitStatus], Rule] = {
    (S.PLANNED, S.PREPARING): Rule(TEAM, _l("Start preparing")),
    (S.PREPARING, S.ON_SITE): Rule(TEAM, _l("The team is on site")),
    (S.ON_SITE, S.ANALYSIS): Rule(TEAM, _l("Back from the visit: start the analysis")),
    (S.ANALYSIS, S.IN_REVIEW): Rule(TEAM, _l("Submit for review")),
    (S.IN_REVIEW, S.APPROVED): Rule(SUPERVISOR, _l("Approve")),
    (S.IN_REVIEW, S.ANALYSIS): Rule(
        SUPERVISOR, _l("Return to the team for more analysis"), comment_required=True
    ),
    (S.APPROVED, S.SENT): Rule(
        SUPERVISOR, _l("Report sent to the authorities"), letter_required=True
    ),
    (S.SENT, S.CLOSED): Rule(SUPERVISOR, _l("Close the visit")),
    (S.PLANNED, S.CANCELLED): Rule(TEAM, _l("Cancel the visit"), comment_required=True),
    (S.PREPARING, S.CANCELLED): Rule(TEAM, _l("Cancel the visit"), comment_required=True),
    (S.ON_SITE, S.CANCELLED): Rule(TEAM, _l("Cancel the visit"), comment_required=True),
}


@dataclass(frozen=True)
class Transition:
    """A move the page offers as a button."""

    target: VisitStatus
    action: LazyString
    comment_required: bool
    letter_required: bool = False


@dataclass(frozen=True)
class Letter:
    """The letter that sent the visit's report to the authorities."""

    sent_on: date | None
    reference: str


# What a finding still needs before its visit can be approved, by its review state.
APPROVAL_NEEDS: dict[ReviewState, LazyString] = {
    ReviewState.DRAFT: _l("a draft: the team must submit it for review"),
    ReviewState.SUBMITTED: _l("submitted for review: a supervisor accepts it or returns it"),
    ReviewState.RETURNED: _l("returned to the team: the team must revise it and submit it again"),
}


def allowed_transitions(user: Any, visit: Visit) -> list[Transition]:
    """The moves ``user`` may make from the visit's current state."""
    return [
        Transition(target, rule.action, rule.comment_required, rule.letter_required)
        for (source, target), rule in RULES.items()
        if source is visit.status and rule.may(user, visit)
    ]


def rule_for(visit: Visit, target: VisitStatus) -> Rule:
    """The step from the visit's state to ``target``; 409 when there is none."""
    rule = RULES.get((visit.status, target))
    if rule is None:
        raise WrongState(
            _(
                "A visit that is %(current)s cannot become %(target)s.",
                current=visit.status.label,
                target=target.label,
            )
        )
    return rule


def transition(
    visit: Visit,
    target: VisitStatus,
    user: Any,
    comment: str = "",
    letter: Letter | None = None,
) -> VisitEvent:
    """Move the visit to ``target`` if its state allows it, and record the move.

    Who may take the step is checked before, at the boundary (``Rule.may``);
    ``letter`` is needed by the step that sends the report.
    """
    lock_visit(visit)
    rule = rule_for(visit, target)
    comment = comment.strip()
    if rule.comment_required and not comment:
        raise Invalid(_("Write in the comment why: it is required for this step."), field="comment")
    if target is VisitStatus.IN_REVIEW and visit.visit_type is VisitType.COMPREHENSIVE:
        _check_interview_quota(visit)
    if target is VisitStatus.APPROVED:
        _check_findings_accepted(visit)
    sent: dict[str, Any] = {}
    if rule.letter_required:
        sent = _record_letter(visit, letter or Letter(None, ""))

    event = VisitEvent(
        visit=visit, user_id=user.id, from_status=visit.status, to_status=target, comment=comment
    )
    visit.status = target
    db.session.add(event)
    audit.record(
        "visit.transition",
        visit,
        from_status=event.from_status,
        to_status=target.value,
        **sent,
    )
    reprisals.follow_visit(visit, user)
    return event


def _record_letter(visit: Visit, letter: Letter) -> dict[str, Any]:
    """Keep the day the report went out and the letter's reference; what the audit notes."""
    reference = letter.reference.strip()
    if letter.sent_on is None:
        raise Invalid(_("Enter the day the report was sent."), field="sent_on")
    if letter.sent_on > npm_today():
        raise Invalid(_("The day the report was sent cannot be in the future."), field="sent_on")
    if letter.sent_on < visit.end_date:
        raise Invalid(
            _(
                "The report cannot have been sent before the visit's last day (%(day)s).",
                day=show_day(visit.end_date),
            ),
            field="sent_on",
        )
    if not reference:
        raise Invalid(
            _("Enter the outgoing reference of the letter that sent the report."),
            field="letter_reference",
        )
    if len(reference) > LETTER_REFERENCE_MAX_LENGTH:
        raise Invalid(
            _(
                "The reference can be at most %(max)d characters long.",
                max=LETTER_REFERENCE_MAX_LENGTH,
            ),
            field="letter_reference",
        )
    visit.sent_on = letter.sent_on
    visit.letter_reference = reference
    return {"sent_on": letter.sent_on.isoformat(), "letter_reference": reference}


def findings_before_approval(visit: Visit) -> list[tuple[int, int, ReviewState]]:
    """(id, number, review state) of the visit's live findings not accepted yet."""
    return [
        (finding_id, number, state)
        for finding_id, number, state in db.session.execute(
            select(Finding.id, Finding.number, Finding.review_state)
            .where(
                Finding.visit_id == visit.id,
                Finding.review_state != ReviewState.ACCEPTED,
                Finding.live(),
            )
            .order_by(Finding.number)
        )
    ]


def _check_findings_accepted(visit: Visit) -> None:
    """An approved visit is the record: each of its findings has been accepted.

    The refusal says, finding by finding, who must do what: a returned
    finding waits for the team to revise and resubmit it, not for a
    supervisor (the visit page lists them, with links).
    """
    pending = findings_before_approval(visit)
    if pending:
        needs = " ".join(
            _("Finding %(number)d is %(needed)s.", number=number, needed=APPROVAL_NEEDS[state])
            for _id, number, state in pending
        )
        raise WrongState(
            ngettext(
                "%(num)d finding of this visit is not accepted yet, so the visit cannot "
                "be approved.",
                "%(num)d findings of this visit are not accepted yet, so the visit cannot "
                "be approved.",
                len(pending),
            )
            + " "
            + needs
        )


def _check_interview_quota(visit: Visit) -> None:
    """A third of the people held must have been interviewed, or the lead says why."""
    if visit.interview_shortfall_reason.strip():
        return
    quota = interview_quota(visit)
    if quota.needed is None:
        raise WrongState(
            _(
                "Record how many people were held on the day before submitting "
                "a comprehensive visit for review."
            )
        )
    if not quota.met:
        raise WrongState(
            ngettext(
                "%(num)d person held was interviewed; a comprehensive visit needs "
                "%(needed)d (a third of %(population)d). Interview more people, or "
                "the lead records why in the visit's details.",
                "%(num)d people held were interviewed; a comprehensive visit needs "
                "%(needed)d (a third of %(population)d). Interview more people, or "
                "the lead records why in the visit's details.",
                quota.interviewed,
                needed=quota.needed,
                population=quota.population,
            )
        )
