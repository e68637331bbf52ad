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

from typing import Any

from flask import abort
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from visits.extensions import db
from visits.models import Attachment, Finding, Interview, Role, Visit, VisitMember
from visits.security import can


def is_team_member(user: Any, visit: Visit) -> bool:
    return bool(user.is_authenticated) and visit.has_member(user)


def can_see_content(user: Any, visit: Visit) -> bool:
    """Interviews, findings, attachments and checklist notes of ``visit``."""
    if not user.is_authenticated:
        return False
    if user.role is Role.SUPERVISOR:
        return True
    return user.role is Role.MONITOR and visit.has_member(user)


def can_edit_content(user: Any, visit: Visit) -> bool:
    """Change the visit, its team and its content: team or supervisor, before approval."""
    return can_see_content(user, visit) and not visit.is_locked


def can_review(user: Any) -> bool:
    return can(user, "review")


def load_visit(visit_id: int) -> Visit:
    """The visit with its place and team, or 404."""
    visit = db.session.get(
        Visit,
        visit_id,
        options=[
            selectinload(Visit.members).selectinload(VisitMember.user),
            selectinload(Visit.place),
        ],
    )
    if visit is None:
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


def interview_or_404(interview_id: int) -> Interview:
    """An interview of a visit whose content the current user may see."""
    interview = db.session.get(Interview, interview_id)
    if interview is None:
        abort(404)
    visit_content_or_404(interview.visit_id)
    return interview


def finding_or_404(finding_id: int) -> Finding:
    finding = db.session.get(Finding, finding_id, options=[selectinload(Finding.interviews)])
    if finding is None:
        abort(404)
    visit_content_or_404(finding.visit_id)
    return finding


def attachment_or_404(attachment_id: int) -> Attachment:
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None:
        abort(404)
    visit_content_or_404(attachment.visit_id)
    return attachment
