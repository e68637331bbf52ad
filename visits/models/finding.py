"""Findings: what the team established, from which sources, how confidential."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Column,
    ColumnElement,
    DateTime,
    ForeignKey,
    Select,
    Table,
    Text,
    UniqueConstraint,
    and_,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload

from visits.crypto.fields import Encrypted, RowKeyMixin
from visits.models.base import Base, SoftDeleteMixin, TimestampMixin, utcnow
from visits.models.checklist import ThematicArea
from visits.models.choices import Choice, enum_column, label_choices
from visits.models.interview import Interview
from visits.models.user import User
from visits.models.visit import Visit


class SourceType(Choice):
    OBSERVATION = "observation"
    DETAINEE_INTERVIEW = "detainee_interview"
    STAFF_INTERVIEW = "staff_interview"
    DOCUMENTS = "documents"
    OTHER = "other"


label_choices(
    SourceType,
    {
        SourceType.OBSERVATION: _l("Direct observation"),
        SourceType.DETAINEE_INTERVIEW: _l("Interview with a person held"),
        SourceType.STAFF_INTERVIEW: _l("Interview with staff"),
        SourceType.DOCUMENTS: _l("Documents and registers"),
        SourceType.OTHER: _l("Other source"),
    },
)


class Severity(Choice):
    GOOD_PRACTICE = "good_practice"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    URGENT = "urgent"


label_choices(
    Severity,
    {
        Severity.GOOD_PRACTICE: _l("Good practice"),
        Severity.LOW: _l("Minor concern"),
        Severity.MEDIUM: _l("Concern"),
        Severity.HIGH: _l("Serious concern"),
        Severity.URGENT: _l("Urgent"),
    },
)


class Confidentiality(Choice):
    """From the least to the most restricted (the order ``highest`` reads)."""

    PUBLIC = "public"
    INTERNAL = "internal"
    CONFIDENTIAL = "confidential"

    @classmethod
    def highest(cls, levels: Iterable[Confidentiality]) -> Confidentiality:
        """The most restricted of ``levels``: what a page showing them all is marked."""
        order = list(cls)
        return max(levels, key=order.index, default=cls.PUBLIC)


label_choices(
    Confidentiality,
    {
        Confidentiality.PUBLIC: _l("Public"),
        Confidentiality.INTERNAL: _l("Internal"),
        Confidentiality.CONFIDENTIAL: _l("Confidential"),
    },
)


class ReviewState(Choice):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    RETURNED = "returned"


label_choices(
    ReviewState,
    {
        ReviewState.DRAFT: _l("Draft"),
        ReviewState.SUBMITTED: _l("Submitted for review"),
        ReviewState.ACCEPTED: _l("Accepted"),
        ReviewState.RETURNED: _l("Returned"),
    },
)

# The team may still change these; a submitted or accepted finding waits
# for (or has had) a supervisor's reading.
TEAM_EDITABLE_STATES = frozenset({ReviewState.DRAFT, ReviewState.RETURNED})
# A supervisor's decisions.
DECIDED_STATES = frozenset({ReviewState.ACCEPTED, ReviewState.RETURNED})

finding_interviews = Table(
    "finding_interviews",
    Base.metadata,
    Column("finding_id", ForeignKey("findings.id"), primary_key=True),
    Column("interview_id", ForeignKey("interviews.id"), primary_key=True),
)


# The longest title the forms accept (the column holds its ciphertext).
TITLE_MAX_LENGTH = 200


class Finding(RowKeyMixin, SoftDeleteMixin, TimestampMixin, Base):
    __tablename__ = "findings"
    __table_args__ = (UniqueConstraint("visit_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), index=True)
    number: Mapped[int]
    area: Mapped[ThematicArea] = mapped_column(enum_column(ThematicArea, "area"))
    source_type: Mapped[SourceType] = mapped_column(enum_column(SourceType, "source_type"))
    severity: Mapped[Severity] = mapped_column(enum_column(Severity, "severity"))
    confidentiality: Mapped[Confidentiality] = mapped_column(
        enum_column(Confidentiality, "confidentiality")
    )
    title_encrypted: Mapped[str] = mapped_column("title", Text)
    title = Encrypted("title_encrypted")
    text_encrypted: Mapped[str] = mapped_column("text", Text)
    text = Encrypted("text_encrypted")
    review_state: Mapped[ReviewState] = mapped_column(
        enum_column(ReviewState, "review_state"), default=ReviewState.DRAFT, index=True
    )
    review_comment_encrypted: Mapped[str] = mapped_column("review_comment", Text, default="")
    review_comment = Encrypted("review_comment_encrypted")
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The allegation record, when the finding alleges torture or ill-treatment
    # (encrypted, like the text).
    alleges_ill_treatment: Mapped[bool] = mapped_column(default=False)
    allegation_what_encrypted: Mapped[str] = mapped_column("allegation_what", Text, default="")
    allegation_what = Encrypted("allegation_what_encrypted")
    allegation_when_encrypted: Mapped[str] = mapped_column("allegation_when", Text, default="")
    allegation_when = Encrypted("allegation_when_encrypted")
    allegation_by_whom_encrypted: Mapped[str] = mapped_column(
        "allegation_by_whom", Text, default=""
    )
    allegation_by_whom = Encrypted("allegation_by_whom_encrypted")
    allegation_medical_evidence_encrypted: Mapped[str] = mapped_column(
        "allegation_medical_evidence", Text, default=""
    )
    allegation_medical_evidence = Encrypted("allegation_medical_evidence_encrypted")
    allegation_consent_to_transmit: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    visit: Mapped[Visit] = relationship()
    # The interviews it rests on; a deleted one drops out of the list, and its
    # link comes back with it when a supervisor restores it.
    interviews: Mapped[list[Interview]] = relationship(
        secondary=finding_interviews,
        secondaryjoin=lambda: and_(
            Interview.id == finding_interviews.c.interview_id, Interview.live()
        ),
        order_by=Interview.number,
    )
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])

    @property
    def reference(self) -> str:
        return f"{self.visit.reference}-F{self.number}"

    @property
    def has_current_decision(self) -> bool:
        """Whether the review fields (who, when, comment) describe the finding as it is now.

        They keep the latest decision; once the team submits the finding
        again, that decision is history (``FindingReview``), not its state.
        """
        return self.review_state in DECIDED_STATES and self.reviewed_at is not None

    @property
    def audited_read_action(self) -> str | None:
        """Reads of a confidential finding's text are audited (visits.audit.reads)."""
        return "finding.read" if self.confidentiality is Confidentiality.CONFIDENTIAL else None


