"""The audit trail: a filtered, paginated page and its CSV export (supervisors, admins).

Looking at the trail is itself recorded: each page view as ``audit.view``,
each export as ``audit.export``, with the filters used. Both show of each
event's details what the viewer may see (``reading.visible_details``):
administrators nothing about visit content and no one's free text.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, request
from flask_login import current_user
from flask_sqlalchemy.pagination import Pagination
from werkzeug.wrappers import Response as BaseResponse

from visits import audit
from visits.access import can, requires
from visits.audit import reading as audit_trail
from visits.audit.export import csv_chunks
from visits.audit.forms import AuditFilterForm
from visits.auth.reauth import recent_authentication
from visits.i18n import npm_today
from visits.web.pagination import paginate, requested_page

bp = Blueprint("audit", __name__)

EVENTS_PER_PAGE = 50


def _may_read_details() -> bool:
    return can(current_user, "read_audit_details")


def _page(filters: AuditFilterForm, status: int, page: Pagination | None = None) -> tuple[str, int]:
    return render_template(
        "audit/index.html",
        filters=filters,
        page=page,
        details=audit_trail.page_details(page.items, _may_read_details())
        if page is not None
        else {},
        action_label=audit_trail.action_label,
        object_label=audit_trail.object_label,
        detail_label=audit_trail.detail_label,
    ), status


@bp.route("")
@requires("view_audit")
def index() -> tuple[str, int]:
    """The audit trail, newest first, filtered by person, action, object and dates."""
    filters = AuditFilterForm(request.args)
    if not filters.validate():
        return _page(filters, 400)
    chosen = filters.to_filters()
    audit.record_now("audit.view", filters=chosen.as_details(), page=requested_page())
    page = paginate(audit_trail.events(chosen), per_page=EVENTS_PER_PAGE)
    return _page(filters, 200, page)


@bp.route("/export.csv")
@requires("view_audit")
@recent_authentication()
def export() -> BaseResponse | tuple[str, int]:
    """The filtered audit trail as a CSV file, streamed in batches.

    The password is asked again first when it was given more than
    ``REAUTH_MINUTES`` ago; the export follows once confirmed.
    """
    filters = AuditFilterForm(request.args)
    if not filters.validate():
        return _page(filters, 400)
    chosen = filters.to_filters()
    audit.record_now("audit.export", filters=chosen.as_details())
    filename = f"audit-{npm_today().isoformat()}.csv"
    return Response(
        csv_chunks(
            current_app._get_current_object(),  # type: ignore[attr-defined]
            chosen,
            _may_read_details(),
        ),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
