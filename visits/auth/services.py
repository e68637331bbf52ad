"""Rules for signing in, the second step, passwords and re-authentication.

Every operation that checks a password or a code first reserves its attempt
with the throttle (``visits.auth.throttle``): an email over its limit is
refused before any hashing, and a success forgets its failures. Each
operation checks its secrets once, however many the form holds (a password
and a code count as one attempt).

What an attempt came to is a value (``Attempt``), not an error: a wrong
password is an answer the page shows, and its audit event must be saved
with it. So these functions add to the request's transaction and the view
commits once (``visits.web.boundary``), whatever the outcome. A rule that
refuses the request itself (turning off a required second factor, a code
missing from the form) raises a ``visits.errors`` type.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _

from visits import audit
from visits.auth import sessions, throttle, two_factor
from visits.auth.passwords import hash_password, verify_password
from visits.errors import Invalid, NotAllowed
from visits.extensions import db
from visits.models import User, UserSession

# The audit actions of failed attempts, one per form.
SIGN_IN_FAILED = "auth.sign_in_failed"
REAUTHENTICATE_FAILED = "auth.reauthenticate_failed"
CHANGE_FAILED = "auth.password_change_failed"
DISABLE_FAILED = "auth.two_factor_disable_failed"


class SignIn(enum.Enum):
    OK = "ok"
    # The password was right; the account asks for a code next.
    SECOND_FACTOR = "second_factor"
    WRONG_CREDENTIALS = "wrong_credentials"
    WRONG_CODE = "wrong_code"
    REUSED_CODE = "reused_code"
    INACTIVE = "inactive"
    THROTTLED = "throttled"


@dataclass(frozen=True)
class Attempt:
    outcome: SignIn
    user: User | None = None
    # For THROTTLED: when the email accepts attempts from this client again.
    retry_at: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.outcome in (SignIn.OK, SignIn.SECOND_FACTOR)


def _failed(
    outcome: SignIn, user: User | None, reason: str, action: str, retry_at: datetime | None = None
) -> Attempt:
    audit.record(action, user, reason=reason)
    return Attempt(outcome, None, retry_at)


def _throttled(user: User, action: str) -> Attempt | None:
    """Reserve an attempt for ``user``'s email; the refusal when it is over the limit."""
    retry_at = throttle.reserve(user.email)
    if retry_at is None:
        return None
    return _failed(SignIn.THROTTLED, user, "throttled", action, retry_at)


def _password(user: User, password: str, action: str) -> Attempt:
    if not verify_password(user, password):
        return _failed(SignIn.WRONG_CREDENTIALS, user, "wrong_password", action)
    return Attempt(SignIn.OK, user)


def _code(user: User, code: str, action: str) -> Attempt:
    """A code from the app or a recovery code, each accepted once."""
    if two_factor.looks_like_recovery_code(code):
        if not two_factor.use_recovery_code(user, code):
            return _failed(SignIn.WRONG_CODE, user, "wrong_recovery_code", action)
        audit.record("auth.recovery_code_use", user, left=two_factor.recovery_codes_left(user))
        return Attempt(SignIn.OK, user)
    check = two_factor.check_code(user, code)
    if check is two_factor.CodeCheck.REUSED:
        return _failed(SignIn.REUSED_CODE, user, "reused_code", action)
    if check is two_factor.CodeCheck.WRONG:
        return _failed(SignIn.WRONG_CODE, user, "wrong_code", action)
    return Attempt(SignIn.OK, user)


def _start_session(user: User, remember: bool) -> None:
    """Sign ``user`` in on this browser once every factor was checked."""
    user.last_login_at = sessions.now()
    sessions.sign_in(user, remember)
    audit.record("auth.sign_in", user, user_id=user.id, second_factor=two_factor.is_enrolled(user))
    throttle.forget(user.email)


