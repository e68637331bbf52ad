"""The annual monitoring plan: every signed-in user reads, supervisors and admins edit."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_babel import format_percent
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from visits.access import can, requires
from visits.errors import NotFound
from visits.extensions import db
from visits.forms import EmptyForm, render_form
from visits.i18n import npm_today
from visits.models import PlannedVisit, VisitType
from visits.plans import bp, services
from visits.plans.forms import PlanEntryForm
from visits.web.boundary import commit, commit_once
from visits.web.marks import form_view


def year_or_404(year: int) -> int:
    if not services.is_plan_year(year):
        raise NotFound
    return year


def entry_or_404(entry_id: int) -> PlannedVisit:
    entry = db.session.get(PlannedVisit, entry_id)
    if entry is None:
        raise NotFound
    return entry


def plan_context(year: int) -> dict[str, Any]:
    """What the plan page shows besides the form that adds an entry."""
    coverage, total = services.coverage(year)
    return {
        "year": year,
        "months": services.months_of(year),
        "coverage": coverage,
        "coverage_total": total,
        "gaps": services.visit_gaps(npm_today()),
        "previous_year": year - 1 if services.is_plan_year(year - 1) else None,
        "next_year": year + 1 if services.is_plan_year(year + 1) else None,
        "action_form": EmptyForm(),
        "format_percent": format_percent,
    }


@bp.route("/")
def current() -> Response:
    """This year's plan."""
    return redirect(url_for("plans.year", year=npm_today().year))


@bp.route("/<int:year>", endpoint="year")
def plan_for_year(year: int) -> str:
    """A year's plan by month, how far it covers each type of place, and the gaps."""
    year_or_404(year)
    form = PlanEntryForm()
    if can(current_user, "edit_plan"):
        form.offer_places()
    return render_template("plans/year.html", form=form, **plan_context(year))


@bp.route("/<int:year>/entries", methods=["POST"])
@requires("edit_plan")
@form_view
def add_entry(year: int) -> tuple[str, int] | Response:
    """Plan a visit to an active place in a month of the year."""
    year_or_404(year)
    form = PlanEntryForm()
    form.offer_places()
    if form.validate_on_submit() and (
        entry := commit_once(
            form,
            url_for("plans.year", year=year),
            services.add_entry,
            year,
            place_id=int(form.place_id.data or 0),
            month=int(form.month.data or 0),
            visit_type=VisitType(form.visit_type.data),
            reason=form.reason.data or "",
        )
    ):
        flash(_("%(name)s was added to the plan.", name=entry.place.name), "success")
        return redirect(url_for("plans.year", year=year))
    return render_form("plans/year.html", form, **plan_context(year))


@bp.route("/entries/<int:entry_id>/withdraw", methods=["POST"])
@requires("edit_plan")
def withdraw_entry(entry_id: int) -> Response:
    """Withdraw an entry no visit was started from; it stays on the plan, marked."""
    entry = entry_or_404(entry_id)
    if commit(services.withdraw_entry, entry):
        flash(_("%(name)s was withdrawn from the plan.", name=entry.place.name), "success")
    else:
        flash(_("This entry was already withdrawn."), "info")
    return redirect(url_for("plans.year", year=entry.plan.year))
