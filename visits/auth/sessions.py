"""Server-side sessions: one ``UserSession`` row per signed-in browser.

A signed-in browser's Flask-Login id is ``"<user id>:<session version>:<token>"``
(``User.get_id``). The token is 32 random bytes that name the session's
row; the database holds only its SHA-256, so that a copy of the database
cannot be turned into cookies. A session is refused once its row has ended
(signed out, signed out everywhere, password changed elsewhere), once it
has been idle longer than ``SESSION_IDLE_MINUTES``, once it is older than
``SESSION_LIFETIME_HOURS``, and once the account's session version changed
or the account was deactivated.

"Keep me signed in" (Flask-Login's remember cookie) is made from the same
id, so a remembered device is bound to its session row: it survives closing
the browser, but it ends with the session, and within the same idle and
absolute limits. Binding it to the session version alone would make
signing out on one device sign out every other device too.

A second factor being set up waits on the session's row (encrypted), not
in the cookie; it is forgotten when the session ends.

The user loader runs before any view and commits its own bookkeeping (a
timed-out session ended, ``last_seen_at``): it is the request's boundary for
those. Everything else here only adds to the request's transaction.

Times are read through ``visits.models.base.utcnow`` at call time, so that
tests can move the clock.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from flask import current_app, g, request, session
from flask_login import current_user, login_remembered, login_user, logout_user
from sqlalchemy import Select, select, update
from sqlalchemy.orm import joinedload

from visits.errors import NotAllowed
from visits.extensions import db, login_manager
from visits.models import User, UserSession
from visits.models import base as model_base

TOKEN_BYTES = 32
# last_seen_at is written at most this often, not on every request.
LAST_SEEN_PRECISION = timedelta(minutes=1)
USER_AGENT_LENGTH = 200


class Ended(enum.Enum):
    """Why a session stopped working without the user signing out."""

    IDLE = "idle"
    LIFETIME = "lifetime"


def now() -> datetime:
    return model_base.utcnow()


def as_utc(moment: datetime) -> datetime:
    """SQLite gives naive UTC times, PostgreSQL aware ones: make both aware."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def idle_limit() -> timedelta:
    return timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])


def lifetime_limit() -> timedelta:
    """``SESSION_LIFETIME_HOURS``."""
    return current_app.permanent_session_lifetime


def parse_login_id(login_id: str) -> tuple[int, int, str] | None:
    """Split a Flask-Login id into user id, session version and token."""
    parts = login_id.split(":")
    if len(parts) != 3:
        return None
    user_id, version, token = parts
    if not (user_id.isdigit() and version.isdigit() and token):
        return None
    return int(user_id), int(version), token


def ended_by_time(row: UserSession, moment: datetime) -> Ended | None:
    if moment - as_utc(row.created_at) > lifetime_limit():
        return Ended.LIFETIME
    if moment - as_utc(row.last_seen_at) > idle_limit():
        return Ended.IDLE
    return None


@login_manager.user_loader
def load(login_id: str) -> User | None:
    """The user of a still valid session, or None (Flask-Login's user loader).

    A session found timed out is ended here, and the reason is kept for the
    sign-in page (``ended_reason``).
    """
    parsed = parse_login_id(login_id)
    if parsed is None:
        return None
    user_id, version, token = parsed
    row = db.session.scalar(
        select(UserSession)
        .options(joinedload(UserSession.user))
        .where(UserSession.token_hash == token_digest(token))
    )
    if row is None or row.user_id != user_id or row.ended_at is not None:
        return None
    user = row.user
    if not user.active or user.session_version != version:
        return None
    moment = now()
    reason = ended_by_time(row, moment)
    if reason is not None:
        _end(row, moment)
        db.session.commit()
        g.session_ended = reason
        return None
    if moment - as_utc(row.last_seen_at) >= LAST_SEEN_PRECISION:
        row.last_seen_at = moment
        db.session.commit()
    user.session_token = token
    g.user_session = row
    return user


