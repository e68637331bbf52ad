"""Sign in (password, then a code when enrolled), sign out, change password.

Each view runs one service and commits once (``visits.web.boundary``); a
refused attempt is committed too (its audit event and count are kept), then
shown on its form with its status.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from visits.approvals import notices
from visits.auth import bp, services, sessions, throttle, two_factor
from visits.auth.forms import ChangePasswordForm, LoginForm, SecondFactorForm
from visits.errors import DomainError, Invalid
from visits.extensions import limiter
from visits.forms import render_form
from visits.models import User
from visits.web.boundary import commit
from visits.web.marks import form_view, public
from visits.web.urls import safe_next_url


def login_rate_limit() -> str:
    """``LOGIN_RATE_LIMIT``: attempts per client address on every form that checks a secret."""
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def refusal(attempt: services.Attempt, credentials_field: str | None = "password") -> DomainError:
    """What a refused attempt shows on its form, with its status.

    ``credentials_field`` None is the sign-in form, which never says whether the
    email or the password was wrong.
    """
    outcome = attempt.outcome
    if outcome is services.SignIn.THROTTLED and attempt.retry_at is not None:
        return throttle.TooManyAttempts(throttle.retry_message(attempt.retry_at))
    if outcome is services.SignIn.REUSED_CODE:
        return Invalid(
            _(
                "This code was used already. Wait until your app shows the next one, "
                "then enter that."
            ),
            field="code",
        )
    if outcome is services.SignIn.WRONG_CODE:
        return Invalid(
            _("This code is not right, or it has expired. Enter the code your app shows now."),
            field="code",
        )
    if outcome is services.SignIn.INACTIVE:
        return Invalid(_("This account is deactivated. Ask an administrator to reactivate it."))
    if credentials_field is None:
        return Invalid(_("Wrong email or password."))
    return Invalid(_("This is not your current password."), field=credentials_field)


def after_sign_in(user: User, next_url: str | None) -> Response:
    """Where a user goes once signed in: a required step first, else the page asked for."""
    notices.flash_account_changes(user)
    if user.must_change_password:
        flash(_("Choose a new password before you go on."), "warning")
        return redirect(url_for("auth.change_password"))
    if two_factor.must_enrol(user):
        flash(_("Your account must use two-step sign-in. Set it up to go on."), "warning")
        return redirect(url_for("auth.two_factor_setup"))
    return redirect(next_url or url_for("main.dashboard"))


@bp.route("/login", methods=["GET", "POST"])
@public
@form_view
@limiter.limit(login_rate_limit, methods=["POST"])
def login() -> Response | tuple[str, int]:
    """Show the sign-in form and check the password."""
    next_url = safe_next_url(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or url_for("main.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        attempt = commit(
            services.authenticate,
            form.email.data or "",
            form.password.data or "",
            bool(form.remember.data),
        )
        if attempt.outcome is services.SignIn.SECOND_FACTOR:
            return redirect(url_for("auth.second_factor", next=next_url))
        if attempt.ok and attempt.user is not None:
            return after_sign_in(attempt.user, next_url)
        form.refuse(refusal(attempt, credentials_field=None))
    form.password.data = ""  # never echo a password back into the page
    return render_form("auth/login.html", form, next_url=next_url)


@bp.route("/two-factor", methods=["GET", "POST"])
@public
@form_view
@limiter.limit(login_rate_limit, methods=["POST"])
def second_factor() -> Response | tuple[str, int]:
    """The second step of signing in: a code from the app, or a recovery code."""
    next_url = safe_next_url(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or url_for("main.dashboard"))
    pending = sessions.pending_sign_in()
    if pending is None:
        flash(_("Sign in with your email and password first."), "info")
        return redirect(url_for("auth.login", next=next_url))
    user, remember = pending
    form = SecondFactorForm()
    if form.validate_on_submit():
        attempt = commit(services.check_second_factor, user, form.code.data or "", remember)
        if attempt.ok:
            return after_sign_in(user, next_url)
        form.refuse(refusal(attempt))
    form.code.data = ""
    return render_form("auth/second_factor.html", form, next_url=next_url)


@bp.route("/logout", methods=["POST"])
@public
def logout() -> Response:
    """Sign out on this device; the account's other devices stay signed in."""
    if current_user.is_authenticated:
        commit(services.sign_out, current_user._get_current_object())
    else:
        sessions.clear_browser_session()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@form_view
def change_password() -> Response | tuple[str, int]:
    """Change one's own password; the current one is asked for first."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        attempt = commit(
            services.change_password,
            user,
            form.current_password.data or "",
            form.new_password.data or "",
        )
        if attempt.ok:
            flash(_("Your password was changed. Other sessions were signed out."), "success")
            return after_sign_in(user, None)
        form.refuse(refusal(attempt, credentials_field="current_password"))
    for field in (form.current_password, form.new_password, form.confirm_password):
        field.data = ""
    return render_form("auth/password.html", form)
