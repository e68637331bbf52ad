"""Deleted records: the supervisors' list, and restoring a record."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from visits.access import requires
from visits.deleted import bp
from visits.deleted import services as deletion
from visits.deleted.forms import DeletedFilterForm
from visits.errors import NotFound
from visits.forms import EmptyForm
from visits.models import Visit
from visits.web.boundary import commit
from visits.web.pagination import paginate

RECORDS_PER_PAGE = 25


@bp.route("/")
@requires("restore")
def index() -> tuple[str, int]:
    """Deleted visits, interviews, findings and files, the latest deletion first."""
    filters = DeletedFilterForm(request.args)
    if not filters.validate():
        return render_template(
            "deleted/index.html", filters=filters, page=None, records=[], action_form=EmptyForm()
        ), 400
    page = paginate(
        deletion.deleted_rows(filters.kind.data or None),
        RECORDS_PER_PAGE,
        pagination=deletion.RowPagination,
    )
    records = deletion.records_of(page)
    return render_template(
        "deleted/index.html",
        filters=filters,
        page=page,
        records=records,
        action_form=EmptyForm(),
    ), 200


@bp.route("/<kind>/<int:object_id>/restore", methods=["POST"])
@requires("restore")
def restore(kind: str, object_id: int) -> Response:
    """Bring a deleted record back where it was; the restoring is audited."""
    record = deletion.load_any(kind, object_id)
    if record is None:
        raise NotFound
    commit(deletion.restore, record, current_user)
    visit = record if isinstance(record, Visit) else record.visit
    if visit.is_deleted:
        flash(
            _(
                "Restored. It stays hidden while its visit %(reference)s is deleted: "
                "restore the visit too.",
                reference=visit.reference,
            ),
            "warning",
        )
    else:
        flash(_("Restored: it is back where it was."), "success")
    return redirect(url_for("deleted.index"))
