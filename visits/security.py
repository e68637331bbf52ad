"""Password hashing, sessions, the request guard, permissions and headers.

Secure by default: every endpoint needs a signed-in user unless its view is
marked ``@public``; every POST needs a CSRF token; who may do what is one
table (``PERMISSIONS``) asked through ``can()`` by views and templates alike.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar
from urllib.parse import urlsplit

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, Response, abort, current_app, flash, redirect, request, url_for
from flask_babel import ngettext
from flask_login import current_user, login_url
from flask_wtf.csrf import CSRFError
from werkzeug.wrappers import Response as BaseResponse

from visits.extensions import csrf, login_manager
from visits.models import Role, User

F = TypeVar("F", bound=Callable[..., Any])

# --- Passwords ---------------------------------------------------------------


def password_hasher() -> PasswordHasher:
    """argon2id with the parameters configured for this deployment."""
    config = current_app.config
    return PasswordHasher(
        time_cost=config["ARGON2_TIME_COST"],
        memory_cost=config["ARGON2_MEMORY_COST"],
        parallelism=config["ARGON2_PARALLELISM"],
    )


def hash_password(password: str) -> str:
    return password_hasher().hash(password)


def verify_password(user: User | None, password: str) -> bool:
    """Check a password; rehash it when the configured parameters changed.

    An unknown account still costs one argon2 verification, so that timing
    does not tell which email addresses have accounts.
    """
    hasher = password_hasher()
    stored = user.password_hash if user is not None else _dummy_hash(hasher)
    try:
        hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False
    if user is None:
        return False
    if hasher.check_needs_rehash(stored):
        user.password_hash = hasher.hash(password)
    return True


_DUMMY_HASHES: dict[tuple[int, int, int], str] = {}


def _dummy_hash(hasher: PasswordHasher) -> str:
    key = (hasher.time_cost, hasher.memory_cost, hasher.parallelism)
    if key not in _DUMMY_HASHES:
        _DUMMY_HASHES[key] = hasher.hash("not a password of anyone")
    return _DUMMY_HASHES[key]


# --- Sessions ----------------------------------------------------------------


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """Load the user named by ``"<id>:<session version>:<session token>"``.

    The token must name a session that is still open: not signed out, not
    idle longer than ``SESSION_IDLE_MINUTES``, not older than
    ``SESSION_LIFETIME_HOURS``. A cookie issued before the account's last
    "sign out everywhere" or password change carries an older version and
    is refused; so is a deactivated account. See visits.auth.sessions.
    """
    # Imported here: visits.auth's views import this module.
    from visits.auth import sessions

    return sessions.load(session_id)


def sign_in_again() -> BaseResponse:
    """Send a signed-out visitor to the sign-in page, saying why when their session timed out.

    The page they asked for comes back after signing in (``next``), where
    the drafts script restores what they had typed.
    """
    from visits.auth import sessions

    reason = sessions.ended_reason()
    if reason is None:
        return login_manager.unauthorized()
    if reason is sessions.Ended.IDLE:
        minutes = current_app.config["SESSION_IDLE_MINUTES"]
        message = ngettext(
            "You were signed out after %(num)d minute without activity. "
            "Sign in again to go on where you were.",
            "You were signed out after %(num)d minutes without activity. "
            "Sign in again to go on where you were.",
            minutes,
        )
    else:
        hours = round(sessions.lifetime_limit().total_seconds() / 3600)
        message = ngettext(
            "You were signed out because a session lasts at most %(num)d hour. "
            "Sign in again to go on where you were.",
            "You were signed out because a session lasts at most %(num)d hours. "
            "Sign in again to go on where you were.",
            hours,
        )
    flash(message, "warning")
    return redirect(login_url(str(login_manager.login_view), next_url=request.url))


def recent_authentication(minutes: int | None = None) -> Callable[[F], F]:
    """Ask for the password again (and a code when enrolled) before a sensitive view.

    When this session's password was given longer ago than ``minutes``
    (``REAUTH_MINUTES`` by default), a GET goes to ``/auth/confirm`` and comes
    back here afterwards. A POST is answered 403 with the same confirmation
    form; it then leads back to the page the form was on, whose drafts the
    browser kept. Simplest for a form: decorate the view that serves both.
    """

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            from visits.auth import sessions

            limit = minutes if minutes is not None else current_app.config["REAUTH_MINUTES"]
            row = sessions.current()
            if row is None or sessions.authenticated_since(row) > timedelta(minutes=limit):
                return confirmation_needed()
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def confirmation_needed() -> BaseResponse | tuple[str, int]:
    from visits.auth.confirm import confirm_page
    from visits.errors import same_site_referrer

    if request.method in SAFE_METHODS:
        return redirect(url_for("auth.confirm", next=request.full_path.rstrip("?")))
    return confirm_page(same_site_referrer() or url_for("main.dashboard"), status=403)


# --- Who may do what ---------------------------------------------------------

PERMISSIONS: dict[str, frozenset[Role]] = {
    "manage_users": frozenset({Role.ADMIN}),
    # Regions, place types, authorities and the places registry.
    "edit_reference": frozenset({Role.SUPERVISOR, Role.ADMIN}),
    "edit_plan": frozenset({Role.SUPERVISOR, Role.ADMIN}),
    "edit_checklists": frozenset({Role.SUPERVISOR, Role.ADMIN}),
    # A monitor who creates a visit becomes its lead.
    "create_visit": frozenset({Role.MONITOR, Role.SUPERVISOR}),
    # Approve or return visits, accept or return findings.
    "review": frozenset({Role.SUPERVISOR}),
    # The audit trail: who did what, never the confidential content itself.
    "view_audit": frozenset({Role.SUPERVISOR, Role.ADMIN}),
    # See deleted visits and content, and restore them.
    "restore": frozenset({Role.SUPERVISOR}),
}


def can(user: Any, permission: str) -> bool:
    """True when ``user`` holds ``permission``; the one place roles are read."""
    if permission not in PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}")
    return bool(user.is_authenticated) and user.role in PERMISSIONS[permission]


def requires(permission: str) -> Callable[[F], F]:
    """Refuse the view with 403 unless the signed-in user holds ``permission``."""

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not can(current_user, permission):
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def public(view: F) -> F:
    """Mark a view as reachable without signing in."""
    view.is_public = True  # type: ignore[attr-defined]
    return view


def form_view(view: F) -> F:
    """Mark a view whose form re-renders itself when its CSRF token is stale.

    The view must validate a ``visits.forms.Form`` before changing anything:
    that validation fails on the same token, and the page comes back with
    what the user typed and a message, instead of a bare error page.
    """
    view.is_form_view = True  # type: ignore[attr-defined]
    return view


# Views of extensions that cannot carry the decorator.
PUBLIC_ENDPOINTS = frozenset({"static", "bootstrap.static"})

# Pages a user who must change their password may still open.
PASSWORD_CHANGE_ENDPOINTS = frozenset(
    {"auth.change_password", "auth.logout", "main.set_language", "static", "bootstrap.static"}
)

# Pages a user who must set up a second factor may still open.
TWO_FACTOR_SETUP_ENDPOINTS = frozenset(
    {
        "auth.two_factor_setup",
        "auth.confirm",
        "auth.logout",
        "main.set_language",
        "static",
        "bootstrap.static",
    }
)


def is_public_endpoint(app: Flask, endpoint: str | None) -> bool:
    if endpoint is None:  # no route matched: let the 404/405 handlers answer
        return True
    if endpoint in PUBLIC_ENDPOINTS:
        return True
    return bool(getattr(app.view_functions.get(endpoint), "is_public", False))


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def guard_request() -> BaseResponse | None:
    """Run before every request: sign-in, forced password change and second factor, CSRF."""
    from visits.auth.two_factor import must_enrol

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    endpoint = request.endpoint
    if not is_public_endpoint(app, endpoint):
        if not current_user.is_authenticated:
            return sign_in_again()
        if current_user.must_change_password and endpoint not in PASSWORD_CHANGE_ENDPOINTS:
            return redirect(url_for("auth.change_password"))
        if must_enrol(current_user) and endpoint not in TWO_FACTOR_SETUP_ENDPOINTS:
            return redirect(url_for("auth.two_factor_setup"))
    if request.method not in SAFE_METHODS:
        try:
            csrf.protect()
        except CSRFError:
            view = app.view_functions.get(endpoint) if endpoint else None
            if not getattr(view, "is_form_view", False):
                raise
    return None


def safe_next_url(target: str | None) -> str | None:
    """Return ``target`` if it is a path on this site, else None."""
    if not target or "\\" in target or any(ord(ch) < 32 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


# --- Response headers --------------------------------------------------------

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


def add_security_headers(response: Response) -> Response:
    """Run after every request, error pages included."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault(
            "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
        )
    if request.endpoint not in PUBLIC_ENDPOINTS:
        # Pages may hold personal data: never keep them in a cache, so that
        # the back button after signing out cannot show one. Only static
        # assets may be cached.
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
        response.vary.add("Cookie")
    return response
