"""What others did to an account since its owner last signed in, told once at sign-in.

The source is the audit trail: every change an administrator or a
supervisor makes to an account is recorded on the account's own row
(``object_type`` "users"), and so are the access requests about it and
their decisions (``visits.approvals.requests``). At sign-in, the events on
that row since the owner's previous sign-in, made by someone else, become
messages in the owner's language: a password reset nobody asked for, or a
place on a visit team, does not go unnoticed.

Shown once: the messages are flashed, and the browser session remembers the
sign-in they were shown for, so that the steps after signing in (a new
password, a second factor) do not repeat them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import flash, session
from flask_babel import force_locale, format_datetime, ngettext
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from visits.extensions import db
from visits.i18n import select_locale
from visits.models import AccessKind, AccessRequest, AuditEvent, Role, User, Visit

# Told at most, newest first; older ones are counted.
SHOWN = 10
SIGN_IN_ACTION = "auth.sign_in"
SESSION_KEY = "account_notices_shown_for"


def flash_account_changes(user: User) -> None:
    """Flash what others did to ``user``'s account since their previous sign-in, once."""
    sign_ins = list(
        db.session.scalars(
            select(AuditEvent.id)
            .where(
                AuditEvent.action == SIGN_IN_ACTION,
                AuditEvent.object_type == "users",
                AuditEvent.object_id == user.id,
            )
            .order_by(AuditEvent.id.desc())
            .limit(2)
        )
    )
    if not sign_ins or session.get(SESSION_KEY) == sign_ins[0]:
        return
    session[SESSION_KEY] = sign_ins[0]
    since = sign_ins[1] if len(sign_ins) > 1 else 0
    events = list(
        db.session.scalars(
            select(AuditEvent)
            .options(selectinload(AuditEvent.user))
            .where(
                AuditEvent.object_type == "users",
                AuditEvent.object_id == user.id,
                AuditEvent.id > since,
                AuditEvent.user_id.is_not(None),
                AuditEvent.user_id != user.id,
            )
            .order_by(AuditEvent.id.desc())
        )
    )
    with force_locale(select_locale()):
        messages = _messages(events[:SHOWN])
        if len(events) > SHOWN:
            left = len(events) - SHOWN
            messages.append(
                ngettext(
                    "%(num)d earlier change to your account is in the audit trail.",
                    "%(num)d earlier changes to your account are in the audit trail.",
                    left,
                )
            )
        if user.awaiting_approval:
            messages.append(
                _(
                    "You cannot read visit content until a supervisor approves what was done "
                    "to your account."
                )
            )
    for message in messages:
        flash(message, "warning")


def _messages(events: list[AuditEvent]) -> list[str]:
    requests = _requests_of(events)
    messages = []
    for event in reversed(events):
        details: dict[str, Any] = json.loads(event.details or "{}")
        request = requests.get(details.get("request_id") or 0)
        describe = _DESCRIBE.get(event.action)
        if describe is None or event.user is None:
            continue
        message = describe(
            who=event.user.display_name,
            date=format_datetime(event.created_at, "short"),
            details=details,
            request=request,
        )
        if message:
            messages.append(message)
    return messages


def _requests_of(events: list[AuditEvent]) -> dict[int, AccessRequest]:
    ids = {
        json.loads(event.details or "{}").get("request_id")
        for event in events
        if event.action.startswith("access.")
    } - {None}
    if not ids:
        return {}
    query = (
        select(AccessRequest)
        .options(selectinload(AccessRequest.visit).selectinload(Visit.place))
        .where(AccessRequest.id.in_(ids))
    )
    return {request.id: request for request in db.session.scalars(query)}


def _role_label(value: Any) -> str:
    role = Role.parse(value)
    return str(role.label) if role is not None else str(value)


def _visit_name(request: AccessRequest | None) -> str:
    if request is None or request.visit is None:
        return ""
    return f"{request.visit.reference} ({request.visit.place.name})"


def _created(who: str, date: str, details: dict[str, Any], **rest: Any) -> str:
    return _(
        "%(who)s created your account on %(date)s, with the role %(role)s.",
        who=who,
        date=date,
        role=_role_label(details.get("role")),
    )


