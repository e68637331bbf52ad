"""Recommendation rules: drafting, the "repeats" link, and sending in one letter.

Who may do what is ``visits.access``; these functions enforce the record's
state, add and flush, record the audit events, and leave the commit to the
view. The life cycle's table is ``lifecycle.RULES``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from visits import audit
from visits.errors import Invalid, WrongState
from visits.extensions import db
from visits.i18n import npm_today
from visits.models import (
    Authority,
    Finding,
    Place,
    Priority,
    Recommendation,
    RecommendationEvent,
    RecommendationLetter,
    RecommendationLevel,
    RecommendationSource,
    RecommendationStatus,
    ThematicArea,
    User,
    Visit,
)
from visits.models.base import check_version
from visits.models.finding import findings_of
from visits.models.recommendation import NOT_IMPLEMENTED_STATUSES
from visits.recommendations.identity import check_text
from visits.recommendations.lifecycle import lock_recommendations, record_move

S = RecommendationStatus
# How many earlier recommendations the form suggests as repeated, at most.
CANDIDATES_SHOWN = 20


@dataclass(frozen=True)
class RecommendationInput:
    text: str
    rationale: str
    internal_note: str
    finding_ids: tuple[int, ...]
    authority_id: int
    place_id: int | None
    area: ThematicArea
    level: RecommendationLevel
    priority: Priority
    source: RecommendationSource
    source_symbol: str
    source_paragraph: str
    repeats_id: int | None


@dataclass(frozen=True)
class LetterInput:
    recommendation_ids: tuple[int, ...]
    sent_on: date
    reference: str


# --- Drafting --------------------------------------------------------------------------


def findings_for(visit: Visit | None) -> list[Finding]:
    """The findings a recommendation of ``visit`` may rest on."""
    return [] if visit is None else list(db.session.scalars(findings_of(visit.id)))


def _findings(visit: Visit | None, ids: Sequence[int]) -> list[Finding]:
    if not ids:
        return []
    offered = {finding.id: finding for finding in findings_for(visit)}
    if not set(ids) <= offered.keys():
        raise Invalid(_("Choose only findings of this visit."), field="finding_ids")
    return sorted((offered[i] for i in set(ids)), key=lambda finding: finding.number)


def _check_repeats(recommendation: Recommendation, repeats_id: int | None) -> None:
    """The earlier recommendation must exist, not be this one, and not lead back to it."""
    if repeats_id is None:
        return
    if recommendation.id is not None and repeats_id == recommendation.id:
        raise Invalid(_("A recommendation cannot repeat itself."), field="repeats_id")
    earlier = db.session.get(Recommendation, repeats_id)
    if earlier is None or earlier.is_draft:
        raise Invalid(
            _("There is no approved recommendation R-%(number)d.", number=repeats_id),
            field="repeats_id",
        )
    seen: set[int] = set()
    link: Recommendation | None = earlier
    while link is not None and link.id not in seen:
        if recommendation.id is not None and link.id == recommendation.id:
            raise Invalid(
                _(
                    "R-%(number)d already repeats this recommendation, directly or through "
                    "others: the links would go round in a circle.",
                    number=repeats_id,
                ),
                field="repeats_id",
            )
        seen.add(link.id)
        link = link.repeats


def _apply(recommendation: Recommendation, data: RecommendationInput) -> None:
    # First the refusals, so that a refused save changes nothing.
    check_text(data.text, recommendation.visit)
    if db.session.get(Authority, data.authority_id) is None:
        raise Invalid(_("Choose the authority it is addressed to."), field="authority_id")
    if data.place_id is not None and db.session.get(Place, data.place_id) is None:
        raise Invalid(_("Choose a place from the list."), field="place_id")
    if data.level is RecommendationLevel.FACILITY and data.place_id is None:
        raise Invalid(_("A recommendation at facility level names its place."), field="place_id")
    if data.source is RecommendationSource.SPT_REPORT and not data.source_symbol:
        raise Invalid(
            _("Give the SPT report's document symbol (e.g. CAT/OP/KGZ/1)."),
            field="source_symbol",
        )
    _check_repeats(recommendation, data.repeats_id)
    recommendation.findings = _findings(recommendation.visit, data.finding_ids)
    recommendation.text = data.text
    recommendation.rationale = data.rationale
    recommendation.internal_note = data.internal_note
    recommendation.authority_id = data.authority_id
    recommendation.place_id = data.place_id
    recommendation.area = data.area
    recommendation.level = data.level
    recommendation.priority = data.priority
    recommendation.source = data.source
    recommendation.source_symbol = data.source_symbol
    recommendation.source_paragraph = data.source_paragraph
    recommendation.repeats_id = data.repeats_id


def create_recommendation(
    visit: Visit | None, author: User, data: RecommendationInput
) -> Recommendation:
    """Record a draft recommendation, from a visit or standalone (from a report)."""
    recommendation = Recommendation(visit=visit, created_by_id=author.id, status=S.DRAFT)
    _apply(recommendation, data)
    db.session.add(recommendation)
    db.session.flush()
    db.session.add(
        RecommendationEvent(
            recommendation=recommendation, user_id=author.id, from_status=None, to_status=S.DRAFT
        )
    )
    audit.record(
        "recommendation.create",
        recommendation,
        fields=audit.filled_fields(recommendation),
        visit_id=visit.id if visit is not None else None,
    )
    return recommendation


def update_recommendation(
    recommendation: Recommendation, data: RecommendationInput, seen_version: int
) -> Recommendation:
    """Save a draft's new content, unless someone saved it (or moved it) since."""
    lock_recommendations([recommendation.id])
    check_version(recommendation, seen_version)
    if not recommendation.is_draft:
        raise WrongState(
            _(
                "This recommendation is %(status)s: only a draft can be changed.",
                status=recommendation.status.label,
            )
        )
    _apply(recommendation, data)
    audit.record(
        "recommendation.update", recommendation, fields=audit.changed_fields(recommendation)
    )
    db.session.flush()
    return recommendation


