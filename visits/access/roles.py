"""What each role may do, whatever the object: the one place roles are read.

Rules that depend on the object (a visit's team, its state, a finding's
review) are in ``visits.access.rules``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask_login import current_user

from visits.errors import NotAllowed
from visits.models import Role

F = TypeVar("F", bound=Callable[..., Any])

PERMISSIONS: dict[str, frozenset[Role]] = {
    "manage_users": frozenset({Role.ADMIN}),
    # Regions, place types, authorities and the places registry.
    "edit_reference": frozenset({Role.SUPERVISOR, Role.ADMIN}),
    "edit_plan": frozenset({Role.SUPERVISOR, Role.ADMIN}),
    "edit_checklists": frozenset({Role.SUPERVISOR, Role.ADMIN}),
    # A monitor who creates a visit becomes its lead.
    "create_visit": frozenset({Role.MONITOR, Role.SUPERVISOR}),
    # Approve or return visits, accept or return findings.
    "review": frozenset({Role.SUPERVISOR}),
    # The audit trail: who did what, never the confidential content itself.
    "view_audit": frozenset({Role.SUPERVISOR, Role.ADMIN}),
    # In the trail, the details of events on visit content (fields written,
    # allegation flags, decisions, reprisal links) and the free text of any
    # event (a deletion's reason): administrators manage access, not content.
    "read_audit_details": frozenset({Role.SUPERVISOR}),
    # See deleted visits and content, and restore them.
    "restore": frozenset({Role.SUPERVISOR}),
    # Approve or refuse a change that would let an account read content.
    "approve_access": frozenset({Role.SUPERVISOR}),
    # The recommendations list (which ones each reader sees: visits.access.rules).
    "see_recommendations": frozenset({Role.MONITOR, Role.SUPERVISOR}),
}


# What reaches visit content, or what is said of it: not for an account whose
# creation, raised role or reset credentials await a supervisor's approval.
CONTENT_PERMISSIONS = frozenset(
    {"create_visit", "review", "view_audit", "restore", "approve_access", "see_recommendations"}
)


def can(user: Any, permission: str) -> bool:
    """True when ``user`` holds ``permission``; the one place roles are read."""
    if permission not in PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}")
    if not user.is_authenticated or user.role not in PERMISSIONS[permission]:
        return False
    return permission not in CONTENT_PERMISSIONS or not user.awaiting_approval


def requires(permission: str) -> Callable[[F], F]:
    """Refuse the view with 403 unless the signed-in user holds ``permission``."""

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not can(current_user, permission):
                raise NotAllowed
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator
