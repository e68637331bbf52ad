"""Reference data pages: every signed-in user reads, supervisors and admins edit."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from visits.access import requires
from visits.forms import render_form
from visits.models import Authority
from visits.reference import bp, services
from visits.reference.forms import AuthorityForm, ReferenceRowForm
from visits.reference.services import kind_or_404, row_or_404
from visits.web.boundary import commit_once, commit_or_refuse
from visits.web.marks import form_view
from visits.web.pagination import paginate

ROWS_PER_PAGE = 25


def make_form(kind: services.ReferenceKind, row: services.ReferenceRow | None) -> ReferenceRowForm:
    """The form for ``kind``, filled from ``row`` on first display."""
    if not kind.has_parent:
        return ReferenceRowForm(obj=row)
    current = row if isinstance(row, Authority) else None
    form = AuthorityForm(obj=current, parent_id=str(current.parent_id or "") if current else "")
    form.parent_id.choices = [
        ("", _("None")),
        *((str(parent.id), parent.name) for parent in services.allowed_parents(current)),
    ]
    return form


@bp.route("/")
def index() -> str:
    """The kinds of reference data, with how many rows each has."""
    return render_template("reference/index.html", counts=services.kind_counts())


@bp.route("/<kind>")
def listing(kind: str) -> str:
    """The rows of one kind, deactivated ones included."""
    reference_kind = kind_or_404(kind)
    page = paginate(services.rows_query(reference_kind), per_page=ROWS_PER_PAGE)
    return render_template("reference/list.html", kind=reference_kind, page=page)


@bp.route("/<kind>/new", methods=["GET", "POST"])
@requires("edit_reference")
@form_view
def new(kind: str) -> tuple[str, int] | Response:
    """Add a row: names in the three languages and a unique code."""
    reference_kind = kind_or_404(kind)
    form = make_form(reference_kind, None)
    shown_at = url_for("reference.listing", kind=reference_kind.slug)
    if form.validate_on_submit() and (
        row := commit_once(form, shown_at, services.save_row, reference_kind, None, form.to_input())
    ):
        flash(_("%(name)s was added.", name=row.name), "success")
        return redirect(url_for("reference.listing", kind=reference_kind.slug))
    return render_form(
        "reference/form.html",
        form,
        kind=reference_kind,
        title=reference_kind.new_title,
        action=url_for("reference.new", kind=reference_kind.slug),
    )


@bp.route("/<kind>/<int:row_id>/edit", methods=["GET", "POST"])
@requires("edit_reference")
@form_view
def edit(kind: str, row_id: int) -> tuple[str, int] | Response:
    """Rename a row, change its code, parent or position, or (de)activate it."""
    reference_kind = kind_or_404(kind)
    row = row_or_404(reference_kind, row_id)
    form = make_form(reference_kind, row)
    if form.validate_on_submit() and commit_or_refuse(
        form, services.save_row, reference_kind, row, form.to_input()
    ):
        flash(_("%(name)s was saved.", name=row.name), "success")
        return redirect(url_for("reference.listing", kind=reference_kind.slug))
    return render_form(
        "reference/form.html",
        form,
        kind=reference_kind,
        title=reference_kind.edit_title,
        row=row,
        action=url_for("reference.edit", kind=reference_kind.slug, row_id=row.id),
    )
