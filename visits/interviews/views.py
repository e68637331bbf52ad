"""Interviews: record, read, change, and record a withdrawal of consent."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from visits.access.loaders import (
    content_or_404,
    content_to_delete,
    require_consent_withdrawable,
    require_content_editable,
    require_interview_editable,
    visit_or_404,
)
from visits.access.perms import InterviewPerms
from visits.access.rules import can_see_identity
from visits.deleted import services as deletion
from visits.errors import ChangedMeanwhile
from visits.forms import DeleteForm, render_conflict, render_form
from visits.i18n import show_day
from visits.interviews import bp, services
from visits.interviews.forms import InterviewForm, WithdrawConsentForm
from visits.models import Interview, Visit
from visits.web.boundary import commit, commit_once, commit_or_refuse
from visits.web.marks import form_view

FORM_TEMPLATE = "interviews/_form.html"

ViewResult = Response | tuple[str, int]


def _detail_url(interview: Interview) -> str:
    return url_for("interviews.detail", interview_id=interview.id)


def _form(visit: Visit, **kwargs: Any) -> InterviewForm:
    """The interview form, with the identity fields only for the visit's team."""
    form = InterviewForm(**kwargs)
    return form if can_see_identity(current_user, visit) else form.without_identity()


def _saved_values(interview: Interview) -> list[tuple[Any, Any]]:
    """What is saved now, for the conflict page (identity for the team only)."""
    form = InterviewForm(formdata=None)
    values: list[tuple[Any, Any]] = [
        (form.kind.label.text, interview.kind.label),
        (form.people_count.label.text, interview.people_count),
        (form.conducted_on.label.text, show_day(interview.conducted_on)),
        (form.consent_scope.label.text, interview.consent_scope.label),
        (form.consent_date.label.text, show_day(interview.consent_date)),
    ]
    if can_see_identity(current_user, interview.visit):
        values += [
            (form.real_name.label.text, interview.real_name),
            (form.identifying_details.label.text, interview.identifying_details),
        ]
    return [
        *values,
        (form.reprisal_risk.label.text, _("Yes") if interview.reprisal_risk else _("No")),
        (form.notes.label.text, interview.notes),
    ]


def _conflict(form: InterviewForm, interview: Interview, action: str) -> tuple[str, int]:
    """The 409 page: what someone else saved, and this person's text ready to save again."""
    return render_conflict(
        form,
        interview,
        saved=_saved_values(interview),
        action=action,
        form_template=FORM_TEMPLATE,
        interview=interview,
        visit=interview.visit,
    )


@bp.route("/visits/<int:visit_id>/interviews/new", methods=["GET", "POST"])
@form_view
def new(visit_id: int) -> ViewResult:
    """Record an interview; it gets the visit's next pseudonym."""
    visit = visit_or_404(visit_id)
    require_content_editable(visit)
    services.check_fieldwork_started(visit)
    form = _form(visit)
    if form.validate_on_submit() and (
        interview := commit_once(
            form, _detail_url, services.create_interview, visit, current_user, form.to_input()
        )
    ):
        flash(_("Interview %(pseudonym)s saved.", pseudonym=interview.pseudonym), "success")
        return redirect(url_for("interviews.detail", interview_id=interview.id))
    action = url_for("interviews.new", visit_id=visit.id)
    return render_form("interviews/new.html", form, visit=visit, action=action)


def _detail_page(interview: Interview, withdraw_form: WithdrawConsentForm) -> tuple[str, int]:
    return render_form(
        "interviews/detail.html",
        withdraw_form,
        interview=interview,
        visit=interview.visit,
        perms=InterviewPerms.of(current_user, interview),
        reprisal_check=services.reprisal_check_of(interview),
        findings=services.findings_resting_on(interview),
    )


@bp.route("/interviews/<int:interview_id>")
def detail(interview_id: int) -> tuple[str, int]:
    """One interview: identity for the team only, content hidden once consent is withdrawn."""
    interview = content_or_404(Interview, interview_id)
    return _detail_page(interview, WithdrawConsentForm(formdata=None))


@bp.route("/interviews/<int:interview_id>/edit", methods=["GET", "POST"])
@form_view
def edit(interview_id: int) -> ViewResult:
    """Change an interview, unless someone saved it meanwhile (409 keeps the text)."""
    interview = content_or_404(Interview, interview_id)
    require_interview_editable(interview)
    form = _form(interview.visit, obj=interview if request.method == "GET" else None)
    action = url_for("interviews.edit", interview_id=interview.id)
    if form.validate_on_submit():
        try:
            saved = commit_or_refuse(
                form, services.update_interview, interview, form.to_input(), form.seen_version
            )
        except ChangedMeanwhile:
            return _conflict(form, interview, action)
        if saved is not None:
            flash(_("Interview %(pseudonym)s saved.", pseudonym=interview.pseudonym), "success")
            return redirect(url_for("interviews.detail", interview_id=interview.id))
    return render_form(
        "interviews/edit.html", form, interview=interview, visit=interview.visit, action=action
    )


@bp.route("/interviews/<int:interview_id>/withdraw-consent", methods=["POST"])
@form_view
def withdraw_consent(interview_id: int) -> ViewResult:
    """Record that the person withdrew consent: the content is hidden from then on."""
    interview = content_or_404(Interview, interview_id)
    require_consent_withdrawable(interview)
    form = WithdrawConsentForm()
    if form.validate_on_submit():
        commit(services.withdraw_consent, interview)
        message = _(
            "The withdrawal of consent to %(pseudonym)s is recorded: its content is "
            "hidden and kept out of every report.",
            pseudonym=interview.pseudonym,
        )
        flash(message, "success")
        return redirect(url_for("interviews.detail", interview_id=interview.id))
    return _detail_page(interview, form)


@bp.route("/interviews/<int:interview_id>/delete", methods=["GET", "POST"])
@form_view
def delete(interview_id: int) -> ViewResult:
    """Delete an interview, with a reason.

    It is hidden from the visit, its counts and its findings' sources until a
    supervisor restores it.
    """
    interview = content_to_delete(Interview, interview_id)
    form = DeleteForm()
    if form.validate_on_submit():
        commit(deletion.soft_delete, interview, current_user, form.reason.data or "")
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