def authenticate(email: str, password: str, remember: bool) -> Attempt:
    """The first step: the same answer for an unknown email as for a wrong password.

    The attempt is counted for the email whether or not it has an account,
    and an unknown email still costs one hash (``verify_password``): neither
    the answer nor its timing tells which emails have accounts. With the
    right password, an account with a second factor waits for its code
    (SECOND_FACTOR); any other is signed in (OK).
    """
    retry_at = throttle.reserve(email)
    user = db.session.scalars(User.by_email(email)).first()
    if retry_at is not None:
        return _failed(SignIn.THROTTLED, user, "throttled", SIGN_IN_FAILED, retry_at)
    if not verify_password(user, password) or user is None:
        reason = "wrong_password" if user is not None else "unknown_account"
        return _failed(SignIn.WRONG_CREDENTIALS, user, reason, SIGN_IN_FAILED)
    if not user.active:
        return _failed(SignIn.INACTIVE, user, "inactive", SIGN_IN_FAILED)
    if two_factor.is_enrolled(user):
        sessions.await_second_factor(user, remember)
        throttle.release(email)
        return Attempt(SignIn.SECOND_FACTOR, user)
    _start_session(user, remember)
    return Attempt(SignIn.OK, user)


def check_second_factor(user: User, code: str, remember: bool) -> Attempt:
    """The second step, once the password was right: a code from the app or a recovery code."""
    attempt = _throttled(user, SIGN_IN_FAILED) or _code(user, code, SIGN_IN_FAILED)
    if attempt.ok:
        _start_session(user, remember)
    return attempt


def sign_out(user: User) -> None:
    """End this browser's session; the account's other devices stay signed in."""
    audit.record("auth.sign_out", user, user_id=user.id)
    sessions.sign_out()


def sign_out_everywhere(user: User) -> None:
    """End every session of the account, this one included."""
    audit.record("auth.sign_out_everywhere", user, user_id=user.id)
    user.end_all_sessions()
    sessions.sign_out()


def confirm_identity(user: User, password: str, code: str) -> Attempt:
    """Re-authentication before a sensitive action: the password, and a code when enrolled."""
    enrolled = two_factor.is_enrolled(user)
    if enrolled and not code.strip():
        raise Invalid(_("Enter the code your app shows now, or a recovery code."), field="code")
    attempt = _throttled(user, REAUTHENTICATE_FAILED) or _password(
        user, password, REAUTHENTICATE_FAILED
    )
    if attempt.ok and enrolled:
        attempt = _code(user, code, REAUTHENTICATE_FAILED)
    if attempt.ok:
        sessions.confirm_identity()
        audit.record("auth.reauthenticate", user)
        throttle.forget(user.email)
    return attempt


def change_password(user: User, current_password: str, new_password: str) -> Attempt:
    """Set a new password; every other session of the account ends, this one goes on."""
    attempt = _throttled(user, CHANGE_FAILED) or _password(user, current_password, CHANGE_FAILED)
    if not attempt.ok:
        return attempt
    user.password_hash = hash_password(new_password)
    user.must_change_password = False
    sessions.end_others(user)
    sessions.confirm_identity()
    audit.record("auth.password_change", user)
    throttle.forget(user.email)
    return attempt


def enable_two_factor(user: User, row: UserSession, code: str) -> list[str]:
    """Turn the second factor on with the secret set up in this session.

    Returns the recovery codes to show once; a wrong code is refused.
    """
    codes = two_factor.enrol(user, row, code)
    if codes is None:
        raise Invalid(
            _("This code is not right, or it has expired. Enter the code your app shows now."),
            field="code",
        )
    sessions.confirm_identity()
    audit.record("auth.two_factor_enable", user)
    return codes


def disable_two_factor(user: User, password: str, code: str) -> Attempt:
    """Turn the second factor off, after the password and a code; never where it is required."""
    if two_factor.is_required(user):
        raise NotAllowed(_("Your account must use two-step sign-in: it cannot be turned off."))
    attempt = _throttled(user, DISABLE_FAILED) or _password(user, password, DISABLE_FAILED)
    if attempt.ok:
        attempt = _code(user, code, DISABLE_FAILED)
    if attempt.ok:
        two_factor.disable(user)
        audit.record("auth.two_factor_disable", user)
        throttle.forget(user.email)
    return attempt
