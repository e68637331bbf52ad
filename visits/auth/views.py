"""Sign in, sign out, change password."""

from __future__ import annotations

from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from visits.auth import bp, services
from visits.auth.forms import ChangePasswordForm, LoginForm
from visits.extensions import limiter
from visits.forms import render_form
from visits.security import form_view, public, safe_next_url, verify_password


def _login_rate_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


@bp.route("/login", methods=["GET", "POST"])
@public
@form_view
@limiter.limit(_login_rate_limit, methods=["POST"])
def login() -> Response | tuple[str, int]:
    """Show the sign-in form and sign the user in."""
    next_url = safe_next_url(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or url_for("main.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        outcome, user = services.authenticate(form.email.data or "", form.password.data or "")
        if outcome is services.SignIn.INACTIVE:
            form.form_errors.append(
                _("This account is deactivated. Ask an administrator to reactivate it.")
            )
        elif outcome is services.SignIn.WRONG_CREDENTIALS or user is None:
            form.form_errors.append(_("Wrong email or password."))
        else:
            locale = session.get("locale")
            session.clear()  # nothing from before the sign-in survives it
            if locale:
                session["locale"] = locale
            login_user(user, remember=bool(form.remember.data))
            if user.must_change_password:
                flash(_("Choose a new password before you go on."), "warning")
                return redirect(url_for("auth.change_password"))
            return redirect(next_url or url_for("main.dashboard"))
    form.password.data = ""  # never echo a password back into the page
    return render_form("auth/login.html", form, next_url=next_url)


@bp.route("/logout", methods=["POST"])
@public
def logout() -> Response:
    """Sign out: every copy of this account's session cookie stops working."""
    if current_user.is_authenticated:
        services.sign_out_everywhere(current_user._get_current_object())
    locale = session.get("locale")
    logout_user()
    session.clear()
    if locale:
        session["locale"] = locale
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@form_view
def change_password() -> Response | tuple[str, int]:
    """Change one's own password; the current one is asked for first."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        if not verify_password(user, form.current_password.data or ""):
            form.current_password.errors.append(_("This is not your current password."))
        else:
            services.change_password(user, form.new_password.data or "")
            login_user(user)  # this session continues under the new session version
            flash(_("Your password was changed. Other sessions were signed out."), "success")
            return redirect(url_for("main.dashboard"))
    for field in (form.current_password, form.new_password, form.confirm_password):
        field.data = ""
    return render_form("auth/password.html", form)
