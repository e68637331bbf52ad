"""Who may decide an access request: a second person, never the one who gains or asked.

A supervisor decides (the ``approve_access`` permission, which a supervisor
whose own account awaits approval does not hold), about someone else, and
not a request they made. Administrators never decide: they are the ones who
ask.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from visits.access.roles import can
from visits.errors import NotAllowed, NotFound
from visits.extensions import db
from visits.models import AccessRequest


def can_decide(user: Any, request: AccessRequest) -> bool:
    """May approve or refuse this request: not about themselves, not asked by themselves."""
    return can(user, "approve_access") and user.id not in {
        request.subject_id,
        request.requested_by_id,
    }


def request_to_decide(user: Any, request_id: int) -> AccessRequest:
    """The request, or 404; 403 when ``user`` may not decide it."""
    request = db.session.get(AccessRequest, request_id)
    if request is None:
        raise NotFound
    if not can_decide(user, request):
        raise NotAllowed(
            _(
                "Another supervisor decides this: not the person who asked for it, "
                "nor the person it is about."
            )
        )
    return request
