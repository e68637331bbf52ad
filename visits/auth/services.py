"""Rules for signing in and changing a password, testable without HTTP."""

from __future__ import annotations

import enum

from visits.extensions import db
from visits.models import User
from visits.models.base import utcnow
from visits.security import hash_password, verify_password


class SignIn(enum.Enum):
    OK = "ok"
    WRONG_CREDENTIALS = "wrong_credentials"
    INACTIVE = "inactive"


def authenticate(email: str, password: str) -> tuple[SignIn, User | None]:
    """Check the credentials; the same answer for an unknown email and a wrong password."""
    user = db.session.scalars(User.by_email(email)).first()
    if not verify_password(user, password) or user is None:
        return SignIn.WRONG_CREDENTIALS, None
    if not user.active:
        return SignIn.INACTIVE, None
    user.last_login_at = utcnow()
    db.session.commit()
    return SignIn.OK, user


def change_password(user: User, new_password: str) -> None:
    """Set a new password and end every other session of the account."""
    user.password_hash = hash_password(new_password)
    user.must_change_password = False
    user.end_all_sessions()
    db.session.commit()


def sign_out_everywhere(user: User) -> None:
    user.end_all_sessions()
    db.session.commit()
