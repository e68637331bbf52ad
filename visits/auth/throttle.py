"""The per-account throttle on passwords and second-factor codes.

After ``LOGIN_FAILURES_LIMIT`` failures within
``LOGIN_FAILURES_WINDOW_MINUTES`` (counted from the first of them), the
account refuses further attempts until that window has passed, and it
refuses them *before* any password is hashed: a guesser gets no answer and
costs the server nothing. A success resets the count.

The counter lives on the account's row, so that every worker and host sees
it. An email address that has no account has no counter: those attempts
are held back by the per-address limit (flask-limiter) alone, and answer
exactly like a wrong password.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import format_datetime, format_time, get_timezone
from flask_babel import gettext as _

from visits.auth.sessions import as_utc, now
from visits.models import User


def window() -> timedelta:
    return timedelta(minutes=current_app.config["LOGIN_FAILURES_WINDOW_MINUTES"])


def locked_until(user: User) -> datetime | None:
    """When the account accepts attempts again, or None if it does now."""
    since = user.failed_logins_since
    if since is None or user.failed_logins < current_app.config["LOGIN_FAILURES_LIMIT"]:
        return None
    until = as_utc(since) + window()
    return until if now() < until else None


def record_failure(user: User) -> None:
    """Count a wrong password or code (the caller commits)."""
    moment = now()
    since = user.failed_logins_since
    if since is None or moment - as_utc(since) >= window():
        user.failed_logins = 1
        user.failed_logins_since = moment
    else:
        user.failed_logins += 1


def reset(user: User) -> None:
    """Forget the failures after a success (the caller commits)."""
    user.failed_logins = 0
    user.failed_logins_since = None


def retry_message(until: datetime) -> str:
    """Say when to try again, in the user's language and the NPM's time zone."""
    zone = get_timezone()
    if until.astimezone(zone).date() == now().astimezone(zone).date():
        when = format_time(until, "short")
    else:
        when = format_datetime(until, "short")
    return _(
        "Too many failed attempts for this account. For its protection, it accepts "
        "no new attempt until %(time)s. Try again then.",
        time=when,
    )
