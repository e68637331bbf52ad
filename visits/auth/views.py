"""Sign in (password, then a code when enrolled), sign out, change password."""

from __future__ import annotations

from flask import current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from visits.approvals import notices
from visits.auth import bp, services, sessions, throttle, two_factor
from visits.auth.forms import ChangePasswordForm, LoginForm, SecondFactorForm
from visits.extensions import limiter
from visits.forms import Form, render_form
from visits.models import User
from visits.web.marks import form_view, public
from visits.web.urls import safe_next_url

THROTTLED_STATUS = 429


def login_rate_limit() -> str:
    """``LOGIN_RATE_LIMIT``: attempts per client address on every form that checks a secret."""
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def refuse(form: Form, attempt: services.Attempt) -> int | None:
    """Put the message for a refused attempt on ``form``; the status to answer with."""
    if attempt.outcome is services.SignIn.THROTTLED and attempt.retry_at is not None:
        form.form_errors.append(throttle.retry_message(attempt.retry_at))
        return THROTTLED_STATUS
    if attempt.outcome is services.SignIn.REUSED_CODE:
        form.form_errors.append(
            _(
                "This code was used already. Wait until your app shows the next one, "
                "then enter that."
            )
        )
    elif attempt.outcome is services.SignIn.WRONG_CODE:
        form.form_errors.append(
            _("This code is not right, or it has expired. Enter the code your app shows now.")
        )
    return None


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
    status = None
    if form.validate_on_submit():
        remember = bool(form.remember.data)
        attempt = services.authenticate(form.email.data or "", form.password.data or "")
        if attempt.outcome is services.SignIn.SECOND_FACTOR and attempt.user is not None:
            sessions.await_second_factor(attempt.user, remember)
            return redirect(url_for("auth.second_factor", next=next_url))
        if attempt.outcome is services.SignIn.OK and attempt.user is not None:
            services.complete_sign_in(attempt.user, remember)
            return after_sign_in(attempt.user, next_url)
        if attempt.outcome is services.SignIn.INACTIVE:
            form.form_errors.append(
                _("This account is deactivated. Ask an administrator to reactivate it.")
            )
        elif attempt.outcome is services.SignIn.WRONG_CREDENTIALS:
            form.form_errors.append(_("Wrong email or password."))
        status = refuse(form, attempt)
    form.password.data = ""  # never echo a password back into the page
    page, code = render_form("auth/login.html", form, next_url=next_url)
    return page, status or code


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
    status = None
    if form.validate_on_submit():
        attempt = services.check_second_factor(user, form.code.data or "")
        if attempt.ok:
            services.complete_sign_in(user, remember)
            return after_sign_in(user, next_url)
        status = refuse(form, attempt)
    form.code.data = ""
    page, code = render_form("auth/second_factor.html", form, next_url=next_url)
    return page, status or code


@bp.route("/logout", methods=["POST"])
@public
def logout() -> Response:
    """Sign out on this device; the account's other devices stay signed in."""
    if current_user.is_authenticated:
        services.sign_out(current_user._get_current_object())
    else:
        sessions.clear_browser_session()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@form_view
def change_password() -> Response | tuple[str, int]:
    """Change one's own password; the current one is asked for first."""
    form = ChangePasswordForm()
    status = None
    if form.validate_on_submit():
        user = current_user._get_current_object()
        attempt = services.change_password(
            user, form.current_password.data or "", form.new_password.data or ""
        )
        if attempt.ok:
            flash(_("Your password was changed. Other sessions were signed out."), "success")
            return after_sign_in(user, None)
        if attempt.outcome is services.SignIn.WRONG_CREDENTIALS:
            form.current_password.errors.append(_("This is not your current password."))
        status = refuse(form, attempt)
    for field in (form.current_password, form.new_password, form.confirm_password):
        field.data = ""
    page, code = render_form("auth/password.html", form)
    return page, status or code
