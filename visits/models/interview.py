"""Interviews, under pseudonym, with consent."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, ForeignKey, Select, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from visits.crypto.fields import Encrypted, RowKeyMixin
from visits.models.base import Base, SoftDeleteMixin, TimestampMixin
from visits.models.choices import Choice, enum_column, label_choices
from visits.models.user import User
from visits.models.visit import Visit


class InterviewKind(Choice):
    INDIVIDUAL = "individual"
    GROUP = "group"
    STAFF = "staff"
    MEDICAL = "medical"


label_choices(
    InterviewKind,
    {
        InterviewKind.INDIVIDUAL: _l("Individual interview"),
        InterviewKind.GROUP: _l("Group interview"),
        InterviewKind.STAFF: _l("Staff interview"),
        InterviewKind.MEDICAL: _l("Medical interview"),
    },
)

# Interviews with people held there: these count towards the one-third rule.
DETAINEE_KINDS = frozenset({InterviewKind.INDIVIDUAL, InterviewKind.GROUP})


class ConsentScope(Choice):
    ANONYMOUS = "anonymous"
    NAMED = "named"
    NONE = "none"


label_choices(
    ConsentScope,
    {
        ConsentScope.ANONYMOUS: _l("May be used anonymously"),
        ConsentScope.NAMED: _l("May be transmitted to the authorities with the name"),
        ConsentScope.NONE: _l("No consent: not to be used"),
    },
)


class Interview(RowKeyMixin, SoftDeleteMixin, TimestampMixin, Base):
    __tablename__ = "interviews"
    __table_args__ = (UniqueConstraint("visit_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), index=True)
    number: Mapped[int]
    pseudonym: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[InterviewKind] = mapped_column(enum_column(InterviewKind, "kind"))
    people_count: Mapped[int] = mapped_column(default=1)
    conducted_on: Mapped[date | None] = mapped_column(Date)
    # Who the person is: optional, shown to the visit team only. Encrypted.
    real_name_encrypted: Mapped[str] = mapped_column("real_name", Text, default="")
    # Decrypted only when a page of the visit's team reads it.
    real_name = Encrypted("real_name_encrypted", decrypt_on_load=False)
    identifying_details_encrypted: Mapped[str] = mapped_column(
        "identifying_details", Text, default=""
    )
    identifying_details = Encrypted("identifying_details_encrypted", decrypt_on_load=False)
    consent_scope: Mapped[ConsentScope] = mapped_column(enum_column(ConsentScope, "consent_scope"))
    consent_date: Mapped[date | None] = mapped_column(Date)
    consent_withdrawn_on: Mapped[date | None] = mapped_column(Date)
    reprisal_risk: Mapped[bool] = mapped_column(default=False)
    notes_encrypted: Mapped[str] = mapped_column("notes", Text, default="")
    notes = Encrypted("notes_encrypted")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    visit: Mapped[Visit] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])

    # Every read of an interview's notes or identity is audited (visits.audit.reads).
    audited_read_action = "interview.read"

    @property
    def consent_withdrawn(self) -> bool:
        return self.consent_withdrawn_on is not None

    @property
    def usable_in_reports(self) -> bool:
        """Withdrawn or refused consent hides the content from every report."""
        return not self.consent_withdrawn and self.consent_scope is not ConsentScope.NONE


def interviews_of(visit_id: int) -> Select[Interview]:
    """The visit's interviews, deleted ones left out."""
    return (
        select(Interview)
        .where(Interview.visit_id == visit_id, Interview.live())
        .order_by(Interview.number)
    )
