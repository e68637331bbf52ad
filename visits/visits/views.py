"""Visits: the list, a new visit, a visit's page, details, team, life cycle,
checklist answers and reprisal checks.

Metadata (place, dates, type, status, team) is for every signed-in user;
content (checklist notes, interviews, findings, attachments, reprisal
checks, review comments) only through ``visits.access``.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from visits import reprisals
from visits.access import requires
from visits.access.loaders import (
    require,
    require_content_editable,
    visit_or_404,
    visit_to_delete,
)
from visits.access.rules import can_record_shortfall, can_see_content
from visits.deleted import services as deletion
from visits.errors import ChangedMeanwhile, NotFound, WrongState
from visits.extensions import db
from visits.forms import DeleteForm, render_conflict, render_form
from visits.models import (
    Expertise,
    Gender,
    Place,
    PlannedVisit,
    ReprisalOutcome,
    ReviewState,
    Visit,
    VisitStatus,
    VisitType,
)
from visits.models.checklist import answers_of
from visits.visits import bp, services
from visits.visits.forms import (
    MemberForm,
    NewVisitForm,
    ReprisalCheckForm,
    TransitionForm,
    VisitFilterForm,
    VisitForm,
    checklist_form,
)
from visits.visits.page import check_prefix, detail_context, saved_details, visit_form_data
from visits.web.boundary import commit, commit_once, commit_or_refuse
from visits.web.marks import form_view
from visits.web.numbers import database_id
from visits.web.pagination import paginate

VISITS_PER_PAGE = 25


def detail_url(visit: Visit, anchor: str | None = None) -> str:
    return url_for("visits.detail", visit_id=visit.id, _anchor=anchor)


# --- The list ---------------------------------------------------------------------


@bp.route("/")
def index() -> tuple[str, int]:
    """Visits, newest first, filtered by status, type, place, region, member and dates."""
    filters = VisitFilterForm(request.args)
    if not filters.validate():
        return render_template("visits/index.html", filters=filters, page=None), 400
    query = Visit.listing(
        status=VisitStatus.parse(filters.status.data),
        visit_type=VisitType.parse(filters.visit_type.data),
        place_id=int(filters.place.data) if filters.place.data else None,
        region_id=int(filters.region.data) if filters.region.data else None,
        member_id=int(filters.member.data) if filters.member.data else None,
        date_from=filters.date_from.data,
        date_to=filters.date_to.data,
    )
    page = paginate(query, per_page=VISITS_PER_PAGE)
    return render_template("visits/index.html", filters=filters, page=page), 200


# --- A new visit ------------------------------------------------------------------


def plan_entry_from_request() -> PlannedVisit | None:
    """The plan entry named by ``?entry=``: 404 if unknown, 409 if already started."""
    if "entry" not in request.args:
        return None
    entry_id = request.args.get("entry", type=database_id)
    entry = db.session.get(PlannedVisit, entry_id) if entry_id is not None else None
    if entry is None:
        raise NotFound
    if entry.visit_id is not None:
        raise WrongState(_("This planned visit was already started."))
    if entry.withdrawn:
        raise WrongState(_("This planned visit was withdrawn from the plan."))
    return entry


@bp.route("/new", methods=["GET", "POST"])
@requires("create_visit")
@form_view
def new() -> Response | tuple[str, int]:
    """Create a visit, ad hoc or from an entry of the plan (``?entry=<id>``)."""
    entry = plan_entry_from_request()
    form = NewVisitForm()
    if entry is not None and not form.is_submitted():
        form.place_id.data = str(entry.place_id)
        form.visit_type.data = entry.visit_type.value
        form.purpose.data = entry.reason
    if form.validate_on_submit():
        place = db.session.get(Place, int(form.place_id.data or 0))
        if place is None:
            raise NotFound
        details = form.details()
        visit = commit_once(
            form, detail_url, services.create_visit, current_user, place, **details, entry=entry
        )
        if visit is not None:
            flash(_("Visit %(reference)s created.", reference=visit.reference), "success")
            return redirect(detail_url(visit))
    action = url_for("visits.new", entry=entry.id if entry else None)
    return render_form("visits/new.html", form, entry=entry, action=action)


# --- A visit's page ---------------------------------------------------------------


@bp.route("/<int:visit_id>")
def detail(visit_id: int) -> str:
    """A visit: its metadata for everyone; its content for its team and supervisors."""
    visit = visit_or_404(visit_id)
    review = ReviewState.parse(request.args.get("review"))
    return render_template("visits/detail.html", **detail_context(visit, review=review))


@bp.route("/<int:visit_id>/edit", methods=["GET", "POST"])
@form_view
def edit(visit_id: int) -> Response | tuple[str, int]:
    """Change a visit's details and the population on the day (team or supervisor)."""
    visit = visit_or_404(visit_id)
    require_content_editable(visit)
    form = VisitForm() if request.method == "POST" else VisitForm(data=visit_form_data(visit))
    may_record_shortfall = can_record_shortfall(current_user, visit)
    if not may_record_shortfall:
        del form.interview_shortfall_reason
    action = url_for("visits.edit", visit_id=visit.id)
    if form.validate_on_submit():
        try:
            saved = commit_or_refuse(
                form,
                services.update_visit,
                visit,
                current_user,
                **form.details(),
                interview_shortfall_reason=(
                    form.interview_shortfall_reason.data or "" if may_record_shortfall else None
                ),
                seen_version=form.seen_version,
            )
        except ChangedMeanwhile:
            return render_conflict(
                form,
                visit,
                saved=saved_details(visit),
                action=action,
                form_template="visits/_form.html",
                visit=visit,
            )
        if saved is not None:
            flash(_("The visit's details were saved."), "success")
            return redirect(detail_url(visit))
    return render_form("visits/edit.html", form, visit=visit, action=action)


