"""Visits: the team, the population on the day, the life cycle and its history."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Select,
    String,
    Text,
    UniqueConstraint,
    func,
    select,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship, selectinload

from visits.crypto.fields import Encrypted, RowKeyMixin
from visits.models.base import Base, SoftDeleteMixin, TimestampMixin, utcnow
from visits.models.choices import Choice, enum_column, label_choices
from visits.models.place import Place
from visits.models.user import User

if TYPE_CHECKING:
    from visits.models.checklist import ChecklistAnswer


class VisitType(Choice):
    COMPREHENSIVE = "comprehensive"
    FOLLOW_UP = "follow_up"
    SPECIAL = "special"
    THEMATIC = "thematic"


label_choices(
    VisitType,
    {
        VisitType.COMPREHENSIVE: _l("Comprehensive"),
        VisitType.FOLLOW_UP: _l("Follow-up visit"),
        # Translators: a reactive visit after an allegation or a death in custody.
        VisitType.SPECIAL: _l("Special (reactive)"),
        VisitType.THEMATIC: _l("Thematic"),
    },
)


class VisitStatus(Choice):
    PLANNED = "planned"
    PREPARING = "preparing"
    ON_SITE = "on_site"
    ANALYSIS = "analysis"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    SENT = "sent"
    CLOSED = "closed"
    CANCELLED = "cancelled"


label_choices(
    VisitStatus,
    {
        VisitStatus.PLANNED: _l("Planned"),
        VisitStatus.PREPARING: _l("Preparing"),
        VisitStatus.ON_SITE: _l("On site"),
        VisitStatus.ANALYSIS: _l("Analysis"),
        VisitStatus.IN_REVIEW: _l("In review"),
        VisitStatus.APPROVED: _l("Approved"),
        VisitStatus.SENT: _l("Sent"),
        VisitStatus.CLOSED: _l("Closed"),
        VisitStatus.CANCELLED: _l("Cancelled"),
    },
)

# Once approved, a visit's content is the record: nobody edits it.
LOCKED_STATUSES = frozenset(
    {VisitStatus.APPROVED, VisitStatus.SENT, VisitStatus.CLOSED, VisitStatus.CANCELLED}
)
# The team has been on site: the place counts as visited.
VISITED_STATUSES = frozenset(
    {
        VisitStatus.ON_SITE,
        VisitStatus.ANALYSIS,
        VisitStatus.IN_REVIEW,
        VisitStatus.APPROVED,
        VisitStatus.SENT,
        VisitStatus.CLOSED,
    }
)


class Expertise(Choice):
    GENERAL = "general"
    LAWYER = "lawyer"
    DOCTOR = "doctor"
    PSYCHIATRIST = "psychiatrist"
    PSYCHOLOGIST = "psychologist"
    SOCIAL_WORKER = "social_worker"
    INTERPRETER = "interpreter"


label_choices(
    Expertise,
    {
        Expertise.GENERAL: _l("Monitor (general)"),
        Expertise.LAWYER: _l("Lawyer"),
        Expertise.DOCTOR: _l("Doctor"),
        Expertise.PSYCHIATRIST: _l("Psychiatrist"),
        Expertise.PSYCHOLOGIST: _l("Psychologist"),
        Expertise.SOCIAL_WORKER: _l("Social worker"),
        Expertise.INTERPRETER: _l("Interpreter"),
    },
)


class Gender(Choice):
    FEMALE = "female"
    MALE = "male"
    UNSTATED = "unstated"


label_choices(
    Gender,
    {Gender.FEMALE: _l("Woman"), Gender.MALE: _l("Man"), Gender.UNSTATED: _l("Not stated")},
)


# The longest "joint with" the forms accept (the column holds its ciphertext).
JOINT_WITH_MAX_LENGTH = 200
# The longest outgoing reference of the letter that sent the report.
LETTER_REFERENCE_MAX_LENGTH = 100


class Visit(RowKeyMixin, SoftDeleteMixin, TimestampMixin, Base):
    __tablename__ = "visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("places.id"), index=True)
    visit_type: Mapped[VisitType] = mapped_column(enum_column(VisitType, "visit_type"))
    status: Mapped[VisitStatus] = mapped_column(
        enum_column(VisitStatus, "status"), default=VisitStatus.PREPARING, index=True
    )
    announced: Mapped[bool] = mapped_column(default=False)
    # The visit's free text is encrypted: a special visit's purpose names the
    # allegation or the death it follows.
    joint_with_encrypted: Mapped[str] = mapped_column("joint_with", Text, default="")
    joint_with = Encrypted("joint_with_encrypted")
    start_date: Mapped[date] = mapped_column(Date, index=True)
    end_date: Mapped[date] = mapped_column(Date)
    # Why the visit was made (for a special visit: the allegation or death).
    purpose_encrypted: Mapped[str] = mapped_column("purpose", Text, default="")
    purpose = Encrypted("purpose_encrypted")
    population_total: Mapped[int | None]
    # PopulationCategory code -> number held on the day.
    population_by_category: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    # Recorded by the lead when fewer than a third were interviewed.
    interview_shortfall_reason_encrypted: Mapped[str] = mapped_column(
        "interview_shortfall_reason", Text, default=""
    )
    interview_shortfall_reason = Encrypted("interview_shortfall_reason_encrypted")
    # When the report went to the authorities, and the letter's outgoing
    # reference (set as the visit becomes "sent").
    sent_on: Mapped[date | None] = mapped_column(Date)
    letter_reference: Mapped[str] = mapped_column(String(LETTER_REFERENCE_MAX_LENGTH), default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    place: Mapped[Place] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    members: Mapped[list[VisitMember]] = relationship(
        back_populates="visit", order_by="(VisitMember.is_lead.desc(), VisitMember.id)"
    )
    events: Mapped[list[VisitEvent]] = relationship(
        back_populates="visit", order_by="VisitEvent.id"
    )
    answers: Mapped[list[ChecklistAnswer]] = relationship(back_populates="visit")

    @property
    def reference(self) -> str:
        """A short, stable name for the visit, e.g. ``V-2026-0042``."""
        return f"V-{self.start_date.year}-{self.id:04d}"

    @property
    def lead(self) -> User | None:
        return next((member.user for member in self.members if member.is_lead), None)

    def has_member(self, user: User) -> bool:
        return any(member.user_id == user.id for member in self.members)

    @property
    def is_locked(self) -> bool:
        return self.status in LOCKED_STATUSES

    @property
    def locked_message(self) -> str:
        """Why a locked visit's content no longer changes (for a 409)."""
        return _(
            "This visit is %(status)s: its content can no longer be changed.",
            status=self.status.label,
        )

    @classmethod
    def listing(
        cls,
        status: VisitStatus | None = None,
        visit_type: VisitType | None = None,
        place_id: int | None = None,
        region_id: int | None = None,
        member_id: int | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
    ) -> Select[Visit]:
        """Live visits filtered in SQL, newest first, with what the list shows eager-loaded."""
        query = (
            select(cls)
            .options(
                selectinload(cls.place).selectinload(Place.region),
                selectinload(cls.place).selectinload(Place.place_type),
                selectinload(cls.members).selectinload(VisitMember.user),
            )
            .where(cls.live())
            .order_by(cls.start_date.desc(), cls.id.desc())
        )
        if status is not None:
            query = query.where(cls.status == status)
        if visit_type is not None:
            query = query.where(cls.visit_type == visit_type)
        if place_id:
            query = query.where(cls.place_id == place_id)
        if region_id:
            query = query.join(Place, Place.id == cls.place_id).where(Place.region_id == region_id)
        if member_id:
            query = query.where(cls.members.any(VisitMember.user_id == member_id))
        if date_from is not None:
            query = query.where(cls.end_date >= date_from)
        if date_to is not None:
            query = query.where(cls.start_date <= date_to)
        return query


