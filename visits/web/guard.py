"""The request guard: secure by default.

Every endpoint needs a signed-in user unless its view is marked ``@public``
(``visits.web.marks``); a user who must change their password or set up a
second factor may open only those pages; every POST needs a CSRF token.
Which role may do what is ``visits.access``; this module only asks whether
someone is signed in.
"""

from __future__ import annotations

from flask import Flask, current_app, flash, redirect, request, url_for
from flask_babel import ngettext
from flask_login import current_user, login_url
from flask_wtf.csrf import CSRFError
from werkzeug.wrappers import Response as BaseResponse

from visits.auth import sessions
from visits.auth.two_factor import must_enrol
from visits.extensions import csrf, login_manager
from visits.web.marks import PUBLIC_ENDPOINTS
from visits.web.urls import SAFE_METHODS

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


def sign_in_again() -> BaseResponse:
    """Send a signed-out visitor to the sign-in page, saying why when their session timed out.

    The page they asked for comes back after signing in (``next``), where
    the drafts script restores what they had typed.
    """
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


def guard_request() -> BaseResponse | None:
    """Run before every request: sign-in, forced password change and second factor, CSRF."""
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
