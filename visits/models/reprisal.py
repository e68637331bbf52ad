"""Reprisal checks: a later visit's check that a person who spoke is safe, and its history.

An interview with a reprisal risk raises one check for its place. A visit
that has been on site there afterwards records what it found: an outcome,
added to the check's history, never written over. An outcome stands until
the visit that recorded it is cancelled or deleted; the check is open while
none stands, and its state is the latest outcome that stands. Who may record
what, and when, is ``visits.reprisals``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, DateTime, ForeignKey, Select, Text, exists, select
from sqlalchemy.orm import Mapped, aliased, mapped_column, relationship, selectinload

from visits.crypto.fields import Encrypted, RowKeyMixin
from visits.models.base import Base, TimestampMixin, utcnow
from visits.models.choices import Choice, enum_column, label_choices
from visits.models.interview import Interview
from visits.models.place import Place
from visits.models.user import User
from visits.models.visit import Visit


class ReprisalOutcome(Choice):
    NO_SIGNS = "no_signs"
    SIGNS_FOUND = "signs_found"


label_choices(
    ReprisalOutcome,
    {
        ReprisalOutcome.NO_SIGNS: _l("No sign of reprisals"),
        ReprisalOutcome.SIGNS_FOUND: _l("Signs of reprisals found"),
    },
)


class SetAsideBecause(Choice):
    """Why an outcome no longer stands."""

    VISIT_CANCELLED = "visit_cancelled"
    VISIT_DELETED = "visit_deleted"


label_choices(
    SetAsideBecause,
    {
        SetAsideBecause.VISIT_CANCELLED: _l("No longer stands: its visit was cancelled."),
        SetAsideBecause.VISIT_DELETED: _l("No longer stands: its visit was deleted."),
    },
)


class ReprisalCheckOutcome(RowKeyMixin, Base):
    """What one visit found about the person's safety: one line of a check's history."""

    __tablename__ = "reprisal_check_outcomes"

    id: Mapped[int] = mapped_column(primary_key=True)
    check_id: Mapped[int] = mapped_column(ForeignKey("reprisal_checks.id"), index=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), index=True)
    outcome: Mapped[ReprisalOutcome] = mapped_column(enum_column(ReprisalOutcome, "outcome"))
    # What was found about the person's safety: encrypted.
    note_encrypted: Mapped[str] = mapped_column("note", Text, default="")
    note = Encrypted("note_encrypted")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Set when the visit that recorded it is cancelled or deleted (cleared on restoring).
    set_aside_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    set_aside_because: Mapped[SetAsideBecause | None] = mapped_column(
        enum_column(SetAsideBecause, "set_aside_because")
    )

    check: Mapped[ReprisalCheck] = relationship(back_populates="outcomes")
    visit: Mapped[Visit] = relationship()
    recorded_by: Mapped[User] = relationship()

    # Whether a person who spoke is safe: every read of the note is audited
    # (visits.audit.reads), like an interview's notes.
    audited_read_action = "reprisal_check.outcome_read"

    @classmethod
    def standing(cls) -> ColumnElement[bool]:
        """The SQL condition "still stands"."""
        return cls.set_aside_at.is_(None)

    @property
    def stands(self) -> bool:
        return self.set_aside_at is None


class ReprisalCheck(TimestampMixin, Base):
    """A check, on a later visit to the place, that a person who spoke is safe."""

    __tablename__ = "reprisal_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("places.id"), index=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id"), unique=True)

    place: Mapped[Place] = relationship()
    interview: Mapped[Interview] = relationship()
    outcomes: Mapped[list[ReprisalCheckOutcome]] = relationship(
        back_populates="check", order_by=ReprisalCheckOutcome.id
    )

    @classmethod
    def is_open(cls) -> ColumnElement[bool]:
        """The SQL condition "no outcome stands": the check is still to be made."""
        return ~exists().where(
            ReprisalCheckOutcome.check_id == cls.id, ReprisalCheckOutcome.standing()
        )

    @property
    def current(self) -> ReprisalCheckOutcome | None:
        """The latest outcome that stands (None: still to be checked); loads the history."""
        return next((entry for entry in reversed(self.outcomes) if entry.stands), None)


# The visit whose interview raised a check, beside the visit that makes it.
RaisedOn = aliased(Visit, name="raised_on")


def open_checks() -> Select[ReprisalCheck]:
    """Open checks raised by a live interview of a live visit, with ``RaisedOn`` joined."""
    return (
        select(ReprisalCheck)
        .join(Interview, Interview.id == ReprisalCheck.interview_id)
        .join(RaisedOn, RaisedOn.id == Interview.visit_id)
        .where(Interview.live(), RaisedOn.live(), ReprisalCheck.is_open())
    )


def follows(visit: Any) -> ColumnElement[bool]:
    """A visit after the one that raised the check: same place, starting once it ended.

    ``visit`` is a loaded visit or a (correlated) alias of ``Visit``; with
    ``open_checks``, these are the checks that visit makes.
    """
    return (
        (ReprisalCheck.place_id == visit.place_id)
        & (RaisedOn.id != visit.id)
        & (RaisedOn.end_date <= visit.start_date)
    )


def checks_due_on(visit: Visit) -> Select[ReprisalCheck]:
    """The open checks this visit makes, oldest first, with what the page names loaded."""
    return (
        open_checks()
        .where(follows(visit))
        .options(selectinload(ReprisalCheck.interview).selectinload(Interview.visit))
        .order_by(ReprisalCheck.id)
    )


def outcomes_recorded_by(visit: Visit) -> Select[ReprisalCheckOutcome]:
    """What this visit recorded on checks still raised, with their interviews, oldest first."""
    return (
        select(ReprisalCheckOutcome)
        .join(ReprisalCheck, ReprisalCheck.id == ReprisalCheckOutcome.check_id)
        .join(Interview, Interview.id == ReprisalCheck.interview_id)
        .join(RaisedOn, RaisedOn.id == Interview.visit_id)
        .where(ReprisalCheckOutcome.visit_id == visit.id, Interview.live(), RaisedOn.live())
        .options(
            selectinload(ReprisalCheckOutcome.check)
            .selectinload(ReprisalCheck.interview)
            .selectinload(Interview.visit),
            selectinload(ReprisalCheckOutcome.recorded_by),
        )
        .order_by(ReprisalCheckOutcome.id)
    )


def check_with_history(interview_id: int) -> Select[ReprisalCheck]:
    """An interview's check with its outcomes, their visits and who recorded them."""
    return (
        select(ReprisalCheck)
        .where(ReprisalCheck.interview_id == interview_id)
        .options(
            selectinload(ReprisalCheck.outcomes).selectinload(ReprisalCheckOutcome.visit),
            selectinload(ReprisalCheck.outcomes).selectinload(ReprisalCheckOutcome.recorded_by),
        )
    )