def _role_changed(who: str, date: str, details: dict[str, Any], **rest: Any) -> str:
    return _(
        "%(who)s changed your role from %(old)s to %(new)s on %(date)s.",
        who=who,
        date=date,
        old=_role_label(details.get("from")),
        new=_role_label(details.get("to")),
    )


def _password_reset(who: str, date: str, **rest: Any) -> str:
    return _("%(who)s reset your password on %(date)s.", who=who, date=date)


def _two_factor_reset(who: str, date: str, **rest: Any) -> str:
    return _("%(who)s removed your second factor on %(date)s.", who=who, date=date)


def _two_factor_required(who: str, date: str, details: dict[str, Any], **rest: Any) -> str:
    if details.get("required"):
        return _(
            "%(who)s required a second factor for your account on %(date)s.", who=who, date=date
        )
    return _(
        "%(who)s stopped requiring a second factor for your account on %(date)s.",
        who=who,
        date=date,
    )


def _sessions_ended(who: str, date: str, **rest: Any) -> str:
    return _("%(who)s signed your account out on every device on %(date)s.", who=who, date=date)


def _reactivated(who: str, date: str, **rest: Any) -> str:
    return _("%(who)s reactivated your account on %(date)s.", who=who, date=date)


def _requested(who: str, date: str, request: AccessRequest | None, **rest: Any) -> str:
    """Only a team addition says more than the change it waits for (told apart)."""
    if request is None or request.kind is not AccessKind.TEAM_ADDITION:
        return ""
    return _(
        "%(who)s added you to the team of visit %(visit)s on %(date)s: you will see its "
        "content once a supervisor approves.",
        who=who,
        date=date,
        visit=_visit_name(request),
    )


def _approved(who: str, date: str, request: AccessRequest | None, **rest: Any) -> str:
    if request is None:
        return ""
    visit = _visit_name(request)
    match request.kind:
        case AccessKind.ACCOUNT_CREATED:
            return _("%(who)s approved your new account on %(date)s.", who=who, date=date)
        case AccessKind.ROLE_RAISED:
            return _("%(who)s approved your new role on %(date)s.", who=who, date=date)
        case AccessKind.PASSWORD_RESET:
            return _("%(who)s approved the reset of your password on %(date)s.", who=who, date=date)
        case AccessKind.TWO_FACTOR_RESET:
            return _(
                "%(who)s approved the removal of your second factor on %(date)s.",
                who=who,
                date=date,
            )
    return _(
        "%(who)s approved your place on the team of visit %(visit)s on %(date)s.",
        who=who,
        date=date,
        visit=visit,
    )


def _refused(who: str, date: str, request: AccessRequest | None, **rest: Any) -> str:
    if request is None:
        return ""
    reason, visit = request.note, _visit_name(request)
    match request.kind:
        case AccessKind.ACCOUNT_CREATED:
            return _(
                "%(who)s refused your new account on %(date)s: %(reason)s",
                who=who,
                date=date,
                reason=reason,
            )
        case AccessKind.ROLE_RAISED:
            return _(
                "%(who)s refused your new role on %(date)s, and your previous role came back: "
                "%(reason)s",
                who=who,
                date=date,
                reason=reason,
            )
        case AccessKind.PASSWORD_RESET:
            return _(
                "%(who)s refused the reset of your password on %(date)s: %(reason)s",
                who=who,
                date=date,
                reason=reason,
            )
        case AccessKind.TWO_FACTOR_RESET:
            return _(
                "%(who)s refused the removal of your second factor on %(date)s: %(reason)s",
                who=who,
                date=date,
                reason=reason,
            )
    return _(
        "%(who)s refused your place on the team of visit %(visit)s on %(date)s: %(reason)s",
        who=who,
        date=date,
        visit=visit,
        reason=reason,
    )


_DESCRIBE: dict[str, Callable[..., str]] = {
    "user.create": _created,
    "user.role_change": _role_changed,
    "user.password_reset": _password_reset,
    "user.two_factor_reset": _two_factor_reset,
    "user.two_factor_required": _two_factor_required,
    "user.sessions_ended": _sessions_ended,
    "user.reactivate": _reactivated,
    "access.request": _requested,
    "access.approve": _approved,
    "access.refuse": _refused,
}
