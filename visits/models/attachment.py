"""Photos and documents of a visit or a finding, stored outside the web root."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Select, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from visits.crypto.fields import Encrypted, RowKeyMixin
from visits.models.base import Base, SoftDeleteMixin, TimestampMixin
from visits.models.finding import Finding
from visits.models.user import User
from visits.models.visit import Visit

IMAGE_TYPES = frozenset({"image/jpeg", "image/png"})


# The longest caption the upload form accepts (the column holds its ciphertext).
CAPTION_MAX_LENGTH = 300


class Attachment(RowKeyMixin, SoftDeleteMixin, TimestampMixin, Base):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), index=True)
    finding_id: Mapped[int | None] = mapped_column(ForeignKey("findings.id"), index=True)
    # The sanitised name the user gave (encrypted: a name can say whose
    # statement it is); the file on disk has a generated name.
    original_name_encrypted: Mapped[str] = mapped_column("original_name", Text)
    original_name = Encrypted("original_name_encrypted")
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    caption_encrypted: Mapped[str] = mapped_column("caption", Text, default="")
    caption = Encrypted("caption_encrypted")
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    visit: Mapped[Visit] = relationship()
    finding: Mapped[Finding | None] = relationship()
    uploaded_by: Mapped[User] = relationship(foreign_keys=[uploaded_by_id])

    @property
    def is_image(self) -> bool:
        return self.content_type in IMAGE_TYPES


def attachments_of(visit_id: int) -> Select[Attachment]:
    """The visit's photos and documents, deleted ones left out, and those of a deleted finding.

    A finding's files go with it: hidden while it is deleted, back when a
    supervisor restores it.
    """
    return (
        select(Attachment)
        .outerjoin(Finding, Finding.id == Attachment.finding_id)
        .where(
            Attachment.visit_id == visit_id,
            Attachment.live(),
            Finding.live() | (Finding.id.is_(None)),
        )
        .order_by(Attachment.id)
    )
