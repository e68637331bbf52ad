"""Account administration rules, testable without HTTP."""

from __future__ import annotations

import secrets

from sqlalchemy import select

from visits.extensions import db
from visits.models import Role, User
from visits.security import hash_password

# No 0/O, 1/l/I: the temporary password is read aloud or copied by hand.
_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def temporary_password() -> str:
    """Four groups of four characters: about 92 bits, easy to pass on."""
    groups = ("".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(4))
    return "-".join(groups)


class EmailTaken(Exception):
    pass


def create_user(
    email: str,
    display_name: str,
    role: Role,
    preferred_locale: str | None = None,
    password: str | None = None,
) -> tuple[User, str]:
    """Create an account; without a password, a temporary one to change at first sign-in."""
    normalised = User.normalise_email(email)
    if db.session.scalar(select(User.id).where(User.email == normalised)) is not None:
        raise EmailTaken(normalised)
    chosen = password or temporary_password()
    user = User(
        email=normalised,
        display_name=display_name.strip(),
        role=role,
        preferred_locale=preferred_locale,
        password_hash=hash_password(chosen),
        must_change_password=password is None,
    )
    db.session.add(user)
    db.session.commit()
    return user, chosen


def set_active(user: User, active: bool) -> None:
    """Deactivate (ending every session) or reactivate an account."""
    user.active = active
    if not active:
        user.end_all_sessions()
    db.session.commit()


def force_password_reset(user: User) -> str:
    """Replace the password with a temporary one and end every session."""
    password = temporary_password()
    user.password_hash = hash_password(password)
    user.must_change_password = True
    user.end_all_sessions()
    db.session.commit()
    return password
