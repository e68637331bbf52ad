"""Account administration rules, testable without HTTP.

Every change to an account is audited (``visits.audit.record``, saved with
the change): who changed what, never a password. Services flush; the view or
command commits (``visits.web.boundary``).

A change that would let an account read visit content (a new monitor or
supervisor, a raised role, a content reader's reset password or second
factor) waits for a supervisor's approval when an administrator makes it
(``requested_by``): see ``visits.approvals.requests``. ``requested_by=None``
is the server's operator (``flask create-user``, ``flask seed-demo``), whose
accounts are approved as they are made.
"""

from __future__ import annotations

import secrets
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from visits.approvals import requests
from visits.audit import record
from visits.auth import two_factor
from visits.auth.passwords import hash_password
from visits.errors import Invalid, WrongState
from visits.extensions import db
from visits.models import AccessKind, Role, User, UserSession

# No 0/O, 1/l/I: the temporary password is read aloud or copied by hand.
_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def temporary_password() -> str:
    """Four groups of four characters: about 92 bits, easy to pass on."""
    groups = ("".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(4))
    return "-".join(groups)


class EmailTaken(Invalid):
    default_message = _l("An account with this email already exists.")


def create_user(
    email: str,
    display_name: str,
    role: Role,
    preferred_locale: str | None = None,
    password: str | None = None,
    *,
    requested_by: User | None = None,
) -> tuple[User, str]:
    """Create an account; without a password, a temporary one to change at first sign-in."""
    normalised = User.normalise_email(email)
    if db.session.scalar(select(User.id).where(User.email == normalised)) is not None:
        raise EmailTaken(field="email")
    if requested_by is not None:
        requests.require_an_approver(role, None, requested_by)
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
    db.session.flush()
    record("user.create", user, role=role.value)
    if requested_by is not None and requests.reads_content(role):
        requests.request_access(AccessKind.ACCOUNT_CREATED, user, requested_by)
    return user, chosen


def set_active(user: User, active: bool, acting: User) -> None:
    """Deactivate (ending every session) or reactivate an account; never one's own."""
    if user.id == acting.id and not active:
        raise WrongState(_("You cannot deactivate your own account."))
    user.active = active
    if not active:
        user.end_all_sessions()
    record("user.reactivate" if active else "user.deactivate", user)
    db.session.flush()


def force_password_reset(user: User, requested_by: User) -> str:
    """Replace the password with a temporary one and end every session.

    A content reader then reads nothing until a supervisor approves: the
    administrator knows the temporary password.
    """
    password = temporary_password()
    user.password_hash = hash_password(password)
    user.must_change_password = True
    user.end_all_sessions()
    record("user.password_reset", user)
    if requests.reads_content(user.role):
        requests.request_access(AccessKind.PASSWORD_RESET, user, requested_by)
    db.session.flush()
    return password


def change_role(user: User, role: Role, acting: User) -> bool:
    """Give ``user`` another role; False when it already has it.

    An administrator cannot take away their own administrator role: there
    is then always one administrator left to manage the accounts. A role
    that reads more content waits for a supervisor's approval.
    """
    if user.id == acting.id and user.role is Role.ADMIN and role is not Role.ADMIN:
        raise Invalid(_("You cannot remove your own administrator role."), field="role")
    if user.role is role:
        return False
    previous = user.role
    raised = requests.raises_access(previous, role)
    if raised:
        requests.require_an_approver(role, user, acting)
    user.role = role
    change: dict[str, Any] = {"from": previous.value, "to": role.value}
    record("user.role_change", user, **change)
    if raised:
        requests.request_access(AccessKind.ROLE_RAISED, user, acting, previous_role=previous)
    db.session.flush()
    return True


def end_sessions(user: User) -> None:
    """Sign the account out on every device (its password stays as it is)."""
    user.end_all_sessions()
    record("user.sessions_ended", user)
    db.session.flush()


def require_two_factor(user: User, required: bool) -> bool:
    """Require (or stop requiring) a second factor at sign-in; False when nothing changes."""
    if user.two_factor_required is required:
        return False
    user.two_factor_required = required
    record("user.two_factor_required", user, required=required)
    db.session.flush()
    return True


def reset_two_factor(user: User, requested_by: User) -> bool:
    """Remove the account's second factor (a lost phone); False when none was set up.

    Every session ends, so that whoever holds the phone or a cookie gets
    nothing; if a second factor is required, the person sets up a new one at
    their next sign-in. A content reader then reads nothing until a
    supervisor approves: a password alone now opens the account.
    """
    if not two_factor.is_enrolled(user):
        return False
    two_factor.disable(user)
    user.end_all_sessions()
    record("user.two_factor_reset", user)
    if requests.reads_content(user.role):
        requests.request_access(AccessKind.TWO_FACTOR_RESET, user, requested_by)
    db.session.flush()
    return True


def open_session_count(user: User) -> int:
    """Browsers where the account has not signed out (some may have timed out since)."""
    count = db.session.scalar(
        select(func.count(UserSession.id)).where(
            UserSession.user_id == user.id, UserSession.ended_at.is_(None)
        )
    )
    return int(count or 0)
