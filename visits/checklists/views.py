"""The methodology checklists: browse, add, replace and retire items (supervisors, admins)."""

from __future__ import annotations

from itertools import groupby
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from visits.access import requires
from visits.checklists import bp, services
from visits.checklists.forms import ItemFilterForm, ItemForm
from visits.checklists.services import item_or_404
from visits.forms import EmptyForm, render_form
from visits.models import ChecklistItem, ChecklistKind, ThematicArea
from visits.models.checklist import checklist_items
from visits.web.boundary import commit, commit_once
from visits.web.marks import form_view
from visits.web.pagination import paginate

ITEMS_PER_PAGE = 25
ACTIVE_BY_STATE: dict[str, bool | None] = {"": True, "retired": False, "all": None}


def groups_of(items: list[ChecklistItem]) -> list[tuple[Any, list[ChecklistItem]]]:
    """Consecutive items under one heading: kind, area and kind of place."""
    return [
        (key, list(members))
        for key, members in groupby(items, key=lambda item: (item.kind, item.area, item.place_type))
    ]


@bp.route("/")
@requires("edit_checklists")
def index() -> tuple[str, int]:
    """The checklist items by kind, thematic area and kind of place."""
    filters = ItemFilterForm(request.args)
    if not filters.validate():
        return render_template(
            "checklists/index.html", filters=filters, page=None, groups=[], action_form=None
        ), 400
    query = checklist_items(
        kind=ChecklistKind.parse(filters.kind.data),
        area=ThematicArea.parse(filters.area.data),
        place_type_id=int(filters.place_type.data) if filters.place_type.data else None,
        active=ACTIVE_BY_STATE[filters.state.data or ""],
    )
    page = paginate(query, per_page=ITEMS_PER_PAGE)
    return render_template(
        "checklists/index.html",
        filters=filters,
        page=page,
        groups=groups_of(list(page.items)),
        action_form=EmptyForm(),
    ), 200


@bp.route("/new", methods=["GET", "POST"])
@requires("edit_checklists")
@form_view
def new() -> Response | tuple[str, int]:
    """Add an item: it is asked on the visits created from now on."""
    form = ItemForm()
    if form.validate_on_submit() and commit_once(
        form, url_for("checklists.index"), services.create_item, form.to_input()
    ):
        flash(_("The item was added to the checklist."), "success")
        return redirect(url_for("checklists.index"))
    return render_form("checklists/edit.html", form, item=None, action=url_for("checklists.new"))


@bp.route("/<int:item_id>/edit", methods=["GET", "POST"])
@requires("edit_checklists")
@form_view
def edit(item_id: int) -> Response | tuple[str, int]:
    """Replace an item's text: visits already under way keep the old wording."""
    item = item_or_404(item_id)
    services.check_replaceable(item)
    form = ItemForm() if request.method == "POST" else ItemForm(data=item_form_data(item))
    if form.validate_on_submit() and commit_once(
        form, url_for("checklists.index"), services.replace_item, item, form.to_input()
    ):
        flash(
            _("The item was replaced. Visits already created keep the earlier wording."),
            "success",
        )
        return redirect(url_for("checklists.index"))
    return render_form(
        "checklists/edit.html", form, item=item, action=url_for("checklists.edit", item_id=item.id)
    )


def item_form_data(item: ChecklistItem) -> dict[str, Any]:
    return {
        "kind": item.kind.value,
        "area": item.area.value if item.area else "",
        "place_type_id": str(item.place_type_id) if item.place_type_id else "",
        "position": item.position,
        "text_en": item.text_en,
        "text_ru": item.text_ru,
        "text_ky": item.text_ky,
    }


@bp.route("/<int:item_id>/retire", methods=["POST"])
@requires("edit_checklists")
def retire(item_id: int) -> Response:
    """Stop asking an item on new visits."""
    commit(services.retire_item, item_or_404(item_id))
    flash(_("The item was retired: new visits will not ask it."), "success")
    return redirect(url_for("checklists.index"))
