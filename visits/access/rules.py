"""Who may see and change a visit and what belongs to it (DESIGN §5).

Role-wide rights are the ``PERMISSIONS`` table in ``visits.security``; the
rules here add the object: the visit's team, its state. Views load objects
through the ``*_or_404`` helpers below, and templates ask the same
functions, so a rule is written once.

A visit's metadata (place, dates, type, status) is visible to every
signed-in user. Its content (interviews, findings, attachments, checklist
notes) only to its team and to supervisors; an administrator never sees
it. Content the user may not see answers 404, since even its existence is
confidential; a visit the user may see but not change answers 403, and one
whose state forbids the change answers 409.
"""

from __future__ import annotations

from typing import Any, NoReturn

from flask import abort
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from visits.access import can
from visits.extensions import db
from visits.models import Attachment, Finding, Interview, Role, Visit, VisitMember

# Roles whose work is reading and writing visit content.
CONTENT_ROLES = frozenset({Role.MONITOR, Role.SUPERVISOR})


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


def can_see_content(user: Any, visit: Visit) -> bool:
    """Interviews, findings, attachments and checklist notes of ``visit``."""
    if not can_read_content(user):
        return False
    return user.role is Role.SUPERVISOR or is_team_member(user, visit)


def can_edit_content(user: Any, visit: Visit) -> bool:
    """Change the visit, its team and its content: team or supervisor, before approval."""
    return can_see_content(user, visit) and not visit.is_locked


def can_review(user: Any) -> bool:
    return can(user, "review")


def load_visit(visit_id: int, *, include_deleted: bool = False) -> Visit:
    """The visit with its place and team, or 404 (a deleted visit too, unless asked for)."""
    visit = db.session.get(
        Visit,
        visit_id,
        options=[
            selectinload(Visit.members).selectinload(VisitMember.user),
            selectinload(Visit.place),
        ],
    )
    if visit is None or (visit.is_deleted and not include_deleted):
        abort(404)
    return visit


def visit_content_or_404(visit_id: int) -> Visit:
    """A visit whose content the current user may see; 404 otherwise."""
    visit = load_visit(visit_id)
    if not can_see_content(current_user, visit):
        abort(404)
    return visit


def require_editable(visit: Visit) -> None:
    """Refuse a change to a visit: 403 outside its team, 409 once it is locked.

    The visit itself is no secret (its metadata is visible to all), so 403.
    """
    if not can_see_content(current_user, visit):
        abort(403)
    if visit.is_locked:
        abort(
            409,
            description=_(
                "This visit is %(status)s: its content can no longer be changed.",
                status=visit.status.label,
            ),
        )


# A deleted interview, finding or file answers 404 like a missing one, and so
# does all the content of a deleted visit (``load_visit``). Only the delete
# routes load a deleted record, to answer a second deletion with 409.


def interview_or_404(interview_id: int, *, include_deleted: bool = False) -> Interview:
    """An interview of a visit whose content the current user may see."""
    interview = db.session.get(Interview, interview_id)
    if interview is None or (interview.is_deleted and not include_deleted):
        abort(404)
    visit_content_or_404(interview.visit_id)
    return interview


def finding_or_404(finding_id: int, *, include_deleted: bool = False) -> Finding:
    finding = db.session.get(Finding, finding_id, options=[selectinload(Finding.interviews)])
    if finding is None or (finding.is_deleted and not include_deleted):
        abort(404)
    visit_content_or_404(finding.visit_id)
    return finding


def attachment_or_404(attachment_id: int, *, include_deleted: bool = False) -> Attachment:
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or (attachment.is_deleted and not include_deleted):
        abort(404)
    visit_content_or_404(attachment.visit_id)
    return attachment


# --- Deleting (soft) -------------------------------------------------------------


def can_delete_visit(user: Any, visit: Visit) -> bool:
    """The visit's lead or a supervisor, before approval."""
    if not user.is_authenticated or visit.is_locked:
        return False
    lead = visit.lead
    return user.role is Role.SUPERVISOR or (
        user.role is Role.MONITOR and lead is not None and lead.id == user.id
    )


def can_delete_content(user: Any, visit: Visit) -> bool:
    """An interview, finding or file: the team before approval, a supervisor at any time.

    A supervisor may still take a file out of an approved visit: a photo
    that shows who someone is must be removable whatever the visit's state.
    """
    if not can_see_content(user, visit):
        return False
    return user.role is Role.SUPERVISOR or not visit.is_locked


def _already_deleted() -> NoReturn:
    abort(
        409,
        description=_(
            "This was already deleted. A supervisor can restore it from the deleted records."
        ),
    )


def visit_to_delete(visit_id: int) -> Visit:
    """A visit the current user may delete.

    403 for anyone but its lead and supervisors; 409 once approved, or when
    it was deleted already (to its team and supervisors: to others a deleted
    visit does not exist).
    """
    visit = load_visit(visit_id, include_deleted=True)
    if visit.is_deleted:
        if not can_see_content(current_user, visit):
            abort(404)
        _already_deleted()
    if not can_delete_visit(current_user, visit):
        if visit.is_locked and can_see_content(current_user, visit):
            require_editable(visit)  # the 409 that names the visit's state
        abort(403)
    return visit


def require_content_deletable(record: Interview | Finding | Attachment) -> None:
    """Refuse deleting content loaded through a ``*_or_404`` helper.

    409 when it was deleted already, or when its visit is approved and the
    user is not a supervisor.
    """
    if record.is_deleted:
        _already_deleted()
    if not can_delete_content(current_user, record.visit):
        require_editable(record.visit)
