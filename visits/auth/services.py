"""Rules for signing in, the second step, passwords and re-authentication.

Every check of a password or code goes through the per-account throttle
first (``visits.auth.throttle``): a locked account is refused before any
hashing. Each outcome is recorded in the audit trail.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from visits import audit
from visits.auth import sessions, throttle, two_factor
from visits.auth.passwords import hash_password, verify_password
from visits.extensions import db
from visits.models import User


class SignIn(enum.Enum):
    OK = "ok"
    # The password was right; the account asks for a code next.
    SECOND_FACTOR = "second_factor"
    WRONG_CREDENTIALS = "wrong_credentials"
    WRONG_CODE = "wrong_code"
    REUSED_CODE = "reused_code"
    INACTIVE = "inactive"
    THROTTLED = "throttled"


# Outcomes that count towards the throttle.
_FAILURES = frozenset({SignIn.WRONG_CREDENTIALS, SignIn.WRONG_CODE, SignIn.REUSED_CODE})


@dataclass(frozen=True)
class Attempt:
    outcome: SignIn
    user: User | None = None
    # For THROTTLED: when the account accepts attempts again.
    retry_at: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.outcome in (SignIn.OK, SignIn.SECOND_FACTOR)


def _refused(
    outcome: SignIn, user: User | None, reason: str, action: str, retry_at: datetime | None = None
) -> Attempt:
    if user is not None and outcome in _FAILURES:
        throttle.record_failure(user)
    audit.record(action, user, reason=reason)
    db.session.commit()
    return Attempt(outcome, None, retry_at)


def _locked(user: User, action: str) -> Attempt | None:
    until = throttle.locked_until(user)
    if until is None:
        return None
    return _refused(SignIn.THROTTLED, user, "throttled", action, retry_at=until)


def authenticate(email: str, password: str) -> Attempt:
    """Check the credentials; the same answer for an unknown email and a wrong password.

    The account's row is locked until the answer is saved, so that parallel
    attempts are counted one after the other (PostgreSQL; SQLite writes one
    at a time anyway).
    """
    user = db.session.scalars(User.by_email(email).with_for_update()).first()
    if user is not None and (locked := _locked(user, "auth.sign_in_failed")) is not None:
        return locked
    # An unknown email still costs one hash (verify_password): same timing.
    if not verify_password(user, password) or user is None:
        reason = "wrong_password" if user is not None else "unknown_account"
        return _refused(SignIn.WRONG_CREDENTIALS, user, reason, "auth.sign_in_failed")
    if not user.active:
        return _refused(SignIn.INACTIVE, user, "inactive", "auth.sign_in_failed")
    if two_factor.is_enrolled(user):
        db.session.commit()  # a rehashed password is kept
        return Attempt(SignIn.SECOND_FACTOR, user)
    return Attempt(SignIn.OK, user)


def check_second_factor(user: User, code: str, action: str = "auth.sign_in_failed") -> Attempt:
    """Check a code from the app or a recovery code, once the password was right."""
    if (locked := _locked(user, action)) is not None:
        return locked
    if two_factor.looks_like_recovery_code(code):
        if not two_factor.use_recovery_code(user, code):
            return _refused(SignIn.WRONG_CODE, user, "wrong_recovery_code", action)
        audit.record("auth.recovery_code_use", user, left=two_factor.recovery_codes_left(user))
        return Attempt(SignIn.OK, user)
    check = two_factor.check_code(user, code)
    if check is two_factor.CodeCheck.REUSED:
        return _refused(SignIn.REUSED_CODE, user, "reused_code", action)
    if check is two_factor.CodeCheck.WRONG:
        return _refused(SignIn.WRONG_CODE, user, "wrong_code", action)
    return Attempt(SignIn.OK, user)


def complete_sign_in(user: User, remember: bool) -> None:
    """Start this browser's session once every factor was checked."""
    throttle.reset(user)
    user.last_login_at = sessions.now()
    sessions.sign_in(user, remember)
    audit.record("auth.sign_in", user, user_id=user.id, second_factor=two_factor.is_enrolled(user))
    db.session.commit()


def sign_out(user: User) -> None:
    """End this browser's session; the account's other devices stay signed in."""
    audit.record("auth.sign_out", user, user_id=user.id)
    sessions.sign_out()
    db.session.commit()


def sign_out_everywhere(user: User) -> None:
    """End every session of the account, this one included."""
    audit.record("auth.sign_out_everywhere", user, user_id=user.id)
    user.end_all_sessions()
    sessions.sign_out()
    db.session.commit()


def check_password(user: User, password: str, action: str) -> Attempt:
    """The signed-in user's own password, asked for again (throttled like a sign-in)."""
    if (locked := _locked(user, action)) is not None:
        return locked
    if not verify_password(user, password):
        return _refused(SignIn.WRONG_CREDENTIALS, user, "wrong_password", action)
    return Attempt(SignIn.OK, user)


def confirm_identity(user: User, password: str, code: str) -> Attempt:
    """Re-authentication before a sensitive action: the password, and a code when enrolled."""
    attempt = check_password(user, password, "auth.reauthenticate_failed")
    if attempt.ok and two_factor.is_enrolled(user):
        attempt = check_second_factor(user, code, "auth.reauthenticate_failed")
    if attempt.ok:
        throttle.reset(user)
        sessions.confirm_identity()
        audit.record("auth.reauthenticate", user)
        db.session.commit()
    return attempt


def change_password(user: User, current_password: str, new_password: str) -> Attempt:
    """Set a new password; every other session of the account ends, this one goes on."""
    attempt = check_password(user, current_password, "auth.password_change_failed")
    if not attempt.ok:
        return attempt
    throttle.reset(user)
    user.password_hash = hash_password(new_password)
    user.must_change_password = False
    sessions.end_others(user)
    sessions.confirm_identity()
    audit.record("auth.password_change", user)
    db.session.commit()
    return attempt


def enable_two_factor(user: User, secret: str, code: str) -> list[str] | None:
    """Turn the second factor on; the recovery codes to show once, or None for a wrong code."""
    check, codes = two_factor.enrol(user, secret, code)
    if check is not two_factor.CodeCheck.ACCEPTED:
        return None
    sessions.confirm_identity()
    audit.record("auth.two_factor_enable", user)
    db.session.commit()
    return codes


def disable_two_factor(user: User, password: str, code: str) -> Attempt:
    """Turn the second factor off, after the password and a code."""
    attempt = check_password(user, password, "auth.two_factor_disable_failed")
    if attempt.ok:
        attempt = check_second_factor(user, code, "auth.two_factor_disable_failed")
    if attempt.ok:
        throttle.reset(user)
        two_factor.disable(user)
        audit.record("auth.two_factor_disable", user)
        db.session.commit()
    return attempt
