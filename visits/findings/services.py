"""Finding rules: numbering, sources, review.

Who may change a finding is ``visits.access``; these functions enforce the
finding's and its visit's state, add and flush, and leave the commit to the
view."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from visits import audit
from visits.errors import Invalid, WrongState
from visits.extensions import db
from visits.models import (
    Attachment,
    Confidentiality,
    Finding,
    FindingReview,
    Interview,
    ReviewState,
    Severity,
    SourceType,
    ThematicArea,
    User,
    Visit,
)
from visits.models.base import check_version, utcnow
from visits.models.finding import TEAM_EDITABLE_STATES, review_history
from visits.models.interview import interviews_of
from visits.visits.rules import check_fieldwork_started, lock_for_change

NUMBERING_ATTEMPTS = 3

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


class ForeignInterview(Invalid):
    """An interview that is not a source this finding may cite."""

    def __init__(self) -> None:
        super().__init__(
            _("Choose only interviews of this visit whose consent stands."), field="interview_ids"
        )


def sources_for(visit_id: int, finding: Finding | None = None) -> list[Interview]:
    """The interviews a finding may rest on.

    Deleted ones are no source, nor are those whose consent was withdrawn,
    except where the finding already cited one before the withdrawal (its
    link stays, shown as withdrawn, until the team removes it).
    """
    cited = {interview.id for interview in finding.interviews} if finding is not None else set()
    return [
        interview
        for interview in db.session.scalars(interviews_of(visit_id))
        if not interview.consent_withdrawn or interview.id in cited
    ]


def _interviews_for(visit: Visit, finding: Finding | None, ids: Sequence[int]) -> list[Interview]:
    if not ids:
        return []
    offered = {interview.id: interview for interview in sources_for(visit.id, finding)}
    if not set(ids) <= offered.keys():
        raise ForeignInterview
    return sorted((offered[i] for i in set(ids)), key=lambda interview: interview.number)


class GoodPracticeAllegation(Invalid):
    """An allegation of torture or ill-treatment is never a good practice."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "A finding that alleges torture or ill-treatment cannot be a good practice: "
                "choose how serious the concern is."
            ),
            field="severity",
        )


def _apply(finding: Finding, visit: Visit, data: FindingInput, new: bool = False) -> None:
    if data.alleges_ill_treatment and data.severity is Severity.GOOD_PRACTICE:
        raise GoodPracticeAllegation
    # First, so that a refused interview leaves the finding untouched.
    finding.interviews = _interviews_for(visit, None if new else finding, data.interview_ids)
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
    """Record a draft finding under the visit's next number (on site or later)."""
    lock_for_change(visit)
    check_fieldwork_started(visit)
    for attempt in range(NUMBERING_ATTEMPTS):
        finding = Finding(visit_id=visit.id, number=next_number(visit.id), created_by_id=author.id)
        _apply(finding, visit, data, new=True)
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
    return finding


def update_finding(finding: Finding, data: FindingInput, seen_version: int) -> Finding:
    """Save the finding's new content, unless someone saved it since ``seen_version``."""
    check_version(finding, seen_version)
    lock_for_change(finding.visit)
    _apply(finding, finding.visit, data)
    audit.record("finding.update", finding, fields=audit.changed_fields(finding))
    return finding


def submit_finding(finding: Finding, user: User) -> None:
    """Send a draft or returned finding to the supervisors.

    A return it had becomes its history: the finding is under review again.
    """
    lock_for_change(finding.visit)
    if finding.review_state not in SUBMITTABLE_STATES:
        raise WrongState(
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
    db.session.add(FindingReview(finding=finding, step=ReviewState.SUBMITTED, user_id=user.id))
    db.session.flush()


def check_reviewable(finding: Finding) -> None:
    """Only a submitted finding is reviewed."""
    if finding.review_state is not ReviewState.SUBMITTED:
        raise WrongState(
            _(
                "Only a finding submitted for review can be reviewed; this one is %(state)s.",
                state=finding.review_state.label,
            )
        )


def review_finding(
    finding: Finding, reviewer: User, decision: ReviewDecision, comment: str
) -> None:
    """Accept a submitted finding, or return it to the team with a comment."""
    lock_for_change(finding.visit)
    check_reviewable(finding)
    comment = comment.strip()
    if decision is ReviewDecision.RETURN and not comment:
        raise Invalid(_("Say what the team should change."), field="comment")
    finding.review_state = (
        ReviewState.ACCEPTED if decision is ReviewDecision.ACCEPT else ReviewState.RETURNED
    )
    finding.review_comment = comment
    finding.reviewed_by_id = reviewer.id
    finding.reviewed_at = utcnow()
    db.session.add(
        FindingReview(
            finding=finding,
            step=finding.review_state,
            comment=comment,
            user_id=reviewer.id,
            created_at=finding.reviewed_at,
        )
    )
    audit.record(
        "finding.review",
        finding,
        decision=decision.value,
        from_status=ReviewState.SUBMITTED.value,
        to_status=finding.review_state.value,
    )
    db.session.flush()


def attachments_of_finding(finding: Finding) -> list[Attachment]:
    return list(
        db.session.scalars(
            select(Attachment)
            .where(Attachment.finding_id == finding.id, Attachment.live())
            .options(selectinload(Attachment.uploaded_by))
            .order_by(Attachment.id)
        )
    )


def review_history_of(finding: Finding) -> list[FindingReview]:
    """Each step of the finding's review so far, oldest first."""
    return list(db.session.scalars(review_history(finding.id)))
