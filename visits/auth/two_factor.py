"""The second factor: time-based codes (TOTP, RFC 6238) and recovery codes.

A code is accepted once only: the time step of the last accepted code is
kept on the account (``totp_last_step``), and a code of that step or an
earlier one is refused, even within the 30 seconds it is shown for. Codes of
the step before and after the current one are accepted, for clocks that
drift a little.

Recovery codes are ten random single-use codes shown once at enrolment;
only their argon2 hashes are kept.

"Once" holds under parallel submission: a code is claimed by a
compare-and-set ``UPDATE`` whose condition is that nobody claimed it yet
(a later step; a recovery code not yet used), and only the request whose
``UPDATE`` changed the row accepts it. The database decides between two
requests, not a value one of them read earlier.

The secret being set up waits on the server, on the session's row
(encrypted), until a first code confirms it: never in the cookie.
"""

from __future__ import annotations

import enum
import hmac
import secrets

import pyotp
import segno
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm.attributes import set_committed_value

from visits.auth.passwords import password_hasher
from visits.auth.sessions import now
from visits.extensions import db
from visits.models import RecoveryCode, User, UserSession

# Accept the code of the step before and after the current one.
VALID_WINDOW = 1
RECOVERY_CODE_COUNT = 10
# No 0/o, 1/l/i: recovery codes are printed or copied by hand.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_GROUP = 4


class CodeCheck(enum.Enum):
    ACCEPTED = "accepted"
    WRONG = "wrong"
    REUSED = "reused"


# --- The secret --------------------------------------------------------------
# ``User.totp_secret`` encrypts the secret at rest (visits.crypto.fields).


def secret_of(user: User) -> str:
    return user.totp_secret


def store_secret(user: User, secret: str) -> None:
    user.totp_secret = secret


def is_enrolled(user: User) -> bool:
    # The ciphertext is empty exactly when no secret is set: no need to decrypt.
    return bool(user.totp_secret_encrypted)


def required_roles() -> tuple[str, ...]:
    """``REQUIRE_2FA_FOR``; unset, supervisors and administrators in production."""
    configured = current_app.config.get("REQUIRE_2FA_FOR")
    if configured is None:
        return ("supervisor", "admin") if current_app.config["PRODUCTION"] else ()
    return tuple(configured)


def is_required(user: User) -> bool:
    return bool(user.two_factor_required) or user.role.value in required_roles()


def must_enrol(user: User) -> bool:
    """True for an account that must use a second factor and has none yet."""
    return is_required(user) and not is_enrolled(user)


# --- Enrolment ---------------------------------------------------------------


def new_secret() -> str:
    return pyotp.random_base32()


def enrolment_secret(row: UserSession) -> str:
    """The secret being set up in this session, made on first use (the caller commits).

    The same one until a code confirms it, so that reloading the page does
    not invalidate what the app has already scanned.
    """
    if not row.enrolment_secret:
        row.enrolment_secret = new_secret()
    return row.enrolment_secret


def provisioning_uri(user: User, secret: str) -> str:
    issuer = current_app.config["NPM_NAME"] or "NPM"
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=issuer)


def qr_code_svg(uri: str) -> Markup:
    """The QR code as inline SVG, drawn here: the secret never leaves the server."""
    svg = segno.make(uri, error="m").svg_inline(
        scale=5,
        border=4,
        omitsize=True,  # a viewBox: the stylesheet sets the size
        dark="#000",
        light="#fff",
        svgclass="totp-qr",
        title=_("QR code for your authenticator app"),
    )
    return Markup(svg)  # noqa: S704 - segno's own markup; the title is escaped by segno


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type by hand."""
    return " ".join(secret[index : index + 4] for index in range(0, len(secret), 4))


def enrol(user: User, row: UserSession, code: str) -> list[str] | None:
    """Turn the second factor on once ``code`` proves the app holds this session's secret.

    Returns the recovery codes to show once, or None for a wrong code (the
    caller commits). The secret moves from the session to the account.
    """
    secret = row.enrolment_secret
    step = matching_step(secret, code)
    if step is None:
        return None
    store_secret(user, secret)
    user.totp_last_step = step
    row.enrolment_secret = ""
    return new_recovery_codes(user)


def disable(user: User) -> None:
    """Turn the second factor off (the caller commits)."""
    store_secret(user, "")
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


# --- Codes -------------------------------------------------------------------


def digits_of(code: str) -> str:
    return "".join(code.split())


def matching_step(secret: str, code: str) -> int | None:
    """The time step whose code ``code`` is, within the accepted window."""
    code = digits_of(code)
    if not secret or len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now())
    found = None
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        # Compare every candidate, in constant time, whatever matched first.
        if hmac.compare_digest(totp.generate_otp(step), code):
            found = step
    return found


def check_code(user: User, code: str) -> CodeCheck:
    """Check a code from the app; an accepted one cannot be used again (the caller commits).

    The step is claimed in the database: of parallel requests with the same
    code, one ``UPDATE`` changes the row, the others find it claimed.
    """
    step = matching_step(secret_of(user), code)
    if step is None:
        return CodeCheck.WRONG
    claimed = db.session.execute(
        update(User)
        .where(
            User.id == user.id,
            or_(User.totp_last_step.is_(None), User.totp_last_step < step),
        )
        .values(totp_last_step=step)
        .returning(User.id),
        execution_options={"synchronize_session": False},
    ).first()
    if claimed is None:
        return CodeCheck.REUSED
    set_committed_value(user, "totp_last_step", step)
    return CodeCheck.ACCEPTED


# --- Recovery codes ----------------------------------------------------------


def normalise_recovery_code(code: str) -> str:
    letters = "".join(ch for ch in code.lower() if ch.isalnum())
    return f"{letters[:RECOVERY_GROUP]}-{letters[RECOVERY_GROUP:]}"


def looks_like_recovery_code(code: str) -> bool:
    letters = "".join(ch for ch in code.lower() if ch.isalnum())
    return len(letters) == 2 * RECOVERY_GROUP and not letters.isdigit()


def new_recovery_codes(user: User) -> list[str]:
    """Replace the account's recovery codes with ten new ones (the caller commits)."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    hasher = password_hasher()
    codes = [
        "-".join(
            "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_GROUP))
            for _ in range(2)
        )
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=hasher.hash(code)) for code in codes)
    return codes


def use_recovery_code(user: User, code: str) -> bool:
    """Accept an unused recovery code once (the caller commits).

    The code is claimed in the database (``used_at`` still empty): of
    parallel requests with the same code, only one claims it.
    """
    candidate = normalise_recovery_code(code)
    hasher = password_hasher()
    unused = db.session.execute(
        select(RecoveryCode.id, RecoveryCode.code_hash).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
        )
    ).all()
    for code_id, code_hash in unused:
        try:
            hasher.verify(code_hash, candidate)
        except (VerificationError, InvalidHashError):
            continue
        claimed = db.session.execute(
            update(RecoveryCode)
            .where(RecoveryCode.id == code_id, RecoveryCode.used_at.is_(None))
            .values(used_at=now())
            .returning(RecoveryCode.id),
            execution_options={"synchronize_session": False},
        ).first()
        return claimed is not None
    return False


def recovery_codes_left(user: User) -> int:
    return (
        db.session.scalar(
            select(func.count(RecoveryCode.id)).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
            )
        )
        or 0
    )