# --- Team -------------------------------------------------------------------------


@bp.route("/<int:visit_id>/team", methods=["POST"])
@form_view
def add_member(visit_id: int) -> Response | tuple[str, int]:
    """Add a monitor or supervisor to the team, possibly as its new lead."""
    visit = visit_or_404(visit_id)
    require_content_editable(visit)
    form = MemberForm()
    form.set_people(services.team_candidates(visit))
    if form.validate_on_submit():
        member = commit_once(
            form,
            detail_url(visit, "team"),
            services.add_member,
            visit,
            int(form.user_id.data or 0),
            Expertise(form.expertise.data),
            Gender(form.gender.data),
            is_lead=form.is_lead.data,
            added_by=current_user._get_current_object(),
        )
        if member is not None:
            if member.awaiting_approval:
                message = _(
                    "%(name)s joins the team once a supervisor approves: until then "
                    "they read nothing of this visit.",
                    name=member.user.display_name,
                )
                flash(message, "info")
            else:
                flash(_("%(name)s joined the team.", name=member.user.display_name), "success")
            return redirect(detail_url(visit, "team"))
    return render_form("visits/detail.html", form, **detail_context(visit, team_form=form))


@bp.route("/<int:visit_id>/team/<int:member_id>/remove", methods=["POST"])
def remove_member(visit_id: int, member_id: int) -> Response:
    """Take someone off the team (never the lead: make another member lead first)."""
    visit = visit_or_404(visit_id)
    require_content_editable(visit)
    member = next((m for m in visit.members if m.id == member_id), None)
    if member is None:
        raise NotFound
    name = member.user.display_name
    commit(services.remove_member, visit, member, removed_by=current_user._get_current_object())
    flash(_("%(name)s is no longer on the team.", name=name), "success")
    return redirect(detail_url(visit, "team"))


# --- Life cycle -------------------------------------------------------------------


@bp.route("/<int:visit_id>/transition", methods=["POST"])
@form_view
def transition(visit_id: int) -> Response | tuple[str, int]:
    """Move the visit along its life cycle (the rules are in ``lifecycle``)."""
    visit = visit_or_404(visit_id)
    require(can_see_content(current_user, visit))
    form = TransitionForm()
    if form.validate_on_submit():
        target = VisitStatus.parse(form.target.data)
        if target is None:
            form.form_errors.append(_("Choose one of the steps offered."))
        else:
            rule = services.rule_for(visit, target)
            require(rule.may(current_user, visit), rule.refusal)
            comment = form.comment.data or ""
            letter = services.Letter(form.sent_on.data, form.letter_reference.data or "")
            if commit_or_refuse(
                form, services.transition, visit, target, current_user, comment, letter
            ):
                flash(_("The visit is now %(status)s.", status=visit.status.label), "success")
                return redirect(detail_url(visit))
    return render_form("visits/detail.html", form, **detail_context(visit, transition_form=form))


