"""Interviews: record, read, change, and record a withdrawal of consent."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from visits.access.rules import (
    can_delete_content,
    can_edit_content,
    interview_or_404,
    load_visit,
    require_content_deletable,
    require_editable,
)
from visits.deleted import services as deletion
from visits.forms import DeleteForm, render_conflict, render_form
from visits.interviews import bp, services
from visits.interviews.forms import InterviewForm, WithdrawConsentForm
from visits.models import Interview, Visit
from visits.web.marks import form_view

FORM_TEMPLATE = "interviews/_form.html"

ViewResult = Response | tuple[str, int]


def _population_error(error: services.TooManyInterviewed) -> str:
    return _(
        "People held on the day: %(population)d. Already interviewed: %(already)d. This "
        "interview would count more people than were there: check the number of people, "
        "or correct the population on the visit.",
        population=error.population,
        already=error.already,
    )


def _date(value: date | None) -> str:
    return format_date(value, "medium") if value else ""


def _refuse_if_withdrawn(interview: Interview) -> None:
    if interview.consent_withdrawn:
        abort(
            409,
            description=_(
                "The person withdrew their consent to this interview: it can no longer be changed."
            ),
        )


def _saved_values(interview: Interview) -> list[tuple[Any, Any]]:
    """What is saved now, for the conflict page (the team may see all of it)."""
    form = InterviewForm(formdata=None)
    return [
        (form.kind.label.text, interview.kind.label),
        (form.people_count.label.text, interview.people_count),
        (form.conducted_on.label.text, _date(interview.conducted_on)),
        (form.consent_scope.label.text, interview.consent_scope.label),
        (form.consent_date.label.text, _date(interview.consent_date)),
        (form.real_name.label.text, interview.real_name),
        (form.identifying_details.label.text, interview.identifying_details),
        (form.reprisal_risk.label.text, _("Yes") if interview.reprisal_risk else _("No")),
        (form.notes.label.text, interview.notes),
    ]


@bp.route("/visits/<int:visit_id>/interviews/new", methods=["GET", "POST"])
@form_view
def new(visit_id: int) -> ViewResult:
    """Record an interview; it gets the visit's next pseudonym."""
    visit = load_visit(visit_id)
    require_editable(visit)
    form = InterviewForm()
    if form.validate_on_submit():
        try:
            interview = services.create_interview(visit, current_user, form.to_input())
        except services.TooManyInterviewed as error:
            form.people_count.errors.append(_population_error(error))
        else:
            flash(_("Interview %(pseudonym)s saved.", pseudonym=interview.pseudonym), "success")
            return redirect(url_for("interviews.detail", interview_id=interview.id))
    return render_form(
        "interviews/new.html",
        form,
        visit=visit,
        action=url_for("interviews.new", visit_id=visit.id),
    )


def _detail_page(interview: Interview, withdraw_form: WithdrawConsentForm) -> tuple[str, int]:
    services.record_read(interview)
    visit: Visit = interview.visit
    can_edit = can_edit_content(current_user, visit) and not interview.consent_withdrawn
    return render_form(
        "interviews/detail.html",
        withdraw_form,
        interview=interview,
        visit=visit,
        can_edit=can_edit,
        can_delete=can_delete_content(current_user, visit),
        reprisal_check=services.reprisal_check_of(interview),
        findings=services.findings_resting_on(interview),
    )


@bp.route("/interviews/<int:interview_id>")
def detail(interview_id: int) -> tuple[str, int]:
    """One interview: identity apart, content hidden once consent is withdrawn."""
    interview = interview_or_404(interview_id)
    return _detail_page(interview, WithdrawConsentForm(formdata=None))


@bp.route("/interviews/<int:interview_id>/edit", methods=["GET", "POST"])
@form_view
def edit(interview_id: int) -> ViewResult:
    """Change an interview, unless someone saved it meanwhile (409 keeps the text)."""
    interview = interview_or_404(interview_id)
    visit: Visit = interview.visit
    require_editable(visit)
    _refuse_if_withdrawn(interview)
    action = url_for("interviews.edit", interview_id=interview.id)
    if request.method == "GET":
        services.record_read(interview)
    form = InterviewForm(obj=interview if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            if form.is_stale(interview):
                raise services.SavedMeanwhile
            services.update_interview(interview, visit, form.to_input())
        except services.SavedMeanwhile:
            return render_conflict(
                form,
                interview,
                saved=_saved_values(interview),
                action=action,
                form_template=FORM_TEMPLATE,
                interview=interview,
                visit=visit,
            )
        except services.TooManyInterviewed as error:
            form.people_count.errors.append(_population_error(error))
        else:
            flash(_("Interview %(pseudonym)s saved.", pseudonym=interview.pseudonym), "success")
            return redirect(url_for("interviews.detail", interview_id=interview.id))
    return render_form(
        "interviews/edit.html", form, interview=interview, visit=visit, action=action
    )


@bp.route("/interviews/<int:interview_id>/withdraw-consent", methods=["POST"])
@form_view
def withdraw_consent(interview_id: int) -> ViewResult:
    """Record that the person withdrew consent: the content is hidden from then on."""
    interview = interview_or_404(interview_id)
    visit: Visit = interview.visit
    require_editable(visit)
    _refuse_if_withdrawn(interview)
    form = WithdrawConsentForm()
    if form.validate_on_submit():
        services.withdraw_consent(interview)
        flash(
            _(
                "The withdrawal of consent to %(pseudonym)s is recorded: its content is "
                "hidden and kept out of every report.",
                pseudonym=interview.pseudonym,
            ),
            "success",
        )
        return redirect(url_for("interviews.detail", interview_id=interview.id))
    return _detail_page(interview, form)


@bp.route("/interviews/<int:interview_id>/delete", methods=["GET", "POST"])
@form_view
def delete(interview_id: int) -> ViewResult:
    """Delete an interview, with a reason.

    It is hidden from the visit, its counts and its findings' sources until a
    supervisor restores it.
    """
    interview = interview_or_404(interview_id, include_deleted=True)
    require_content_deletable(interview)
    form = DeleteForm()
    if form.validate_on_submit():
        try:
            deletion.soft_delete(interview, current_user, form.reason.data or "")
        except deletion.ChangedMeanwhile:
            abort(409, description=_("Someone changed this interview meanwhile. Try again."))
        flash(_("Interview %(pseudonym)s was deleted.", pseudonym=interview.pseudonym), "success")
        return redirect(url_for("visits.detail", visit_id=interview.visit_id, _anchor="interviews"))
    return render_form(
        "deleted/confirm.html",
        form,
        what=interview.pseudonym,
        visit=interview.visit,
        action=url_for("interviews.delete", interview_id=interview.id),
        back=url_for("interviews.detail", interview_id=interview.id),
        consequence=_(
            "It no longer counts towards the people interviewed, and findings no longer "
            "cite it as a source."
        ),
    )