def ended_reason() -> Ended | None:
    """Why this request's session just stopped working, if it timed out."""
    reason = g.get("session_ended")
    return reason if isinstance(reason, Ended) else None


def current() -> UserSession | None:
    """The session row of the signed-in user of this request."""
    if not current_user.is_authenticated:
        return None
    row = g.get("user_session")
    return row if isinstance(row, UserSession) else None


def this_session() -> UserSession:
    """The session row of this request, for a view that only a signed-in user reaches."""
    row = current()
    if row is None:
        raise NotAllowed
    return row


def _end(row: UserSession, moment: datetime) -> None:
    row.ended_at = moment
    row.enrolment_secret = ""


def _start(user: User) -> UserSession:
    token = secrets.token_urlsafe(TOKEN_BYTES)
    moment = now()
    row = UserSession(
        token_hash=token_digest(token),
        user=user,
        created_at=moment,
        last_seen_at=moment,
        authenticated_at=moment,
        ip=(request.remote_addr or "")[:45],
        user_agent=request.user_agent.string[:USER_AGENT_LENGTH],
    )
    db.session.add(row)
    user.session_token = token
    return row


def clear_browser_session() -> None:
    """Forget everything in the Flask session except the chosen language."""
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale


# How long the second step may wait after a right password.
PENDING_MINUTES = 10
_PENDING_KEY = "pending_sign_in"


def await_second_factor(user: User, remember: bool) -> None:
    """Remember, in this browser only, that ``user`` gave the right password.

    Nobody is signed in yet: the next step asks for a code.
    """
    clear_browser_session()
    session[_PENDING_KEY] = {
        "user_id": user.id,
        "version": user.session_version,
        "remember": remember,
        "since": now().timestamp(),
    }


def pending_sign_in() -> tuple[User, bool] | None:
    """The account waiting for its second step in this browser, and "remember me"."""
    pending = session.get(_PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    fresh = now().timestamp() - float(pending.get("since", 0)) <= PENDING_MINUTES * 60
    user = db.session.get(User, int(pending.get("user_id", 0))) if fresh else None
    if user is None or not user.active or user.session_version != pending.get("version"):
        session.pop(_PENDING_KEY, None)
        return None
    return user, bool(pending.get("remember"))


def sign_in(user: User, remember: bool) -> UserSession:
    """Start a new session for ``user`` in this browser (the caller commits).

    Nothing from before the sign-in survives it (no session fixation).
    """
    clear_browser_session()
    row = _start(user)
    db.session.flush()
    login_user(user, remember=remember)
    g.user_session = row
    return row


def sign_out() -> None:
    """End this browser's session only (the caller commits); other devices stay."""
    row = current()
    if row is not None:
        _end(row, now())
    clear_browser_session()
    logout_user()  # after clearing: it asks the browser to drop a remember cookie


def end_others(user: User) -> None:
    """End every session of ``user`` but this browser's (the caller commits).

    The session version changes too, so that no earlier cookie can come back;
    this browser goes on under the new version.
    """
    row = current()
    user.session_version += 1
    query = update(UserSession).where(
        UserSession.user_id == user.id, UserSession.ended_at.is_(None)
    )
    if row is not None:
        query = query.where(UserSession.id != row.id)
    db.session.execute(
        query.values(ended_at=now(), enrolment_secret_encrypted=""),
        execution_options={"synchronize_session": False},
    )
    db.session.flush()
    login_user(user, remember=login_remembered())


def confirm_identity() -> None:
    """Record that the user has just given their password again (the caller commits)."""
    row = current()
    if row is not None:
        row.authenticated_at = now()


def authenticated_since(row: UserSession) -> timedelta:
    return now() - as_utc(row.authenticated_at)


def open_sessions(user: User) -> Select[UserSession]:
    """The account's sessions that still work, most recently used first."""
    moment = now()
    return (
        select(UserSession)
        .where(
            UserSession.user_id == user.id,
            UserSession.ended_at.is_(None),
            UserSession.last_seen_at >= moment - idle_limit(),
            UserSession.created_at >= moment - lifetime_limit(),
        )
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
    )
