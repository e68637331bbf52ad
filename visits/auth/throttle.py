"""The sign-in throttle: attempts counted per email, before any hashing.

Every form that checks a password or a code (sign-in, the second step,
re-authentication, changing the password, turning two-step sign-in off)
first *reserves* its attempt: one atomic statement (``INSERT ... ON CONFLICT
DO UPDATE ... RETURNING``) adds one to the counter and returns the new count,
in a transaction of its own that is committed at once. Parallel attempts are
therefore counted one by one, whichever worker or host receives them, no row
stays locked while argon2 runs, and an attempt over the limit is refused
before anything is hashed: a guesser gets no answer and costs the server
nothing. A reserved attempt counts as a failure unless it succeeds: a right
password with a code still to come gives its attempt back (``release``), a
completed sign-in or confirmation forgets this client's failures (``forget``).

Two counters, so that a guesser cannot lock a person out from elsewhere:

- per email *and client address*: ``LOGIN_FAILURES_LIMIT`` attempts within
  ``LOGIN_FAILURES_WINDOW_MINUTES`` (counted from the first). A guesser at one
  address locks only that address out of that account.
- per email, from any address: ``LOGIN_FAILURES_GLOBAL_LIMIT`` attempts within
  ``LOGIN_FAILURES_GLOBAL_WINDOW_MINUTES``, a slower limit against a guesser
  spread over many addresses. Only attempts the first counter let through
  count here, so one address alone cannot reach it.

Emails are counted whether or not an account has them, and a refusal reads
the same for both, so the throttle does not tell which emails have
accounts. The counters' keys are HMACs of the normalised email (and address)
under ``SECRET_KEY``: no email is stored for an unknown account, and the
keys cannot be recomputed from a list of emails without the secret
(changing ``SECRET_KEY`` starts every count afresh).

Its limits: a guesser with many addresses (a botnet, an IPv6 range) can
still reach the global limit and so lock the account for everyone, its real
owner included, until the global window ends; it takes
``LOGIN_FAILURES_GLOBAL_LIMIT`` guesses per window, each one recorded in the
audit trail. The client address is the one the app sees: behind a reverse
proxy, ``TRUST_PROXY_HOPS`` must be set, or every client shares the proxy's
address and the per-address counter becomes per email. The per-address
limit of requests (``LOGIN_RATE_LIMIT``, flask-limiter) stands in front of
both.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, request
from flask_babel import format_datetime, format_time, get_timezone
from flask_babel import gettext as _
from sqlalchemy import Connection, case, delete, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite

from visits.auth.sessions import as_utc, now
from visits.errors import DomainError
from visits.extensions import db
from visits.models import SignInFailure, User


class TooManyAttempts(DomainError):
    """The throttle refused an attempt before its password or code was checked."""

    status = 429


@dataclass(frozen=True)
class Limit:
    """At most ``attempts`` within ``window`` for one key."""

    attempts: int
    window: timedelta


def per_address_limit() -> Limit:
    config = current_app.config
    return Limit(
        config["LOGIN_FAILURES_LIMIT"],
        timedelta(minutes=config["LOGIN_FAILURES_WINDOW_MINUTES"]),
    )


def global_limit() -> Limit:
    config = current_app.config
    return Limit(
        config["LOGIN_FAILURES_GLOBAL_LIMIT"],
        timedelta(minutes=config["LOGIN_FAILURES_GLOBAL_WINDOW_MINUTES"]),
    )


def client_address() -> str:
    return request.remote_addr or ""


def _key(*parts: str) -> str:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    message = "\x00".join(("sign-in-failures", *parts)).encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def address_key(email: str, address: str) -> str:
    return _key("email+address", User.normalise_email(email), address)


def email_key(email: str) -> str:
    return _key("email", User.normalise_email(email))


def _count(connection: Connection, key: str, limit: Limit, moment: datetime) -> datetime | None:
    """Add this attempt to ``key``'s counter; when it may try again if over the limit."""
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    started = SignInFailure.window_started_at
    expired = started <= moment - limit.window
    statement = (
        insert(SignInFailure)
        .values(key_hash=key, failures=1, window_started_at=moment)
        .on_conflict_do_update(
            index_elements=[SignInFailure.key_hash],
            set_={
                "failures": case((expired, 1), else_=SignInFailure.failures + 1),
                "window_started_at": case(
                    (expired, literal(moment, type_=started.type)), else_=started
                ),
            },
        )
        .returning(SignInFailure.failures, started)
    )
    failures, window_start = connection.execute(statement).one()
    if failures <= limit.attempts:
        return None
    return as_utc(window_start) + limit.window


def _sweep(connection: Connection, moment: datetime) -> None:
    """Delete counters whose window is over; rows another attempt holds are left for later."""
    longest = max(per_address_limit().window, global_limit().window)
    over = (
        select(SignInFailure.key_hash)
        .where(SignInFailure.window_started_at <= moment - longest)
        .with_for_update(skip_locked=True)
    )
    connection.execute(delete(SignInFailure).where(SignInFailure.key_hash.in_(over)))


def reserve(email: str) -> datetime | None:
    """Count one attempt for ``email`` from this client, before any hashing.

    Returns None when the attempt may go on, else when this email accepts
    attempts from this client again. Committed at once, in a transaction of
    its own: the count holds whatever the request does next, and nothing
    stays locked while the password is hashed. Call it before the request's
    own session writes anything (SQLite has one writer at a time).
    """
    moment = now()
    with db.engine.begin() as connection:
        retry_at = _count(
            connection, address_key(email, client_address()), per_address_limit(), moment
        )
        if retry_at is None:
            retry_at = _count(connection, email_key(email), global_limit(), moment)
        _sweep(connection, moment)
    return retry_at


def _subtract(key: str, count: int) -> None:
    failures = SignInFailure.failures
    db.session.execute(
        update(SignInFailure)
        .where(SignInFailure.key_hash == key)
        .values(failures=case((failures > count, failures - count), else_=0)),
        execution_options={"synchronize_session": False},
    )


def release(email: str) -> None:
    """Give back this attempt: its password was right, a code is still to come (the caller
    commits).

    Not a failure, nor yet a success: the failures before it stay counted, so
    that a guesser who has the password still has only the limit's worth of
    codes to try.
    """
    _subtract(address_key(email, client_address()), 1)
    _subtract(email_key(email), 1)


def forget(email: str) -> None:
    """After a success, forget this client's failures for ``email`` (the caller commits).

    The global counter gives back what this client had counted there; other
    addresses' failures stay, so that signing in does not reset a guesser
    spread over many addresses.
    """
    counted = db.session.scalar(
        delete(SignInFailure)
        .where(SignInFailure.key_hash == address_key(email, client_address()))
        .returning(SignInFailure.failures),
        execution_options={"synchronize_session": False},
    )
    if counted:
        _subtract(email_key(email), counted)


def retry_message(until: datetime) -> str:
    """Say when to try again, in the user's language and the NPM's time zone.

    The same words whether the email has an account or not, and whichever
    counter refused.
    """
    zone = get_timezone()
    if until.astimezone(zone).date() == now().astimezone(zone).date():
        when = format_time(until, "short")
    else:
        when = format_datetime(until, "short")
    return _(
        "Too many failed attempts for this email address. No new attempt is accepted "
        "until %(time)s: try again then.",
        time=when,
    )
