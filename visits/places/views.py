"""The places registry: every signed-in user reads, supervisors and admins edit."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from visits.access import requires
from visits.forms import render_form
from visits.i18n import npm_today
from visits.models import Place
from visits.places import bp, services
from visits.places.forms import DeactivatePlaceForm, PlaceFilterForm, PlaceForm
from visits.places.services import place_or_404
from visits.plans import services as plans
from visits.web.boundary import commit, commit_once
from visits.web.marks import form_view
from visits.web.pagination import paginate

PLACES_PER_PAGE = 25
VISITS_PER_PAGE = 25


def _page_of(place: Place) -> str:
    return url_for("places.detail", place_id=place.id)


def detail_context(place: Place) -> dict[str, Any]:
    """What the place page shows besides its deactivation form."""
    return {
        "place": place,
        "visits": paginate(services.visit_history(place.id), per_page=VISITS_PER_PAGE),
        "entries": [
            plans.PlanRow(entry, plans.entry_state(entry))
            for entry in services.planned_entries(place.id)
        ],
        "month_names": plans.month_names(),
    }


@bp.route("/")
def index() -> tuple[str, int]:
    """The registry, filtered by name, type, region, authority and time since the last visit."""
    filters = PlaceFilterForm(request.args)
    filters.offer_reference_rows()
    if not filters.validate():
        return render_template("places/index.html", filters=filters, page=None), 400
    query = Place.listing(
        search=filters.q.data or "",
        place_type_id=filters.as_id(filters.place_type.data),
        region_id=filters.as_id(filters.region.data),
        authority_id=filters.as_id(filters.authority.data),
        not_visited_since=(Place.twelve_months_before(npm_today()) if filters.stale.data else None),
        include_inactive=bool(filters.inactive.data),
    )
    page = paginate(query, per_page=PLACES_PER_PAGE)
    return render_template("places/index.html", filters=filters, page=page), 200


@bp.route("/new", methods=["GET", "POST"])
@requires("edit_reference")
@form_view
def new() -> tuple[str, int] | Response:
    """Add a place to the registry."""
    form = PlaceForm()
    form.offer_reference_rows()
    if form.validate_on_submit() and (
        place := commit_once(form, _page_of, services.save_place, None, form.to_input())
    ):
        flash(_("%(name)s was added to the registry.", name=place.name), "success")
        return redirect(url_for("places.detail", place_id=place.id))
    return render_form(
        "places/form.html",
        form,
        title=_("New place"),
        action=url_for("places.new"),
        cancel=url_for("places.index"),
    )


@bp.route("/<int:place_id>")
def detail(place_id: int) -> str:
    """A place: its details, its visit history and its plan entries."""
    place = place_or_404(place_id)
    return render_template(
        "places/detail.html", form=DeactivatePlaceForm(), **detail_context(place)
    )


@bp.route("/<int:place_id>/edit", methods=["GET", "POST"])
@requires("edit_reference")
@form_view
def edit(place_id: int) -> tuple[str, int] | Response:
    """Change a place's details."""
    place = place_or_404(place_id)
    form = PlaceForm(obj=place)
    if request.method == "GET":
        form.place_type_id.data = str(place.place_type_id)
        form.region_id.data = str(place.region_id)
        form.authority_id.data = str(place.authority_id)
    form.offer_reference_rows(place)
    if form.validate_on_submit():
        commit(services.save_place, place, form.to_input())
        flash(_("%(name)s was saved.", name=place.name), "success")
        return redirect(url_for("places.detail", place_id=place.id))
    return render_form(
        "places/form.html",
        form,
        title=_("Edit place"),
        place=place,
        action=url_for("places.edit", place_id=place.id),
        cancel=url_for("places.detail", place_id=place.id),
    )


@bp.route("/<int:place_id>/deactivate", methods=["POST"])
@requires("edit_reference")
@form_view
def deactivate(place_id: int) -> tuple[str, int] | Response:
    """Take a place out of the lists and forms; a reason is required."""
    place = place_or_404(place_id)
    form = DeactivatePlaceForm()
    if form.validate_on_submit():
        commit(services.deactivate, place, form.reason.data or "")
        flash(_("%(name)s was deactivated.", name=place.name), "success")
        return redirect(url_for("places.detail", place_id=place.id))
    return render_form("places/detail.html", form, **detail_context(place))


@bp.route("/<int:place_id>/reactivate", methods=["POST"])
@requires("edit_reference")
def reactivate(place_id: int) -> Response:
    """Bring a deactivated place back into the lists and forms."""
    place = place_or_404(place_id)
    commit(services.reactivate, place)
    flash(_("%(name)s is active again.", name=place.name), "success")
    return redirect(url_for("places.detail", place_id=place.id))