def findings_across_visits(
    visible: ColumnElement[bool], review: ReviewState | None = None
) -> Select[Finding]:
    """Live findings of the live visits ``visible`` selects, newest visit first.

    ``visible`` is the reader's access condition on ``Visit``
    (``visits.access.rules.visits_with_content_for``); ``review`` narrows
    them to one review state. The dashboard counts the same query.
    """
    query = (
        select(Finding)
        .join(Visit, Visit.id == Finding.visit_id)
        .where(Finding.live(), Visit.live(), visible)
        .options(selectinload(Finding.visit).selectinload(Visit.place))
        .order_by(Visit.start_date.desc(), Visit.id.desc(), Finding.number)
    )
    if review is not None:
        query = query.where(Finding.review_state == review)
    return query


def findings_of(visit_id: int) -> Select[Finding]:
    """The visit's findings with their sources, deleted ones left out."""
    return (
        select(Finding)
        .where(Finding.visit_id == visit_id, Finding.live())
        .options(selectinload(Finding.interviews))
        .order_by(Finding.number)
    )


class FindingReview(RowKeyMixin, Base):
    """One step of a finding's review: submitted by the team, accepted or returned.

    The finding's own ``review_state`` (and its latest decision) is where it
    stands now; these rows are how it got there, so that a finding returned,
    revised and submitted again still shows what was asked of the team.
    """

    __tablename__ = "finding_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id"), index=True)
    step: Mapped[ReviewState] = mapped_column(enum_column(ReviewState, "step"))
    # The supervisor's comment (a return's request to the team): encrypted.
    comment_encrypted: Mapped[str] = mapped_column("comment", Text, default="")
    comment = Encrypted("comment_encrypted")
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    finding: Mapped[Finding] = relationship()
    user: Mapped[User] = relationship()


def review_history(finding_id: int) -> Select[FindingReview]:
    """A finding's review steps, oldest first, with who took them."""
    return (
        select(FindingReview)
        .where(FindingReview.finding_id == finding_id)
        .options(selectinload(FindingReview.user))
        .order_by(FindingReview.id)
    )
