"""Re-authentication: the password again (and a code) before a sensitive action.

``visits.auth.reauth.recent_authentication`` sends a user here when their
session's password is older than ``REAUTH_MINUTES``.
"""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from visits.auth import bp, services, two_factor
from visits.auth.forms import ConfirmForm
from visits.auth.views import login_rate_limit, refusal
from visits.extensions import limiter
from visits.forms import render_form
from visits.web.boundary import commit_or_refuse
from visits.web.marks import form_view
from visits.web.urls import safe_next_url


def confirm_page(next_url: str, status: int = 200) -> tuple[str, int]:
    """The confirmation form, leading to ``next_url`` once confirmed."""
    return render_template(
        "auth/confirm.html",
        form=ConfirmForm(formdata=None),
        next_url=next_url,
        enrolled=two_factor.is_enrolled(current_user),
    ), status


@bp.route("/confirm", methods=["GET", "POST"])
@form_view
@limiter.limit(login_rate_limit, methods=["POST"])
def confirm() -> Response | tuple[str, int]:
    """Ask for the password again, then go back to the page that needed it."""
    next_url = safe_next_url(request.args.get("next")) or url_for("main.dashboard")
    user = current_user._get_current_object()
    form = ConfirmForm()
    if form.validate_on_submit():
        attempt = commit_or_refuse(
            form, services.confirm_identity, user, form.password.data or "", form.code.data or ""
        )
        if attempt is not None and attempt.ok:
            return redirect(next_url)
        if attempt is not None:
            form.refuse(refusal(attempt))
    form.password.data = ""
    form.code.data = ""
    return render_form(
        "auth/confirm.html", form, next_url=next_url, enrolled=two_factor.is_enrolled(user)
    )
