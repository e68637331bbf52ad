"""People who sign in: monitors, supervisors and administrators."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import DateTime, Select, String, Text, func, or_, select, update
from sqlalchemy.orm import Mapped, mapped_column, object_session

from visits.crypto.fields import Encrypted, RowKeyMixin
from visits.models.base import Base, TimestampMixin
from visits.models.choices import Choice, enum_column, label_choices


class Role(Choice):
    MONITOR = "monitor"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


label_choices(
    Role,
    {
        Role.MONITOR: _l("Monitor"),
        Role.SUPERVISOR: _l("Supervisor"),
        Role.ADMIN: _l("Administrator"),
    },
)


class User(RowKeyMixin, UserMixin, TimestampMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[Role] = mapped_column(enum_column(Role, "role", length=20))
    preferred_locale: Mapped[str | None] = mapped_column(String(5))
    active: Mapped[bool] = mapped_column(default=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    # Part of the Flask-Login id: bumping it invalidates every earlier cookie.
    session_version: Mapped[int] = mapped_column(default=1)
    must_change_password: Mapped[bool] = mapped_column(default=False)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Second factor: the TOTP secret (encrypted), the last time step accepted
    # (a code is accepted once), and whether an administrator requires it.
    totp_secret_encrypted: Mapped[str] = mapped_column("totp_secret", Text, default="")
    totp_secret = Encrypted("totp_secret_encrypted")
    totp_last_step: Mapped[int | None]
    two_factor_required: Mapped[bool] = mapped_column(default=False)
    # A change to the account waits for a supervisor's approval (an
    # ``AccessRequest``): until then it reads no visit content.
    awaiting_approval: Mapped[bool] = mapped_column(default=False)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role.value}>"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    # The token of the browser session this object was loaded for (not a
    # column): see visits.auth.sessions.
    session_token = ""

    def get_id(self) -> str:
        """The Flask-Login id, ``"<id>:<session version>:<session token>"``.

        Flask-Login keeps it in the session cookie and builds the "keep me
        signed in" cookie from it, so that both name one server-side session.
        """
        return f"{self.id}:{self.session_version}:{self.session_token}"

    def end_all_sessions(self) -> None:
        """Make every cookie issued so far for this account useless.

        A second factor being set up in one of those sessions is forgotten with it.
        """
        from visits.models import base
        from visits.models.session import UserSession

        self.session_version += 1
        session = object_session(self)
        if session is not None and self.id is not None:
            session.execute(
                update(UserSession)
                .where(UserSession.user_id == self.id, UserSession.ended_at.is_(None))
                .values(ended_at=base.utcnow(), enrolment_secret_encrypted=""),
                execution_options={"synchronize_session": False},
            )

    @staticmethod
    def normalise_email(email: str) -> str:
        return email.strip().lower()

    @classmethod
    def by_email(cls, email: str) -> Select[User]:
        return select(cls).where(cls.email == cls.normalise_email(email))

    @classmethod
    def listing(
        cls, search: str = "", role: Role | None = None, active: bool | None = None
    ) -> Select[User]:
        """The admin's user list, filtered in SQL, ordered by name."""
        query = select(cls).order_by(func.lower(cls.display_name), cls.id)
        if search:
            pattern = f"%{search.strip().lower()}%"
            query = query.where(
                or_(func.lower(cls.email).like(pattern), func.lower(cls.display_name).like(pattern))
            )
        if role is not None:
            query = query.where(cls.role == role)
        if active is not None:
            query = query.where(cls.active.is_(active))
        return query
