"""The signed-in user's own account: open sessions, signing out everywhere, two-step sign-in."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from visits.auth import bp, services, sessions, two_factor
from visits.auth.forms import DisableTwoFactorForm, EnrolForm
from visits.auth.reauth import recent_authentication
from visits.auth.views import login_rate_limit, refusal
from visits.extensions import limiter
from visits.forms import EmptyForm, render_form
from visits.web.boundary import commit, commit_or_refuse
from visits.web.marks import form_view
from visits.web.pagination import paginate

SESSIONS_PER_PAGE = 20


@bp.route("/account")
def account() -> tuple[str, int]:
    """This account's open sessions, with a button to end them all, and two-step sign-in."""
    user = current_user._get_current_object()
    page = paginate(sessions.open_sessions(user), per_page=SESSIONS_PER_PAGE)
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
    commit(services.sign_out_everywhere, current_user._get_current_object())
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


def _status_page(form: DisableTwoFactorForm | None = None) -> tuple[str, int]:
    return render_form(
        "auth/two_factor_status.html",
        form or DisableTwoFactorForm(formdata=None),
        required=two_factor.is_required(current_user),
        codes_left=two_factor.recovery_codes_left(current_user),
    )


@bp.route("/two-factor/setup", methods=["GET", "POST"])
@form_view
@recent_authentication()
def two_factor_setup() -> Response | tuple[str, int]:
    """Turn on two-step sign-in: scan the QR code, then confirm with a first code.

    Once it is on, the page says so; ``?replace=1`` sets it up on a new phone
    (the old phone's codes and the old recovery codes stop working). The
    secret being set up waits on this session's row on the server, never in
    the cookie.
    """
    user = current_user._get_current_object()
    replacing = request.args.get("replace") == "1"
    if two_factor.is_enrolled(user) and not replacing:
        if request.method == "POST":
            return redirect(url_for("auth.two_factor_setup"))
        return _status_page()
    row = sessions.this_session()
    form = EnrolForm()
    if form.validate_on_submit():
        codes = commit_or_refuse(form, services.enable_two_factor, user, row, form.code.data or "")
        if codes is not None:
            return render_template("auth/recovery_codes.html", codes=codes), 200
    # The one commit of a GET, or of a POST whose code was refused (and rolled back).
    secret = commit(two_factor.enrolment_secret, row)
    form.code.data = ""
    return _setup_page(form, secret, replacing and two_factor.is_enrolled(user))


@bp.route("/two-factor/disable", methods=["POST"])
@form_view
@limiter.limit(login_rate_limit, methods=["POST"])
def two_factor_disable() -> Response | tuple[str, int]:
    """Turn off two-step sign-in, after the password and a code; refused where it is required."""
    user = current_user._get_current_object()
    if not two_factor.is_enrolled(user):
        return redirect(url_for("auth.two_factor_setup"))
    form = DisableTwoFactorForm()
    if form.validate_on_submit():
        attempt = commit(
            services.disable_two_factor, user, form.password.data or "", form.code.data or ""
        )
        if attempt.ok:
            flash(_("Two-step sign-in is off."), "success")
            return redirect(url_for("auth.account"))
        form.refuse(refusal(attempt))
    form.password.data = ""
    form.code.data = ""
    return _status_page(form)
