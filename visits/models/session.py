"""Server-side sessions, second-factor recovery codes, and the sign-in throttle's counters."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from visits.crypto.fields import Encrypted, RowKeyMixin
from visits.models.base import Base, utcnow
from visits.models.user import User


class UserSession(RowKeyMixin, Base):
    """A signed-in browser. The cookie holds a random token; only its SHA-256 is here.

    Signing out ends this row; "sign out everywhere" ends them all. The guard
    refuses a session that ended, sat idle too long or lived too long.
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # When the password (or second factor) was last confirmed in this session.
    authenticated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ip: Mapped[str] = mapped_column(String(45), default="")
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    # The second-factor secret being set up in this session, until a first code
    # confirms it (then it moves to the account) or the session ends. It is
    # kept here, encrypted, rather than in the cookie, which is signed but
    # readable by whoever sees it.
    enrolment_secret_encrypted: Mapped[str] = mapped_column("enrolment_secret", Text, default="")
    enrolment_secret = Encrypted("enrolment_secret_encrypted")

    user: Mapped[User] = relationship()


class RecoveryCode(Base):
    """A single-use second-factor recovery code, stored as an argon2 hash."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(255))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SignInFailure(Base):
    """Attempts at a password or code counted for one key, within a window.

    The key is a keyed hash (HMAC) of an email address, alone or with a
    client address (``visits.auth.throttle``): an email that has no account
    is counted like one that has, and is not stored.
    """

    __tablename__ = "sign_in_failures"

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int]
    window_started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
