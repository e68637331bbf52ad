"""Access requests: a change that would let an account read visit content, until decided.

Creating an account with a content-reading role, raising an account's role
to one, resetting a content reader's password or second factor, and adding
someone from outside the lead's standing teams to a visit's team each leave
one ``AccessRequest``. A supervisor other than the requester and the
account concerned approves or refuses it (``visits.approvals``).

The pending state is also kept where the access rules read it, so that no
page pays a query for it: ``User.awaiting_approval`` is true while any
request about the account itself is pending, ``VisitMember.awaiting_approval``
while the team addition is. ``visits.approvals.requests`` keeps both in step
with this table.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import DateTime, ForeignKey, Select, Text, select
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload

from visits.crypto.fields import Encrypted, RowKeyMixin
from visits.models.base import Base, utcnow
from visits.models.choices import Choice, enum_column, label_choices
from visits.models.user import Role, User
from visits.models.visit import Visit


class AccessKind(Choice):
    ACCOUNT_CREATED = "account_created"
    ROLE_RAISED = "role_raised"
    PASSWORD_RESET = "password_reset"  # noqa: S105 (a kind of request, not a password)
    TWO_FACTOR_RESET = "two_factor_reset"
    TEAM_ADDITION = "team_addition"


label_choices(
    AccessKind,
    {
        AccessKind.ACCOUNT_CREATED: _l("New account"),
        AccessKind.ROLE_RAISED: _l("Role raised"),
        AccessKind.PASSWORD_RESET: _l("Password reset"),
        AccessKind.TWO_FACTOR_RESET: _l("Second factor removed"),
        AccessKind.TEAM_ADDITION: _l("Added to a visit team"),
    },
)

# Kinds about the account itself: while one is pending, it reads no content.
ACCOUNT_KINDS = frozenset(AccessKind) - {AccessKind.TEAM_ADDITION}


class RequestStatus(Choice):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"
    # The person was taken off the visit's team before anyone decided.
    WITHDRAWN = "withdrawn"


label_choices(
    RequestStatus,
    {
        RequestStatus.PENDING: _l("Awaiting approval"),
        RequestStatus.APPROVED: _l("Approved"),
        RequestStatus.REFUSED: _l("Refused"),
        RequestStatus.WITHDRAWN: _l("Withdrawn: the person left the team"),
    },
)


class AccessRequest(RowKeyMixin, Base):
    __tablename__ = "access_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[AccessKind] = mapped_column(enum_column(AccessKind, "access_kind"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # The visit whose team the subject joins (team additions only).
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id"), index=True)
    # For a raised role: the role a refusal gives back.
    previous_role: Mapped[Role | None] = mapped_column(
        enum_column(Role, "previous_role", length=20)
    )
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    status: Mapped[RequestStatus] = mapped_column(
        enum_column(RequestStatus, "request_status"), default=RequestStatus.PENDING, index=True
    )
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Why it was refused, as the supervisor wrote it (it may name a visit or a
    # person): encrypted.
    note_encrypted: Mapped[str] = mapped_column("note", Text, default="")
    note = Encrypted("note_encrypted")

    subject: Mapped[User] = relationship(foreign_keys=[subject_id])
    visit: Mapped[Visit | None] = relationship()
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def is_pending(self) -> bool:
        return self.status is RequestStatus.PENDING

    @classmethod
    def pending(cls) -> Select[AccessRequest]:
        """Pending requests, oldest first, with what the approvals page shows eager-loaded."""
        return (
            select(cls)
            .where(cls.status == RequestStatus.PENDING)
            .options(
                selectinload(cls.subject),
                selectinload(cls.requested_by),
                selectinload(cls.visit).selectinload(Visit.place),
            )
            .order_by(cls.requested_at, cls.id)
        )
