"""Findings: record, read, change, submit for review, and review."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from visits.access import can
from visits.access.rules import (
    can_delete_content,
    can_edit_content,
    finding_or_404,
    load_visit,
    require_content_deletable,
    require_editable,
)
from visits.deleted import services as deletion
from visits.findings import bp, services
from visits.findings.forms import FindingForm, ReviewForm
from visits.forms import DeleteForm, render_conflict, render_form
from visits.models import Finding, ReviewState, Visit
from visits.web.marks import form_view

FORM_TEMPLATE = "findings/_form.html"

ViewResult = Response | tuple[str, int]


def _yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


def _saved_values(finding: Finding) -> list[tuple[Any, Any]]:
    """What is saved now, for the conflict page."""
    form = FindingForm(formdata=None)
    values: list[tuple[Any, Any]] = [
        (form.area.label.text, finding.area.label),
        (form.source_type.label.text, finding.source_type.label),
        (
            form.interview_ids.label.text,
            ", ".join(interview.pseudonym for interview in finding.interviews),
        ),
        (form.severity.label.text, finding.severity.label),
        (form.confidentiality.label.text, finding.confidentiality.label),
        (form.title.label.text, finding.title),
        (form.text.label.text, finding.text),
        (form.alleges_ill_treatment.label.text, _yes_no(finding.alleges_ill_treatment)),
    ]
    if finding.alleges_ill_treatment:
        values += [
            (form.allegation_what.label.text, finding.allegation_what),
            (form.allegation_when.label.text, finding.allegation_when),
            (form.allegation_by_whom.label.text, finding.allegation_by_whom),
            (form.allegation_medical_evidence.label.text, finding.allegation_medical_evidence),
            (
                form.allegation_consent_to_transmit.label.text,
                _yes_no(finding.allegation_consent_to_transmit),
            ),
        ]
    return values


def _foreign_interview_error(form: FindingForm) -> None:
    form.interview_ids.errors = [
        *form.interview_ids.errors,
        _("Choose only interviews of this visit."),
    ]


def _detail_page(finding: Finding, review_form: ReviewForm) -> tuple[str, int]:
    services.record_read(finding)
    visit: Visit = finding.visit
    can_edit = can_edit_content(current_user, visit)
    return render_form(
        "findings/detail.html",
        review_form,
        finding=finding,
        visit=visit,
        can_edit=can_edit,
        can_delete=can_delete_content(current_user, visit),
        can_delete_files=can_delete_content(current_user, visit),
        may_edit=services.may_edit(current_user, finding, visit),
        may_submit=can_edit and finding.review_state in services.SUBMITTABLE_STATES,
        may_review=(
            can(current_user, "review")
            and not visit.is_locked
            and finding.review_state is ReviewState.SUBMITTED
        ),
        attachments=services.attachments_of_finding(finding),
    )


@bp.route("/visits/<int:visit_id>/findings/new", methods=["GET", "POST"])
@form_view
def new(visit_id: int) -> ViewResult:
    """Record a finding of the visit, as a draft under the next number."""
    visit = load_visit(visit_id)
    require_editable(visit)
    form = FindingForm()
    form.offer_interviews(services.interviews_of_visit(visit.id))
    if form.validate_on_submit():
        try:
            finding = services.create_finding(visit, current_user, form.to_input())
        except services.ForeignInterview:
            _foreign_interview_error(form)
        else:
            flash(_("Finding %(number)d saved as a draft.", number=finding.number), "success")
            return redirect(url_for("findings.detail", finding_id=finding.id))
    return render_form(
        "findings/new.html",
        form,
        visit=visit,
        action=url_for("findings.new", visit_id=visit.id),
    )


@bp.route("/findings/<int:finding_id>")
def detail(finding_id: int) -> tuple[str, int]:
    """One finding with its sources, its review and its attachments."""
    finding = finding_or_404(finding_id)
    return _detail_page(finding, ReviewForm(formdata=None))


@bp.route("/findings/<int:finding_id>/edit", methods=["GET", "POST"])
@form_view
def edit(finding_id: int) -> ViewResult:
    """Change a finding, unless its review or the visit forbids it, or someone saved first."""
    finding = finding_or_404(finding_id)
    visit: Visit = finding.visit
    require_editable(visit)
    refusal = services.edit_refusal(current_user, finding, visit)
    if refusal is not None:
        abort(409, description=refusal)
    action = url_for("findings.edit", finding_id=finding.id)
    if request.method == "GET":
        services.record_read(finding)
        form = FindingForm(
            obj=finding, interview_ids=[interview.id for interview in finding.interviews]
        )
    else:
        form = FindingForm()
    form.offer_interviews(services.interviews_of_visit(visit.id))
    if form.validate_on_submit():
        try:
            if form.is_stale(finding):
                raise services.SavedMeanwhile
            services.update_finding(finding, visit, form.to_input())
        except services.SavedMeanwhile:
            return render_conflict(
                form,
                finding,
                saved=_saved_values(finding),
                action=action,
                form_template=FORM_TEMPLATE,
                finding=finding,
                visit=visit,
            )
        except services.ForeignInterview:
            _foreign_interview_error(form)
        else:
            flash(_("Finding %(number)d saved.", number=finding.number), "success")
            return redirect(url_for("findings.detail", finding_id=finding.id))
    return render_form("findings/edit.html", form, finding=finding, visit=visit, action=action)


@bp.route("/findings/<int:finding_id>/submit", methods=["POST"])
def submit(finding_id: int) -> Response:
    """Send a draft or returned finding to the supervisors for review."""
    finding = finding_or_404(finding_id)
    require_editable(finding.visit)
    try:
        services.submit_finding(finding)
    except services.NotAllowedNow as refusal:
        abort(409, description=refusal.message)
    flash(_("Finding %(number)d was submitted for review.", number=finding.number), "success")
    return redirect(url_for("findings.detail", finding_id=finding.id))


@bp.route("/findings/<int:finding_id>/review", methods=["POST"])
@form_view
def review(finding_id: int) -> ViewResult:
    """A supervisor accepts a submitted finding or returns it with a comment."""
    # The finding first: to whoever may not see it, it does not exist (404);
    # a team member who may see it but not review it gets 403.
    finding = finding_or_404(finding_id)
    if not can(current_user, "review"):
        abort(403)
    require_editable(finding.visit)
    refusal = services.review_refusal(finding)
    if refusal is not None:
        abort(409, description=refusal)
    form = ReviewForm()
    if form.validate_on_submit():
        decision = services.ReviewDecision(form.decision.data)
        services.review_finding(finding, current_user, decision, form.comment.data or "")
        if decision is services.ReviewDecision.ACCEPT:
            flash(_("Finding %(number)d was accepted.", number=finding.number), "success")
        else:
            flash(
                _("Finding %(number)d was returned to the team.", number=finding.number),
                "success",
            )
        return redirect(url_for("findings.detail", finding_id=finding.id))
    return _detail_page(finding, form)


@bp.route("/findings/<int:finding_id>/delete", methods=["GET", "POST"])
@form_view
def delete(finding_id: int) -> ViewResult:
    """Delete a finding, with a reason: hidden from the visit and every count until restored."""
    finding = finding_or_404(finding_id, include_deleted=True)
    require_content_deletable(finding)
    form = DeleteForm()
    if form.validate_on_submit():
        try:
            deletion.soft_delete(finding, current_user, form.reason.data or "")
        except deletion.ChangedMeanwhile:
            abort(409, description=_("Someone changed this finding meanwhile. Try again."))
        flash(_("Finding %(number)d was deleted.", number=finding.number), "success")
        return redirect(url_for("visits.detail", visit_id=finding.visit_id, _anchor="findings"))
    return render_form(
        "deleted/confirm.html",
        form,
        what=_("finding %(number)d", number=finding.number),
        visit=finding.visit,
        action=url_for("findings.delete", finding_id=finding.id),
        back=url_for("findings.detail", finding_id=finding.id),
    )
