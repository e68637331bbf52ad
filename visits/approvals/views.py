"""The approvals page: pending access requests, approved or refused by a second person."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from visits.access import requires
from visits.access.approvals import can_decide, request_to_decide
from visits.approvals import requests
from visits.approvals.forms import RefuseForm
from visits.auth.reauth import recent_authentication
from visits.forms import EmptyForm, render_form
from visits.models import AccessRequest
from visits.web.boundary import commit, commit_or_refuse
from visits.web.marks import form_view
from visits.web.pagination import paginate

REQUESTS_PER_PAGE = 25

bp = Blueprint("approvals", __name__)


@bp.get("/")
@requires("approve_access")
def index() -> str:
    """Pending requests, oldest first; the ones this supervisor may decide have buttons."""
    page = paginate(AccessRequest.pending(), per_page=REQUESTS_PER_PAGE)
    decidable = {request.id for request in page.items if can_decide(current_user, request)}
    return render_template(
        "approvals/index.html", page=page, decidable=decidable, action_form=EmptyForm()
    )


@bp.post("/<int:request_id>/approve")
@requires("approve_access")
@recent_authentication()
def approve(request_id: int) -> Response:
    """Let the change stand: the account (or its place on the visit) reads content."""
    access_request = request_to_decide(current_user, request_id)
    commit(requests.approve, access_request, current_user._get_current_object())
    flash(_("Approved: %(name)s.", name=access_request.subject.display_name), "success")
    return redirect(url_for("approvals.index"))


@bp.route("/<int:request_id>/refuse", methods=["GET", "POST"])
@requires("approve_access")
@recent_authentication()
@form_view
def refuse(request_id: int) -> Response | tuple[str, int]:
    """Refuse with a reason, which the account's owner reads; the change is undone."""
    access_request = request_to_decide(current_user, request_id)
    form = RefuseForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        reason = form.reason.data or ""
        if commit_or_refuse(form, requests.refuse, access_request, user, reason):
            flash(_("Refused: %(name)s.", name=access_request.subject.display_name), "success")
            return redirect(url_for("approvals.index"))
    return render_form("approvals/refuse.html", form, access_request=access_request)