class VisitMember(Base):
    __tablename__ = "visit_members"
    __table_args__ = (UniqueConstraint("visit_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    is_lead: Mapped[bool] = mapped_column(default=False)
    expertise: Mapped[Expertise] = mapped_column(
        enum_column(Expertise, "expertise"), default=Expertise.GENERAL
    )
    gender: Mapped[Gender] = mapped_column(enum_column(Gender, "gender"), default=Gender.UNSTATED)
    # Added from outside the lead's standing teams: not on the team until approved.
    awaiting_approval: Mapped[bool] = mapped_column(default=False)

    visit: Mapped[Visit] = relationship(back_populates="members")
    user: Mapped[User] = relationship()


class VisitEvent(RowKeyMixin, Base):
    """One line of a visit's history: a status change, with the reason given (encrypted)."""

    __tablename__ = "visit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    from_status: Mapped[VisitStatus | None] = mapped_column(enum_column(VisitStatus, "from_status"))
    to_status: Mapped[VisitStatus] = mapped_column(enum_column(VisitStatus, "to_status"))
    comment_encrypted: Mapped[str] = mapped_column("comment", Text, default="")
    comment = Encrypted("comment_encrypted")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    visit: Mapped[Visit] = relationship(back_populates="events")
    user: Mapped[User] = relationship()


# The last day the NPM was on site, computed in SQL so that it never drifts.
Place.last_visited_on = column_property(
    select(func.max(Visit.end_date))
    .where(
        Visit.place_id == Place.id,
        Visit.status.in_(VISITED_STATUSES),
        Visit.live(),
    )
    .correlate_except(Visit)
    .scalar_subquery()
)
