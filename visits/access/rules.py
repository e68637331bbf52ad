"""What one user may do to one object: the visit's team, its state, a finding's review.

Every answer here is a plain ``bool`` about a user and an object, asked by
views (through ``visits.access.loaders``) and by templates (through the
permissions object of ``visits.access.perms``), so a rule is written once.
Role-wide rights (``can``) are ``visits.access.roles``.

The model: a visit's metadata (place, dates, type, status, team) is for
every signed-in user. Its content (interviews, findings, attachments,
checklist notes, reprisal checks) is for its team and for supervisors,
never for an administrator; an interviewee's identity is for the visit's
team alone. The team changes content until the visit is approved;
supervisors review. See docs/architecture.md, "Access".
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, false, true

from visits.access.roles import can
from visits.models import Attachment, Finding, Interview, Recommendation, Role, Visit, VisitMember
from visits.models.finding import TEAM_EDITABLE_STATES, ReviewState
from visits.models.visit import VISITED_STATUSES

# Roles whose work is reading and writing visit content.
CONTENT_ROLES = frozenset({Role.MONITOR, Role.SUPERVISOR})


# --- People ----------------------------------------------------------------------


def can_read_content(user: Any) -> bool:
    """A signed-in monitor or supervisor: the people who may read visit content at all.

    Not while a change to the account (its creation, a raised role, a reset
    password or second factor) awaits a supervisor's approval: whoever made
    the change must not be able to read through the account alone.
    """
    return bool(user.is_authenticated) and user.role in CONTENT_ROLES and not user.awaiting_approval


def is_team_member(user: Any, visit: Visit) -> bool:
    """On the visit's team, as someone who may read content.

    Someone added from outside the lead's standing teams is not, until a
    supervisor approves the addition.
    """
    return can_read_content(user) and any(
        member.user_id == user.id and not member.awaiting_approval for member in visit.members
    )


def is_supervisor(user: Any) -> bool:
    """Supervisors review, approve and see every visit's content (not its identities)."""
    return can_read_content(user) and can(user, "review")


def is_lead(user: Any, visit: Visit) -> bool:
    lead = visit.lead
    return is_team_member(user, visit) and lead is not None and lead.id == user.id


# --- A visit and its content -------------------------------------------------------


def can_see_content(user: Any, visit: Visit) -> bool:
    """Interviews, findings, attachments, checklist notes and reprisal checks of ``visit``."""
    return is_supervisor(user) or is_team_member(user, visit)


def visits_with_content_for(user: Any) -> ColumnElement[bool]:
    """``can_see_content`` as an SQL condition on ``Visit``, for lists across visits."""
    if not can_read_content(user):
        return false()
    if is_supervisor(user):
        return true()
    return Visit.members.any(
        and_(VisitMember.user_id == user.id, VisitMember.awaiting_approval.is_(False))
    )


def can_edit_content(user: Any, visit: Visit) -> bool:
    """Change the visit, its team and its content: team or supervisor, before approval."""
    return can_see_content(user, visit) and not visit.is_locked


def can_record_fieldwork(user: Any, visit: Visit) -> bool:
    """Record interviews and findings: as ``can_edit_content``, once the team is on site."""
    return can_edit_content(user, visit) and visit.status in VISITED_STATUSES


def can_delete_visit(user: Any, visit: Visit) -> bool:
    """The visit's lead or a supervisor, before approval."""
    return not visit.is_locked and (is_supervisor(user) or is_lead(user, visit))


def can_record_shortfall(user: Any, visit: Visit) -> bool:
    """Why fewer than a third were interviewed: the lead's word (or a supervisor's)."""
    return is_supervisor(user) or is_lead(user, visit)


def can_move_as_team(user: Any, visit: Visit) -> bool:
    """The life-cycle steps of the team (prepare, go on site, submit, cancel)."""
    return can_see_content(user, visit)


def can_move_as_supervisor(user: Any, visit: Visit) -> bool:
    """The life-cycle steps of a supervisor (approve, return, send, close)."""
    return is_supervisor(user)


# --- Interviews ----------------------------------------------------------------------


def can_see_identity(user: Any, visit: Visit) -> bool:
    """An interviewee's real name and identifying details: the visit's team alone.

    A supervisor outside the team reviews the content under the pseudonym.
    """
    return is_team_member(user, visit)


def can_edit_interview(user: Any, interview: Interview) -> bool:
    return can_edit_content(user, interview.visit) and not interview.consent_withdrawn


def can_withdraw_consent(user: Any, interview: Interview) -> bool:
    """At any state of the visit: a withdrawal only hides what was said."""
    return can_see_content(user, interview.visit) and not interview.consent_withdrawn


# --- Findings ------------------------------------------------------------------------


def can_edit_finding(user: Any, finding: Finding) -> bool:
    """The team edits drafts and returned findings; a supervisor any, before approval."""
    if not can_edit_content(user, finding.visit):
        return False
    return is_supervisor(user) or finding.review_state in TEAM_EDITABLE_STATES


def can_submit_finding(user: Any, finding: Finding) -> bool:
    return can_edit_content(user, finding.visit) and finding.review_state in TEAM_EDITABLE_STATES


def can_review_finding(user: Any, finding: Finding) -> bool:
    return (
        is_supervisor(user)
        and not finding.visit.is_locked
        and finding.review_state is ReviewState.SUBMITTED
    )


# --- Deleting ----------------------------------------------------------------------


def can_delete_content(user: Any, record: Interview | Finding | Attachment) -> bool:
    """Deleting follows the rules of editing; a supervisor may delete at any time.

    A supervisor may still take a file out of an approved visit: a photo that
    shows who someone is must be removable whatever the visit's state. A
    finding (and a file of a finding) the team may no longer edit, because it
    is under review or accepted, the team may not delete either.
    """
    visit = record.visit
    if not can_see_content(user, visit):
        return False
    if is_supervisor(user):
        return True
    if visit.is_locked:
        return False
    finding = record if isinstance(record, Finding) else getattr(record, "finding", None)
    return finding is None or finding.review_state in TEAM_EDITABLE_STATES


# --- Recommendations -----------------------------------------------------------------


def can_see_recommendation(user: Any, recommendation: Recommendation) -> bool:
    """A draft is visit content (its visit's team and supervisors; a standalone draft,
    supervisors); once approved, every monitor and supervisor sees it (the next team
    to that place must know it). Administrators see none."""
    if not recommendation.is_draft:
        return can_read_content(user)
    if recommendation.visit is None:
        return is_supervisor(user)
    return can_see_content(user, recommendation.visit)


def can_see_recommendation_rationale(user: Any, recommendation: Recommendation) -> bool:
    """The rationale, the internal note and the findings it rests on are visit content."""
    if not can_see_recommendation(user, recommendation):
        return False
    visit = recommendation.visit
    return visit is None or can_see_content(user, visit)


def can_draft_recommendation(user: Any, visit: Visit | None) -> bool:
    """From a visit: its team and supervisors; standalone (from a report): supervisors."""
    return is_supervisor(user) if visit is None else can_see_content(user, visit)


def can_edit_recommendation(user: Any, recommendation: Recommendation) -> bool:
    """Whoever may draft it, while it is a draft."""
    return recommendation.is_draft and can_see_recommendation_rationale(user, recommendation)


def can_move_recommendation(user: Any, recommendation: Recommendation) -> bool:
    """Approve, return, send, and record what the authority answered: supervisors."""
    return is_supervisor(user)


def can_send_recommendations(user: Any) -> bool:
    return is_supervisor(user)
