"""The signed-in user's own account: open sessions, signing out everywhere, two-step sign-in."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from visits.auth import bp, services, sessions, two_factor
from visits.auth.forms import DisableTwoFactorForm, EnrolForm
from visits.auth.reauth import recent_authentication
from visits.auth.views import login_rate_limit, refuse
from visits.extensions import db, limiter
from visits.forms import EmptyForm, render_form
from visits.web.marks import form_view

SESSIONS_PER_PAGE = 20
# The secret being set up, until the first code confirms it. It sits in the
# signed session cookie of this browser only, for the minutes the setup
# takes; the account's row holds it (encrypted) once confirmed.
_ENROLMENT_KEY = "two_factor_enrolment"


@bp.route("/account")
def account() -> tuple[str, int]:
    """This account's open sessions, with a button to end them all, and two-step sign-in."""
    user = current_user._get_current_object()
    page = db.paginate(sessions.open_sessions(user), per_page=SESSIONS_PER_PAGE, error_out=False)
    this_session = sessions.current()
    return render_template(
        "auth/account.html",
        page=page,
        this_session_id=this_session.id if this_session else None,
        enrolled=two_factor.is_enrolled(user),
        action_form=EmptyForm(),
    ), 200


@bp.route("/sessions/end-all", methods=["POST"])
def end_all_sessions() -> Response:
    """Sign out on every device, this one included."""
    services.sign_out_everywhere(current_user._get_current_object())
    flash(_("You have signed out on every device."), "info")
    return redirect(url_for("auth.login"))


def _setup_page(form: EnrolForm, secret: str, replacing: bool) -> tuple[str, int]:
    uri = two_factor.provisioning_uri(current_user, secret)
    return render_form(
        "auth/two_factor_setup.html",
        form,
        qr_code=two_factor.qr_code_svg(uri),
        secret=two_factor.grouped(secret),
        required=two_factor.is_required(current_user),
        replacing=replacing,
    )


def _status_page(
    form: DisableTwoFactorForm | None = None, status: int | None = None
) -> tuple[str, int]:
    form = form or DisableTwoFactorForm(formdata=None)
    page, code = render_form(
        "auth/two_factor_status.html",
        form,
        required=two_factor.is_required(current_user),
        codes_left=two_factor.recovery_codes_left(current_user),
    )
    return page, status or code


@bp.route("/two-factor/setup", methods=["GET", "POST"])
@form_view
@recent_authentication()
def two_factor_setup() -> Response | tuple[str, int]:
    """Turn on two-step sign-in: scan the QR code, then confirm with a first code.

    Once it is on, the page says so; ``?replace=1`` sets it up on a new phone
    (the old phone's codes and the old recovery codes stop working).
    """
    user = current_user._get_current_object()
    replacing = request.args.get("replace") == "1"
    if two_factor.is_enrolled(user) and not replacing:
        if request.method == "POST":
            return redirect(url_for("auth.two_factor_setup"))
        return _status_page()
    secret = session.get(_ENROLMENT_KEY) or two_factor.new_secret()
    session[_ENROLMENT_KEY] = secret
    form = EnrolForm()
    if form.validate_on_submit():
        codes = services.enable_two_factor(user, secret, form.code.data or "")
        if codes is not None:
            session.pop(_ENROLMENT_KEY, None)
            return render_template("auth/recovery_codes.html", codes=codes), 200
        form.code.errors.append(
            _("This code is not right, or it has expired. Enter the code your app shows now.")
        )
    form.code.data = ""
    return _setup_page(form, secret, replacing and two_factor.is_enrolled(user))


@bp.route("/two-factor/disable", methods=["POST"])
@form_view
@limiter.limit(login_rate_limit, methods=["POST"])
def two_factor_disable() -> Response | tuple[str, int]:
    """Turn off two-step sign-in, after the password and a code; refused where it is required."""
    user = current_user._get_current_object()
    if two_factor.is_required(user):
        abort(
            403, description=_("Your account must use two-step sign-in: it cannot be turned off.")
        )
    if not two_factor.is_enrolled(user):
        return redirect(url_for("auth.two_factor_setup"))
    form = DisableTwoFactorForm()
    status = None
    if form.validate_on_submit():
        attempt = services.disable_two_factor(user, form.password.data or "", form.code.data or "")
        if attempt.ok:
            flash(_("Two-step sign-in is off."), "success")
            return redirect(url_for("auth.account"))
        if attempt.outcome is services.SignIn.WRONG_CREDENTIALS:
            form.password.errors.append(_("This is not your current password."))
        status = refuse(form, attempt)
    form.password.data = ""
    form.code.data = ""
    return _status_page(form, status)
