"""Declarative base with a constraint naming convention.

The convention makes Alembic name constraints the same way on SQLite and
PostgreSQL, so that batch migrations on SQLite can find and drop them.
"""

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, DateTime, ForeignKey, MetaData, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from visits.crypto.fields import Encrypted
from visits.errors import ChangedMeanwhile

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class TimestampMixin:
    """Creation and last-change times, stored in UTC."""

    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


# A deletion's reason is kept with the record and in the audit trail.
DELETION_REASON_MAX_LENGTH = 500


class SoftDeleteMixin:
    """Records are never deleted: a deletion hides them, with who, when and why.

    Queries that list or load such records filter on ``live()``; a
    supervisor can restore them. The reason is encrypted like the record's
    content (it may say what the record held), so a model using this mixin
    also needs ``RowKeyMixin``.
    """

    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    deletion_reason_encrypted: Mapped[str] = mapped_column("deletion_reason", Text, default="")
    if TYPE_CHECKING:
        # Made per model in __init_subclass__; declared here for the type checker.
        deletion_reason = Encrypted("deletion_reason_encrypted")

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # One descriptor per model, not one shared by all: its associated
        # data names the model's own table.
        field = Encrypted("deletion_reason_encrypted")
        cls.deletion_reason = field
        field.__set_name__(cls, "deletion_reason")
        super().__init_subclass__(**kwargs)

    @declared_attr
    def deleted_by_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("users.id"))

    @classmethod
    def live(cls) -> ColumnElement[bool]:
        """The SQL condition "not deleted": ``select(Finding).where(Finding.live())``."""
        return cls.deleted_at.is_(None)

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


def check_version(record: Any, seen_version: int) -> None:
    """Refuse to save over a change made since the page was opened (optimistic locking).

    The database checks it again when the row is written (``version_id_col``),
    for a save that lands between this check and the write.
    """
    if seen_version != record.version:
        raise ChangedMeanwhile
