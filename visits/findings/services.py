"""Finding rules: numbering, sources, who may change a finding when, and review."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from visits import audit
from visits.access.rules import can_edit_content, can_review
from visits.extensions import db
from visits.models import (
    Attachment,
    Confidentiality,
    Finding,
    Interview,
    ReviewState,
    Severity,
    SourceType,
    ThematicArea,
    User,
    Visit,
)
from visits.models.base import utcnow
from visits.models.interview import interviews_of

NUMBERING_ATTEMPTS = 3

# The team may still change these; a submitted or accepted finding waits
# for (or has had) a supervisor's reading.
TEAM_EDITABLE_STATES = frozenset({ReviewState.DRAFT, ReviewState.RETURNED})
SUBMITTABLE_STATES = TEAM_EDITABLE_STATES


class ReviewDecision(enum.StrEnum):
    ACCEPT = "accept"
    RETURN = "return"


@dataclass(frozen=True)
class FindingInput:
    area: ThematicArea
    source_type: SourceType
    interview_ids: tuple[int, ...]
    severity: Severity
    confidentiality: Confidentiality
    title: str
    text: str
    alleges_ill_treatment: bool
    allegation_what: str
    allegation_when: str
    allegation_by_whom: str
    allegation_medical_evidence: str
    allegation_consent_to_transmit: bool


class SavedMeanwhile(Exception):
    """Someone saved the finding after this user opened it; nothing was saved."""


class ForeignInterview(Exception):
    """An interview that is not one of the finding's visit."""


class NotAllowedNow(Exception):
    """The finding's state forbids this; the message says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def interviews_of_visit(visit_id: int) -> list[Interview]:
    """The interviews a finding may rest on (deleted ones are no source)."""
    return list(db.session.scalars(interviews_of(visit_id)))


def _interviews_for(visit: Visit, interview_ids: Sequence[int]) -> list[Interview]:
    if not interview_ids:
        return []
    interviews = list(
        db.session.scalars(
            select(Interview)
            .where(Interview.id.in_(set(interview_ids)), Interview.live())
            .order_by(Interview.number)
        )
    )
    if len(interviews) != len(set(interview_ids)) or any(
        interview.visit_id != visit.id for interview in interviews
    ):
        raise ForeignInterview
    return interviews


def _apply(finding: Finding, visit: Visit, data: FindingInput) -> None:
    # First, so that a refused interview leaves the finding untouched.
    finding.interviews = _interviews_for(visit, data.interview_ids)
    finding.area = data.area
    finding.source_type = data.source_type
    finding.severity = data.severity
    finding.confidentiality = data.confidentiality
    finding.title = data.title
    finding.text = data.text
    finding.alleges_ill_treatment = data.alleges_ill_treatment
    # Without an allegation, no allegation details are kept about anyone.
    keep = data.alleges_ill_treatment
    finding.allegation_what = data.allegation_what if keep else ""
    finding.allegation_when = data.allegation_when if keep else ""
    finding.allegation_by_whom = data.allegation_by_whom if keep else ""
    finding.allegation_medical_evidence = data.allegation_medical_evidence if keep else ""
    finding.allegation_consent_to_transmit = data.allegation_consent_to_transmit and keep


def next_number(visit_id: int) -> int:
    highest = db.session.scalar(
        select(func.max(Finding.number)).where(Finding.visit_id == visit_id)
    )
    return (highest or 0) + 1


def create_finding(visit: Visit, author: User, data: FindingInput) -> Finding:
    """Record a draft finding under the visit's next number."""
    for attempt in range(NUMBERING_ATTEMPTS):
        finding = Finding(visit_id=visit.id, number=next_number(visit.id), created_by_id=author.id)
        _apply(finding, visit, data)
        try:
            with db.session.begin_nested():
                db.session.add(finding)
        except IntegrityError:
            if attempt == NUMBERING_ATTEMPTS - 1:
                raise
            continue
        break
    audit.record(
        "finding.create",
        finding,
        fields=audit.filled_fields(finding),
        confidentiality=finding.confidentiality.value,
    )
    db.session.commit()
    return finding


def edit_refusal(user: User, finding: Finding, visit: Visit) -> str | None:
    """Why ``user`` may not change ``finding`` now, or None when they may.

    Access to the visit is checked before (policy.require_editable); this adds
    the review: the team edits drafts and returned findings, a supervisor any.
    """
    if visit.is_locked:
        return _(
            "This visit is %(status)s: its content can no longer be changed.",
            status=visit.status.label,
        )
    if can_review(user) or finding.review_state in TEAM_EDITABLE_STATES:
        return None
    if finding.review_state is ReviewState.SUBMITTED:
        return _(
            "This finding was submitted for review: the team can change it again if a "
            "supervisor returns it."
        )
    return _("This finding was accepted: only a supervisor can change it now.")


def may_edit(user: User, finding: Finding, visit: Visit) -> bool:
    return can_edit_content(user, visit) and edit_refusal(user, finding, visit) is None


def record_read(finding: Finding) -> None:
    """Opening a confidential finding is recorded, and committed at once (DESIGN §2)."""
    if finding.confidentiality is Confidentiality.CONFIDENTIAL:
        audit.record_now("finding.read", finding)


def update_finding(finding: Finding, visit: Visit, data: FindingInput) -> None:
    _apply(finding, visit, data)
    fields = audit.changed_fields(finding)
    try:
        audit.record("finding.update", finding, fields=fields)
        db.session.commit()
    except StaleDataError as error:
        # Another save landed between the version check and this one.
        db.session.rollback()
        raise SavedMeanwhile from error


def submit_finding(finding: Finding) -> None:
    """Send a draft or returned finding to the supervisors."""
    if finding.review_state not in SUBMITTABLE_STATES:
        raise NotAllowedNow(
            _(
                "Only a draft or a returned finding can be submitted; this one is %(state)s.",
                state=finding.review_state.label,
            )
        )
    audit.record(
        "finding.submit",
        finding,
        from_status=finding.review_state.value,
        to_status=ReviewState.SUBMITTED.value,
    )
    finding.review_state = ReviewState.SUBMITTED
    db.session.commit()


def review_refusal(finding: Finding) -> str | None:
    """Why ``finding`` cannot be reviewed now, or None."""
    if finding.review_state is ReviewState.SUBMITTED:
        return None
    return _(
        "Only a finding submitted for review can be reviewed; this one is %(state)s.",
        state=finding.review_state.label,
    )


def review_finding(
    finding: Finding, reviewer: User, decision: ReviewDecision, comment: str
) -> None:
    """Accept a submitted finding, or return it to the team with a comment."""
    refusal = review_refusal(finding)
    if refusal is not None:
        raise NotAllowedNow(refusal)
    comment = comment.strip()
    if decision is ReviewDecision.RETURN and not comment:
        raise ValueError("a returned finding needs a comment")
    finding.review_state = (
        ReviewState.ACCEPTED if decision is ReviewDecision.ACCEPT else ReviewState.RETURNED
    )
    finding.review_comment = comment
    finding.reviewed_by_id = reviewer.id
    finding.reviewed_at = utcnow()
    audit.record(
        "finding.review",
        finding,
        decision=decision.value,
        from_status=ReviewState.SUBMITTED.value,
        to_status=finding.review_state.value,
    )
    db.session.commit()


def attachments_of_finding(finding: Finding) -> list[Attachment]:
    return list(
        db.session.scalars(
            select(Attachment)
            .where(Attachment.finding_id == finding.id, Attachment.live())
            .options(selectinload(Attachment.uploaded_by))
            .order_by(Attachment.id)
        )
    )
