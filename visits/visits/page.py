"""What the visit page shows a user, and the data of its details form.

Kept apart from the views so that they stay a request-parsing layer: the
page's context is built here, once, for the first display and for every
form that comes back to it with an error.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from visits import reprisals
from visits.access.perms import VisitPerms
from visits.extensions import db
from visits.forms import EmptyForm
from visits.i18n import show_day
from visits.models import (
    Finding,
    ReprisalCheck,
    ReviewState,
    Visit,
    VisitEvent,
    VisitStatus,
    VisitType,
)
from visits.models.attachment import attachments_of
from visits.models.checklist import answers_of
from visits.models.finding import Confidentiality, findings_of
from visits.models.interview import interviews_of
from visits.models.recommendation import recommendations_of
from visits.models.reprisal import checks_due_on, outcomes_recorded_by
from visits.visits import services
from visits.visits.forms import MemberForm, ReprisalCheckForm, TransitionForm


def check_prefix(check: ReprisalCheck) -> str:
    """Several checks' forms share the page: each names its fields apart."""
    return f"check{check.id}-"


def detail_context(visit: Visit, review: ReviewState | None = None, **forms: Any) -> dict[str, Any]:
    """What the visit page shows this user; ``forms`` replace the blank ones.

    ``review`` narrows the findings list to the findings in that review state.
    """
    perms = VisitPerms.of(current_user, visit)
    events = db.session.scalars(
        select(VisitEvent)
        .where(VisitEvent.visit_id == visit.id)
        .options(selectinload(VisitEvent.user))
        .order_by(VisitEvent.id)
    ).all()
    context: dict[str, Any] = {
        "problem_anchor": problem_anchor(forms),
        "visit": visit,
        "events": events,
        "perms": perms,
        "population": services.population_rows(visit),
        "transitions": services.allowed_transitions(current_user, visit),
        "transition_form": forms.get("transition_form", TransitionForm(formdata=None)),
        "remove_form": EmptyForm(formdata=None),
    }
    if not perms.can_see_content:
        return context
    team_form = forms.get("team_form")
    if team_form is None and perms.can_edit:
        team_form = MemberForm(formdata=None)
        team_form.set_people(services.team_candidates(visit))
    interviews = db.session.scalars(interviews_of(visit.id)).all()
    findings = db.session.scalars(findings_of(visit.id)).all()
    checks = reprisal_checks_context(visit, forms.get("check_form"))
    context.update(
        **checks,
        **findings_context(visit, findings, review),
        checklist=services.group_answers(db.session.scalars(answers_of(visit.id)).all()),
        interviews=interviews,
        print_level=content_level(
            findings,
            confidential=bool(interviews or checks["checks"] or checks["recorded_outcomes"]),
        ),
        attachments=db.session.scalars(attachments_of(visit.id)).all(),
        recommendations=db.session.scalars(recommendations_of(visit.id)).all(),
        quota=services.interview_quota(visit)
        if visit.visit_type is VisitType.COMPREHENSIVE
        else None,
        team_form=team_form,
    )
    return context


def findings_context(
    visit: Visit, findings: Sequence[Finding], review: ReviewState | None
) -> dict[str, Any]:
    """The findings list (narrowed to one review state), its counts, and what stands
    before approval: each finding of a visit under review not accepted yet, with what
    it needs (a returned one, the team's revision)."""
    counts = Counter(finding.review_state for finding in findings)
    before_approval = []
    if visit.status is VisitStatus.IN_REVIEW:
        before_approval = [
            (finding, services.APPROVAL_NEEDS[finding.review_state])
            for finding in findings
            if finding.review_state is not ReviewState.ACCEPTED
        ]
    return {
        "findings": [f for f in findings if review is None or f.review_state is review],
        "findings_total": len(findings),
        "review_counts": [(state, counts[state]) for state in ReviewState if counts[state]],
        "review_filter": review,
        "before_approval": before_approval,
    }


def reprisal_checks_context(
    visit: Visit, posted: tuple[int, ReprisalCheckForm] | None
) -> dict[str, Any]:
    """The checks due on this visit, a form for each once on site, and what it recorded.

    A visit still to go sees its checks as due, without a form; an approved,
    cancelled or deleted one, only what it recorded. A form sent back with an
    error stays on the page even when its check is no longer open (another
    visit recorded it meanwhile: this one may still add what it found).
    """
    due: list[ReprisalCheck] = []
    if reprisals.awaits_checks(visit):
        due = list(db.session.scalars(checks_due_on(visit)))
    check_forms = (
        {check.id: ReprisalCheckForm(formdata=None, prefix=check_prefix(check)) for check in due}
        if reprisals.records_checks(visit)
        else {}
    )
    if posted is not None:
        check_id, form = posted
        check_forms[check_id] = form
        if check_id not in {check.id for check in due}:
            due.append(db.session.get_one(ReprisalCheck, check_id))
    return {
        "checks": due,
        "check_forms": check_forms,
        "recorded_outcomes": db.session.scalars(outcomes_recorded_by(visit)).all(),
    }


def content_level(findings: Sequence[Finding], confidential: bool) -> Confidentiality:
    """How a printed visit page is marked: the most restricted of what it shows.

    A visit's content is never public as a whole (its team, checklist notes
    and photos are internal at least); interviews and reprisal checks are
    confidential, whatever the findings' own levels.
    """
    if confidential:
        return Confidentiality.CONFIDENTIAL
    levels = [finding.confidentiality for finding in findings]
    return Confidentiality.highest([Confidentiality.INTERNAL, *levels])


def problem_anchor(forms: dict[str, Any]) -> str | None:
    """Where on the visit page the refused form is, to point to it from the top."""
    anchors = {"transition_form": "life-cycle", "team_form": "team"}
    for name, form in forms.items():
        if name == "check_form":
            check_id, form = form
            anchor = f"check-{check_id}"
        else:
            anchor = anchors[name]
        if form.errors:
            return anchor
    return None


def visit_form_data(visit: Visit) -> dict[str, Any]:
    data: dict[str, Any] = {
        "visit_type": visit.visit_type.value,
        "announced": visit.announced,
        "joint_with": visit.joint_with,
        "start_date": visit.start_date,
        "end_date": visit.end_date,
        "purpose": visit.purpose,
        "population_total": visit.population_total,
        "interview_shortfall_reason": visit.interview_shortfall_reason,
        "version": str(visit.version),
    }
    for code, number in (visit.population_by_category or {}).items():
        data[f"population_{code}"] = number
    return data


def saved_details(visit: Visit) -> list[tuple[Any, Any]]:
    """What the conflict page shows as saved by the other person."""
    by_category = ", ".join(
        f"{label}: {number}" for label, number in services.population_rows(visit)
    )
    return [
        (_("Type of visit"), visit.visit_type.label),
        (_("Announced to the authorities in advance"), _("Yes") if visit.announced else _("No")),
        (_("Joint visit with"), visit.joint_with),
        (_("First day"), show_day(visit.start_date)),
        (_("Last day"), show_day(visit.end_date)),
        (_("Purpose"), visit.purpose),
        (_("People held on the day"), visit.population_total),
        (_("By category"), by_category),
        (
            _("Why fewer than a third of the people held were interviewed"),
            visit.interview_shortfall_reason,
        ),
    ]
