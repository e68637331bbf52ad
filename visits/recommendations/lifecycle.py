"""The recommendation life cycle: one table of who may move a recommendation where.

``draft → approved → sent → awaiting_response → response_received →`` one of
``implemented``, ``partially_implemented``, ``in_progress``,
``not_implemented``, ``no_longer_relevant`` (and from one assessment to
another as later visits verify). A supervisor returns an approved draft with a
comment. ``approved → sent`` is taken by a letter (``services.send``), never
alone. Every move is one RecommendationEvent and one audit event.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import bindparam, select, text

from visits import audit
from visits.access.rules import can_move_recommendation
from visits.errors import Invalid, WrongState
from visits.extensions import db
from visits.models import (
    AuthorityAnswer,
    QualityCriterion,
    Recommendation,
    RecommendationEvent,
    RecommendationStatus,
)
from visits.models.base import utcnow
from visits.models.recommendation import ASSESSED_STATUSES

Who = Callable[[Any, Recommendation], bool]
SUPERVISOR: Who = can_move_recommendation
WHO_REFUSALS: dict[Who, LazyString] = {
    SUPERVISOR: _l("Only a supervisor can do this."),
}


@dataclass(frozen=True)
class Rule:
    may: Who
    # What the button says.
    action: LazyString
    comment_required: bool = False
    # Taken by sending a letter (the sending page), not by a button of its own.
    by_letter: bool = False

    @property
    def refusal(self) -> str:
        return str(WHO_REFUSALS[self.may])


S = RecommendationStatus
RULES: dict[tuple[RecommendationStatus, RecommendationStatus], Rule] = {
    (S.DRAFT, S.APPROVED): Rule(SUPERVISOR, _l("Approve")),
    (S.APPROVED, S.DRAFT): Rule(SUPERVISOR, _l("Return to draft"), comment_required=True),
    (S.APPROVED, S.SENT): Rule(SUPERVISOR, _l("Send with a letter"), by_letter=True),
    (S.SENT, S.AWAITING_RESPONSE): Rule(SUPERVISOR, _l("The authority confirmed receipt")),
    (S.SENT, S.RESPONSE_RECEIVED): Rule(SUPERVISOR, _l("Response received")),
    (S.AWAITING_RESPONSE, S.RESPONSE_RECEIVED): Rule(SUPERVISOR, _l("Response received")),
    **{
        (source, target): Rule(SUPERVISOR, _l("Assess: %(status)s", status=target.label))
        for source in (S.RESPONSE_RECEIVED, *sorted(ASSESSED_STATUSES))
        for target in sorted(ASSESSED_STATUSES)
        if source is not target
    },
}


@dataclass(frozen=True)
class Transition:
    """A move the page offers as a button."""

    target: RecommendationStatus
    action: LazyString
    comment_required: bool


def allowed_transitions(user: Any, recommendation: Recommendation) -> list[Transition]:
    """The moves ``user`` may make from the current state (those by letter aside)."""
    return [
        Transition(target, rule.action, rule.comment_required)
        for (source, target), rule in RULES.items()
        if source is recommendation.status and not rule.by_letter and rule.may(user, recommendation)
    ]


def rule_for(recommendation: Recommendation, target: RecommendationStatus) -> Rule:
    """The step from the current state to ``target``; 409 with the reason when there is none."""
    rule = RULES.get((recommendation.status, target))
    if rule is None:
        raise WrongState(
            _(
                "A recommendation that is %(current)s cannot become %(target)s.",
                current=recommendation.status.label,
                target=target.label,
            )
        )
    return rule


def lock_recommendations(ids: Sequence[int]) -> list[Recommendation]:
    """Hold these rows until the transaction ends and read them afresh.

    Two supervisors moving (or sending) the same recommendation at once act
    one after the other: the second sees what the first did. PostgreSQL locks
    the rows; SQLite takes its database write lock with a write that changes
    nothing.
    """
    if not ids:
        return []
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(
            text("UPDATE recommendations SET id = id WHERE id IN :ids").bindparams(
                bindparam("ids", expanding=True)
            ),
            {"ids": list(ids)},
        )
    return list(
        db.session.scalars(
            select(Recommendation)
            .where(Recommendation.id.in_(ids))
            .order_by(Recommendation.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    )


def record_move(
    recommendation: Recommendation,
    target: RecommendationStatus,
    user: Any,
    comment: str = "",
    **details: Any,
) -> RecommendationEvent:
    event = RecommendationEvent(
        recommendation=recommendation,
        user_id=user.id,
        from_status=recommendation.status,
        to_status=target,
        comment=comment,
    )
    db.session.add(event)
    audit.record(
        "recommendation.transition",
        recommendation,
        from_status=recommendation.status.value,
        to_status=target.value,
        **details,
    )
    recommendation.status = target
    return event


def active_criteria() -> list[QualityCriterion]:
    return list(db.session.scalars(QualityCriterion.ordered()))


def transition(
    recommendation: Recommendation,
    target: RecommendationStatus,
    user: Any,
    comment: str = "",
    criterion_ids: Sequence[int] = (),
    answer: AuthorityAnswer | None = None,
) -> RecommendationEvent:
    """Move the recommendation to ``target`` if its state allows it, and record the move.

    Who may take the step is checked before, at the boundary (``Rule.may``).
    Approving records the quality criteria the supervisor found met; a
    response received may record the authority's answer (kept apart from
    the status).
    """
    lock_recommendations([recommendation.id])
    rule = rule_for(recommendation, target)
    if rule.by_letter:
        raise WrongState(
            _("A recommendation is sent with a letter: choose it on the page for sending.")
        )
    comment = comment.strip()
    if rule.comment_required and not comment:
        raise Invalid(_("Write in the comment why: it is required for this step."), field="comment")
    details: dict[str, Any] = {}
    if target is S.APPROVED:
        offered = {criterion.id: criterion for criterion in active_criteria()}
        if not set(criterion_ids) <= offered.keys():
            raise Invalid(_("Choose only the criteria offered."), field="criteria")
        recommendation.criteria_met = [offered[i] for i in offered if i in set(criterion_ids)]
        recommendation.approved_by_id = user.id
        recommendation.approved_at = utcnow()
        details["criteria_met"] = len(recommendation.criteria_met)
    elif target is S.DRAFT:
        recommendation.criteria_met = []
        recommendation.approved_by_id = None
        recommendation.approved_at = None
    if target is S.RESPONSE_RECEIVED and answer is not None:
        recommendation.authority_answer = answer
        details["authority_answer"] = answer.value
    event = record_move(recommendation, target, user, comment, **details)
    db.session.flush()
    return event
