"""Load an object and check access in one call: what views start with.

``visit_or_404`` loads a visit for its metadata (every signed-in user);
``content_or_404`` loads a visit's content, or a visit for its content, and
answers 404 to whoever may not see it, since even its existence is
confidential. The ``require_*`` functions then refuse a change: 403 to
whoever may see but not change, 409 when the object's state forbids it.
The refusals are ``visits.errors`` types, rendered by the one error handler.
"""

from __future__ import annotations

from typing import Any, TypeVar

from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from visits.access import rules
from visits.errors import NotAllowed, NotFound, WrongState
from visits.extensions import db
from visits.models import Attachment, Finding, Interview, Recommendation, Visit, VisitMember
from visits.models.finding import ReviewState

Content = TypeVar("Content", Visit, Interview, Finding, Attachment)
Deletable = TypeVar("Deletable", Interview, Finding, Attachment)

# What each page of an object shows anyway, loaded with it.
_LOAD_OPTIONS: dict[type[Any], list[Any]] = {
    Visit: [
        selectinload(Visit.members).selectinload(VisitMember.user),
        selectinload(Visit.place),
    ],
    Interview: [selectinload(Interview.visit)],
    Finding: [selectinload(Finding.interviews), selectinload(Finding.visit)],
    Attachment: [selectinload(Attachment.visit), selectinload(Attachment.finding)],
}


def visit_or_404(visit_id: int, *, include_deleted: bool = False) -> Visit:
    """A visit, for its metadata: every signed-in user; a deleted one is 404."""
    visit = db.session.get(Visit, visit_id, options=_LOAD_OPTIONS[Visit])
    if visit is None or (visit.is_deleted and not include_deleted):
        raise NotFound
    return visit


def content_or_404(
    model: type[Content], object_id: int, *, include_deleted: bool = False
) -> Content:
    """A visit (for its content), an interview, a finding or a file the user may see.

    404 when there is none, when it or its visit is deleted (a deleted record
    is loaded only to delete or restore it: ``include_deleted``), when the
    file's finding is deleted, and when the user may not see its visit's content.
    """
    record = db.session.get(model, object_id, options=_LOAD_OPTIONS[model])
    if record is None or (record.is_deleted and not include_deleted):
        raise NotFound
    visit = record if isinstance(record, Visit) else record.visit
    if visit is not record and visit.is_deleted:
        raise NotFound
    if isinstance(record, Attachment) and record.finding is not None and record.finding.is_deleted:
        raise NotFound
    if not rules.can_see_content(current_user, visit):
        raise NotFound
    return record


def require(allowed: bool, message: str | None = None) -> None:
    """Refuse with 403 unless ``allowed``."""
    if not allowed:
        raise NotAllowed(message)


def _locked(visit: Visit) -> WrongState:
    return WrongState(visit.locked_message)


def require_content_editable(visit: Visit) -> None:
    """Refuse a change to a visit: 403 outside its team, 409 once it is locked.

    The visit itself is no secret (its metadata is visible to all), so 403.
    """
    require(
        rules.can_see_content(current_user, visit),
        _("Only the visit's team and supervisors can change this visit."),
    )
    if visit.is_locked:
        raise _locked(visit)


def require_finding_editable(finding: Finding) -> None:
    """The team edits drafts and returned findings; a supervisor any, before approval."""
    require_content_editable(finding.visit)
    if not rules.can_edit_finding(current_user, finding):
        raise WrongState(_finding_in_review(finding))


def _finding_in_review(finding: Finding) -> str:
    if finding.review_state is ReviewState.SUBMITTED:
        return _(
            "This finding was submitted for review: the team can change it again if a "
            "supervisor returns it."
        )
    return _("This finding was accepted: only a supervisor can change it now.")


def require_interview_editable(interview: Interview) -> None:
    require_content_editable(interview.visit)
    if interview.consent_withdrawn:
        raise WrongState(_consent_withdrawn())


def _consent_withdrawn() -> str:
    return _("The person withdrew their consent to this interview: it can no longer be changed.")


def require_consent_withdrawable(interview: Interview) -> None:
    """At any state of the visit, by its team or a supervisor, once."""
    require(
        rules.can_see_content(current_user, interview.visit),
        _("Only the visit's team and supervisors can change this visit."),
    )
    if interview.consent_withdrawn:
        raise WrongState(_consent_withdrawn())


def _already_deleted() -> WrongState:
    return WrongState(
        _("This was already deleted. A supervisor can restore it from the deleted records.")
    )


def visit_to_delete(visit_id: int) -> Visit:
    """A visit the current user may delete.

    403 for anyone but its lead and supervisors; 409 once approved, or when
    it was deleted already (to its team and supervisors: to others a deleted
    visit does not exist).
    """
    visit = visit_or_404(visit_id, include_deleted=True)
    if visit.is_deleted:
        if not rules.can_see_content(current_user, visit):
            raise NotFound
        raise _already_deleted()
    if not rules.can_delete_visit(current_user, visit):
        if visit.is_locked and rules.can_see_content(current_user, visit):
            raise _locked(visit)
        raise NotAllowed
    return visit


def content_to_delete(model: type[Deletable], object_id: int) -> Deletable:
    """An interview, finding or file the current user may delete.

    409 when it was deleted already, when its visit is approved (for the
    team), or when the finding is under review or accepted (for the team).
    """
    record = content_or_404(model, object_id, include_deleted=True)
    if record.is_deleted:
        raise _already_deleted()
    if not rules.can_delete_content(current_user, record):
        require_content_editable(record.visit)
        finding = record if isinstance(record, Finding) else getattr(record, "finding", None)
        if finding is not None:
            raise WrongState(_finding_in_review(finding))
        raise NotAllowed
    return record


def recommendation_or_404(recommendation_id: int) -> Recommendation:
    """A recommendation the user may see: to anyone else it does not exist (404).

    A draft is visit content; an approved one is for every monitor and supervisor.
    """
    recommendation = db.session.get(
        Recommendation,
        recommendation_id,
        options=[
            selectinload(Recommendation.visit).selectinload(Visit.members),
            selectinload(Recommendation.authority),
            selectinload(Recommendation.place),
        ],
    )
    if recommendation is None:
        raise NotFound
    visit = recommendation.visit
    if visit is not None and visit.is_deleted:
        raise NotFound
    if not rules.can_see_recommendation(current_user, recommendation):
        raise NotFound
    return recommendation


def require_recommendation_editable(recommendation: Recommendation) -> None:
    """Drafts only (409 after), by whoever may draft it (403 otherwise)."""
    require(
        rules.can_see_recommendation_rationale(current_user, recommendation),
        _("Only the visit's team and supervisors can change this recommendation."),
    )
    if not recommendation.is_draft:
        raise WrongState(
            _(
                "This recommendation is %(status)s: only a draft can be changed.",
                status=recommendation.status.label,
            )
        )
