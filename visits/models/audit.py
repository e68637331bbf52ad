"""The append-only, chained audit trail, and the encrypted free text its events refer to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from visits.crypto.fields import Encrypted, RowKeyMixin
from visits.models.base import Base, utcnow
from visits.models.user import User


class AuditEvent(Base):
    """One thing that happened. The database refuses UPDATE and DELETE on this table.

    ``hash`` is the HMAC-SHA256, under the audit key, of this row's content and
    the previous row's hash, so that a changed or removed row breaks the chain
    (``flask audit verify``; rows from before keyed chaining carry a SHA-256).
    """

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(60), index=True)
    object_type: Mapped[str] = mapped_column(String(40), default="", index=True)
    object_id: Mapped[int | None] = mapped_column(Integer, index=True)
    ip: Mapped[str] = mapped_column(String(45), default="")
    # JSON: field names changed, counts, states; never confidential values, and a
    # person's own words only as a reference to an ``AuditText``.
    details: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    user: Mapped[User | None] = relationship()


class AuditHead(Base):
    """The single row that serialises appends: the last event's id and hash."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_id: Mapped[int] = mapped_column(default=0)
    last_hash: Mapped[str] = mapped_column(String(64))


class AuditText(RowKeyMixin, Base):
    """What a person wrote that an event refers to (a deletion's reason), encrypted.

    The event's details hold ``{"text": <row_key>}``: its MAC covers the row
    key, and the ciphertext is bound to that key, so a text cannot be swapped
    for another. The database refuses DELETE here and any change of the id or
    the row key; only ``flask keys rotate`` rewrites the ciphertext.
    """

    __tablename__ = "audit_texts"

    id: Mapped[int] = mapped_column(primary_key=True)
    text_encrypted: Mapped[str] = mapped_column("text", Text, default="")
    text = Encrypted("text_encrypted")
