"""Re-authentication: the password again (and a code) before a sensitive action."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from flask import current_app, redirect, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from visits.auth import sessions
from visits.auth.confirm import confirm_page
from visits.web.urls import SAFE_METHODS, same_site_referrer

F = TypeVar("F", bound=Callable[..., Any])


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
            limit = minutes if minutes is not None else current_app.config["REAUTH_MINUTES"]
            row = sessions.current()
            if row is None or sessions.authenticated_since(row) > timedelta(minutes=limit):
                return confirmation_needed()
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def confirmation_needed() -> BaseResponse | tuple[str, int]:
    if request.method in SAFE_METHODS:
        return redirect(url_for("auth.confirm", next=request.full_path.rstrip("?")))
    return confirm_page(same_site_referrer() or url_for("main.dashboard"), status=403)
