"""Findings: record, read, change, submit for review, and review."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from visits.access.loaders import (
    content_or_404,
    content_to_delete,
    require,
    require_content_editable,
    require_finding_editable,
    visit_or_404,
)
from visits.access.perms import FindingPerms
from visits.access.rules import can_read_content, is_supervisor, visits_with_content_for
from visits.deleted import services as deletion
from visits.errors import ChangedMeanwhile
from visits.findings import bp, services
from visits.findings.forms import FindingFilterForm, FindingForm, ReviewForm
from visits.forms import DeleteForm, render_conflict, render_form
from visits.models import Finding, ReviewState
from visits.models.finding import findings_across_visits
from visits.web.boundary import commit, commit_once, commit_or_refuse
from visits.web.marks import form_view
from visits.web.pagination import paginate

FORM_TEMPLATE = "findings/_form.html"
FINDINGS_PER_PAGE = 25

ViewResult = Response | tuple[str, int]


def _detail_url(finding: Finding) -> str:
    return url_for("findings.detail", finding_id=finding.id)


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


def _conflict(form: FindingForm, finding: Finding, action: str) -> tuple[str, int]:
    """The 409 page: what someone else saved, and this person's text ready to save again."""
    return render_conflict(
        form,
        finding,
        saved=_saved_values(finding),
        action=action,
        form_template=FORM_TEMPLATE,
        finding=finding,
        visit=finding.visit,
    )


def _detail_page(finding: Finding, review_form: ReviewForm) -> tuple[str, int]:
    return render_form(
        "findings/detail.html",
        review_form,
        finding=finding,
        visit=finding.visit,
        perms=FindingPerms.of(current_user, finding),
        attachments=services.attachments_of_finding(finding),
        history=services.review_history_of(finding),
    )


@bp.route("/findings")
def index() -> tuple[str, int]:
    """The findings of every visit whose content this user may read, by review state.

    Where the dashboard's counts lead: a supervisor's "submitted for review",
    a team's "returned".
    """
    require(can_read_content(current_user))
    filters = FindingFilterForm(request.args)
    if not filters.validate():
        return render_template("findings/index.html", filters=filters, page=None), 400
    query = findings_across_visits(
        visits_with_content_for(current_user), ReviewState.parse(filters.review.data)
    )
    page = paginate(query, per_page=FINDINGS_PER_PAGE)
    return render_template("findings/index.html", filters=filters, page=page), 200


@bp.route("/visits/<int:visit_id>/findings/new", methods=["GET", "POST"])
@form_view
def new(visit_id: int) -> ViewResult:
    """Record a finding of the visit, as a draft under the next number."""
    visit = visit_or_404(visit_id)
    require_content_editable(visit)
    services.check_fieldwork_started(visit)
    form = FindingForm()
    form.offer_interviews(services.sources_for(visit.id))
    if form.validate_on_submit() and (
        finding := commit_once(
            form, _detail_url, services.create_finding, visit, current_user, form.to_input()
        )
    ):
        flash(_("Finding %(number)d saved as a draft.", number=finding.number), "success")
        return redirect(url_for("findings.detail", finding_id=finding.id))
    action = url_for("findings.new", visit_id=visit.id)
    return render_form("findings/new.html", form, visit=visit, action=action)


@bp.route("/findings/<int:finding_id>")
def detail(finding_id: int) -> tuple[str, int]:
    """One finding with its sources, its review and its attachments."""
    return _detail_page(content_or_404(Finding, finding_id), ReviewForm(formdata=None))


@bp.route("/findings/<int:finding_id>/edit", methods=["GET", "POST"])
@form_view
def edit(finding_id: int) -> ViewResult:
    """Change a finding, unless its review or the visit forbids it, or someone saved first."""
    finding = content_or_404(Finding, finding_id)
    require_finding_editable(finding)
    sources = [i.id for i in finding.interviews]
    form = (
        FindingForm(obj=finding, interview_ids=sources)
        if request.method == "GET"
        else FindingForm()
    )
    form.offer_interviews(services.sources_for(finding.visit_id, finding))
    action = url_for("findings.edit", finding_id=finding.id)
    if form.validate_on_submit():
        try:
            saved = commit_or_refuse(
                form, services.update_finding, finding, form.to_input(), form.seen_version
            )
        except ChangedMeanwhile:
            return _conflict(form, finding, action)
        if saved is not None:
            flash(_("Finding %(number)d saved.", number=finding.number), "success")
            return redirect(url_for("findings.detail", finding_id=finding.id))
    return render_form(
        "findings/edit.html", form, finding=finding, visit=finding.visit, action=action
    )


@bp.route("/findings/<int:finding_id>/submit", methods=["POST"])
def submit(finding_id: int) -> Response:
    """Send a draft or returned finding to the supervisors for review."""
    finding = content_or_404(Finding, finding_id)
    require_content_editable(finding.visit)
    commit(services.submit_finding, finding, current_user)
    flash(_("Finding %(number)d was submitted for review.", number=finding.number), "success")
    return redirect(url_for("findings.detail", finding_id=finding.id))


@bp.route("/findings/<int:finding_id>/review", methods=["POST"])
@form_view
def review(finding_id: int) -> ViewResult:
    """A supervisor accepts a submitted finding or returns it with a comment."""
    # The finding first: to whoever may not see it, it does not exist (404);
    # a team member who may see it but not review it gets 403.
    finding = content_or_404(Finding, finding_id)
    require(is_supervisor(current_user))
    require_content_editable(finding.visit)
    services.check_reviewable(finding)
    form = ReviewForm()
    if form.validate_on_submit():
        decision = services.ReviewDecision(form.decision.data)
        commit(services.review_finding, finding, current_user, decision, form.comment.data or "")
        if decision is services.ReviewDecision.ACCEPT:
            flash(_("Finding %(number)d was accepted.", number=finding.number), "success")
        else:
            message = _("Finding %(number)d was returned to the team.", number=finding.number)
            flash(message, "success")
        return redirect(url_for("findings.detail", finding_id=finding.id))
    return _detail_page(finding, form)


@bp.route("/findings/<int:finding_id>/delete", methods=["GET", "POST"])
@form_view
def delete(finding_id: int) -> ViewResult:
    """Delete a finding, with a reason: hidden from the visit and every count until restored."""
    finding = content_to_delete(Finding, finding_id)
    form = DeleteForm()
    if form.validate_on_submit():
        commit(deletion.soft_delete, finding, current_user, form.reason.data or "")
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
