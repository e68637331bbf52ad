"""What comes back: the authority's response, its progress reports, the NPM's assessment.

Four things are kept apart (DESIGN §4). A formal response records the
authority's answer (accepted / partly / rejected) in its own column and moves
the recommendation to ``response_received``; a progress report moves nothing;
the NPM's assessment records the implementation status and moves the
recommendation there. Every move goes through the one rules table
(``lifecycle.rule_for``, ``lifecycle.record_move``): audited and in the history.
One response may answer several recommendations of the same letter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from visits import audit
from visits.errors import Invalid, WrongState
from visits.extensions import db
from visits.i18n import npm_today
from visits.models import (
    AuthorityAnswer,
    Recommendation,
    RecommendationResponse,
    RecommendationStatus,
    ResponseKind,
)
from visits.models.recommendation import ASSESSED_STATUSES
from visits.recommendations.lifecycle import lock_recommendations, record_move, rule_for

S = RecommendationStatus
# A progress report can come once the letter went out, whatever was answered.
SENT_OR_LATER = frozenset(S) - {S.DRAFT, S.APPROVED}


@dataclass(frozen=True)
class ResponseInput:
    kind: ResponseKind
    received_on: date
    reference: str
    text: str
    answer: AuthorityAnswer | None
    assessed_status: RecommendationStatus | None
    # Other recommendations of the same letter this one answers as well.
    also_ids: tuple[int, ...] = ()


def letter_companions(recommendation: Recommendation) -> list[Recommendation]:
    """The other recommendations sent with the same letter, which one response may answer."""
    if recommendation.letter_id is None:
        return []
    return list(
        db.session.scalars(
            select(Recommendation)
            .where(
                Recommendation.letter_id == recommendation.letter_id,
                Recommendation.id != recommendation.id,
            )
            .order_by(Recommendation.id)
        )
    )


def _check_fields(data: ResponseInput) -> None:
    if data.kind is ResponseKind.RESPONSE and (
        data.answer is None or data.answer is AuthorityAnswer.NO_ANSWER
    ):
        raise Invalid(
            _("Choose what the authority answered: accepted, partly accepted or rejected."),
            field="answer",
        )
    if data.kind is ResponseKind.ASSESSMENT and data.assessed_status not in ASSESSED_STATUSES:
        raise Invalid(_("Choose the implementation status the NPM found."), field="assessed_status")
    if data.kind is not ResponseKind.ASSESSMENT and not data.text.strip():
        raise Invalid(_("Write what the authority's letter says."), field="text")


def _check_state(recommendation: Recommendation, data: ResponseInput) -> None:
    """409 with the reason when this recommendation cannot take this response now."""
    if data.kind is ResponseKind.RESPONSE:
        rule_for(recommendation, S.RESPONSE_RECEIVED)
    elif data.kind is ResponseKind.PROGRESS:
        if recommendation.status not in SENT_OR_LATER:
            raise WrongState(
                _(
                    "%(reference)s is %(status)s: the authority reports progress only on a "
                    "recommendation it was sent.",
                    reference=recommendation.reference,
                    status=recommendation.status.label,
                )
            )
    elif data.assessed_status is not None and data.assessed_status is not recommendation.status:
        rule_for(recommendation, data.assessed_status)


def record_response(
    recommendation: Recommendation, user: Any, data: ResponseInput
) -> RecommendationResponse:
    """Record a response (or progress report, or assessment) for ``recommendation`` and
    the others of its letter chosen; move each as the rules table allows, or refuse all."""
    _check_fields(data)
    recommendations = lock_recommendations([recommendation.id, *data.also_ids])
    if len(recommendations) != len({recommendation.id, *data.also_ids}):
        raise Invalid(_("Choose only the recommendations offered."), field="also_ids")
    letter = recommendation.letter
    if letter is None:
        raise WrongState(
            _(
                "%(reference)s is %(status)s: it was not sent, so there is no response to record.",
                reference=recommendation.reference,
                status=recommendation.status.label,
            )
        )
    if any(r.letter_id != letter.id for r in recommendations):
        raise Invalid(
            _("One response answers only recommendations of the same letter."), field="also_ids"
        )
    if data.received_on < letter.sent_on:
        raise Invalid(
            _(
                "This date is before the letter of %(date)s: check the date.",
                date=letter.sent_on.isoformat(),
            ),
            field="received_on",
        )
    if data.received_on > npm_today():
        raise Invalid(_("This date cannot be in the future."), field="received_on")
    for each in recommendations:
        _check_state(each, data)
    response = RecommendationResponse(
        kind=data.kind,
        letter_id=letter.id,
        received_on=data.received_on,
        reference=data.reference.strip(),
        text=data.text,
        answer=data.answer if data.kind is ResponseKind.RESPONSE else None,
        assessed_status=data.assessed_status if data.kind is ResponseKind.ASSESSMENT else None,
        recorded_by_id=user.id,
        recommendations=recommendations,
    )
    db.session.add(response)
    db.session.flush()
    audit.record(
        "recommendation_response.create",
        response,
        kind=data.kind.value,
        recommendations=[r.id for r in recommendations],
        fields=audit.filled_fields(response),
    )
    for each in recommendations:
        _apply(each, response, user)
    db.session.flush()
    return response


def _apply(recommendation: Recommendation, response: RecommendationResponse, user: Any) -> None:
    if response.kind is ResponseKind.RESPONSE and response.answer is not None:
        recommendation.authority_answer = response.answer
        record_move(
            recommendation,
            S.RESPONSE_RECEIVED,
            user,
            response_id=response.id,
            authority_answer=response.answer.value,
        )
    elif (
        response.kind is ResponseKind.ASSESSMENT
        and response.assessed_status is not None
        and response.assessed_status is not recommendation.status
    ):
        record_move(recommendation, response.assessed_status, user, response_id=response.id)