# --- Deleting -----------------------------------------------------------------------


@bp.route("/<int:visit_id>/delete", methods=["GET", "POST"])
@form_view
def delete(visit_id: int) -> Response | tuple[str, int]:
    """Delete a visit, with a reason (its lead or a supervisor, before approval).

    The visit and all its content are hidden, not erased; a supervisor can
    restore them.
    """
    visit = visit_to_delete(visit_id)
    form = DeleteForm()
    if form.validate_on_submit():
        commit(deletion.soft_delete, visit, current_user, form.reason.data or "")
        flash(_("Visit %(reference)s was deleted.", reference=visit.reference), "success")
        return redirect(url_for("visits.index"))
    return render_form(
        "deleted/confirm.html",
        form,
        what=visit.reference,
        visit=visit,
        action=url_for("visits.delete", visit_id=visit.id),
        back=detail_url(visit),
        consequence=_(
            "Its interviews, findings, photos and documents are hidden with it, "
            "and come back with it."
        ),
    )


# --- Checklist answers ------------------------------------------------------------


@bp.route("/<int:visit_id>/checklist", methods=["GET", "POST"])
@form_view
def checklist(visit_id: int) -> Response | tuple[str, int]:
    """Answer the visit's checklist one part at a time (``?group=phase`` or a thematic
    area; without it, a POST saves the whole checklist)."""
    visit = visit_or_404(visit_id)
    require_content_editable(visit)
    groups = services.group_answers(db.session.scalars(answers_of(visit.id)).all())
    part = services.group_named(groups, request.args["group"]) if "group" in request.args else None
    form = checklist_form(part.answers if part else [a for g in groups for a in g.answers])
    if form.validate_on_submit() and (
        commit_or_refuse(form, services.save_checklist, visit, current_user, form.submitted())
        is not None
    ):
        # Read afresh in one query (the commit expired what was loaded).
        saved = services.group_answers(db.session.scalars(answers_of(visit.id)).all())
        following = services.first_unfinished(saved)
        if following is None:
            flash(_("The checklist was saved: every item is answered."), "success")
            return redirect(detail_url(visit, "checklist"))
        message = (
            _("“%(part)s” was saved.", part=part.title) if part else _("The checklist was saved.")
        )
        flash(message, "success")
        return redirect(
            url_for("visits.checklist", visit_id=visit.id, _anchor=f"group-{following.key}")
        )
    # The part just sent comes back with what was typed; the others as saved.
    forms = {group.key: checklist_form(group.answers) for group in groups}
    if request.method == "POST":
        forms.update({group.key: form for group in ([part] if part else groups)})
    shown = part or services.first_unfinished(groups)
    return render_form(
        "visits/checklist.html",
        form,
        visit=visit,
        checklist=groups,
        forms=forms,
        part=part,
        open_key=shown.key if shown else None,
    )


# --- Reprisal checks --------------------------------------------------------------


@bp.route("/<int:visit_id>/reprisal-checks/<int:check_id>", methods=["POST"])
@form_view
def record_reprisal_check(visit_id: int, check_id: int) -> Response | tuple[str, int]:
    """Record what a visit on site found about a person who spoke on an earlier visit.

    404 when the check is not one for this visit; 409, before anything is
    read from the form, when this visit may not record it (``visits.reprisals``).
    """
    visit = visit_or_404(visit_id)
    require_content_editable(visit)
    check = reprisals.check_to_record(visit, check_id)
    form = ReprisalCheckForm(prefix=check_prefix(check))
    if form.validate_on_submit():
        outcome = ReprisalOutcome(form.status.data)
        note = form.note.data or ""
        shown_at = detail_url(visit, "reprisal-checks")
        if commit_once(form, shown_at, reprisals.record, check, visit, current_user, outcome, note):
            flash(_("The reprisal check was recorded."), "success")
            return redirect(detail_url(visit, "reprisal-checks"))
    return render_form(
        "visits/detail.html", form, **detail_context(visit, check_form=(check.id, form))
    )