def repeat_candidates(
    place_id: int | None,
    authority_id: int | None,
    area: ThematicArea | None,
    exclude_id: int | None = None,
) -> list[Recommendation]:
    """Earlier recommendations not implemented, for the same place (or, for a systemic
    one, the same authority), those of the same theme first: what this one may repeat."""
    if place_id is None and authority_id is None:
        return []
    query = select(Recommendation).where(Recommendation.status.in_(NOT_IMPLEMENTED_STATUSES))
    if place_id is not None:
        query = query.where(Recommendation.place_id == place_id)
    else:
        query = query.where(
            Recommendation.authority_id == authority_id, Recommendation.place_id.is_(None)
        )
    if exclude_id is not None:
        query = query.where(Recommendation.id != exclude_id)
    if area is not None:
        query = query.where(Recommendation.area == area)
    return list(
        db.session.scalars(query.order_by(Recommendation.id.desc()).limit(CANDIDATES_SHOWN))
    )


# --- Sending ---------------------------------------------------------------------------


def sendable(authority_id: int) -> list[Recommendation]:
    """The approved recommendations to ``authority_id`` not sent yet."""
    return list(
        db.session.scalars(
            select(Recommendation)
            .where(Recommendation.authority_id == authority_id, Recommendation.status == S.APPROVED)
            .order_by(Recommendation.id)
        )
    )


def authorities_with_sendable() -> list[Authority]:
    return list(
        db.session.scalars(
            select(Authority)
            .where(
                Authority.id.in_(
                    select(Recommendation.authority_id).where(Recommendation.status == S.APPROVED)
                )
            )
            .order_by(Authority.position, Authority.name_en)
        )
    )


def response_days(recommendation: Recommendation) -> int:
    """A month by default; a day where a source finding alleges torture or ill-treatment."""
    config = current_app.config
    urgent = any(finding.alleges_ill_treatment for finding in recommendation.findings)
    return int(config["URGENT_RESPONSE_DAYS"] if urgent else config["RECOMMENDATION_RESPONSE_DAYS"])


def send(authority: Authority, user: Any, data: LetterInput) -> RecommendationLetter:
    """Send approved recommendations to ``authority`` in one letter.

    The rows are locked first: a second supervisor sending the same
    recommendation at the same moment waits, then finds it sent (409), so
    one letter is recorded. The response is due ``response_days`` after the
    letter's date, counted in the NPM's time zone; a letter is not dated in
    the future, nor so long ago that the answer would already be overdue.
    """
    if not data.recommendation_ids:
        raise Invalid(
            _("Choose the recommendations this letter sends."), field="recommendation_ids"
        )
    if not data.reference.strip():
        raise Invalid(_("Give the letter's outgoing reference number."), field="reference")
    today = npm_today()
    if data.sent_on > today:
        raise Invalid(_("The letter's date cannot be in the future."), field="sent_on")
    recommendations = lock_recommendations(data.recommendation_ids)
    if len(recommendations) != len(set(data.recommendation_ids)):
        raise Invalid(_("Choose only the recommendations offered."), field="recommendation_ids")
    for recommendation in recommendations:
        if recommendation.authority_id != authority.id:
            raise Invalid(
                _("Choose only recommendations to this authority."), field="recommendation_ids"
            )
        if recommendation.status is not S.APPROVED:
            raise WrongState(
                _(
                    "%(reference)s is %(status)s: only an approved recommendation can be "
                    "sent, once. Nothing was sent.",
                    reference=recommendation.reference,
                    status=recommendation.status.label,
                )
            )
    due_dates = {r.id: data.sent_on + timedelta(days=response_days(r)) for r in recommendations}
    if min(due_dates.values()) < today:
        raise Invalid(
            _(
                "With this date, the answer would have been due on %(date)s, already past. "
                "Check the letter's date.",
                date=min(due_dates.values()).isoformat(),
            ),
            field="sent_on",
        )
    letter = RecommendationLetter(
        authority_id=authority.id,
        sent_on=data.sent_on,
        reference=data.reference.strip(),
        sent_by_id=user.id,
    )
    db.session.add(letter)
    db.session.flush()
    audit.record(
        "recommendation_letter.create",
        letter,
        authority_id=authority.id,
        recommendations=[r.id for r in recommendations],
    )
    for recommendation in recommendations:
        recommendation.letter_id = letter.id
        recommendation.due_date = due_dates[recommendation.id]
        record_move(
            recommendation,
            S.SENT,
            user,
            letter_id=letter.id,
            due_date=recommendation.due_date.isoformat(),
        )
    db.session.flush()
    return letter
