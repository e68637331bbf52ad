"""Access requests: what needs a second person's approval, and what deciding does.

No one reads alone what they granted themselves. An administrator who
creates an account with a content-reading role, raises an account's role to
one, or resets a content reader's password or second factor, and a team
member who adds someone from outside the lead's standing teams to a visit,
each leave an ``AccessRequest`` (``visits.models.access``). Until a
supervisor other than the requester and the account concerned approves it,
the account reads no visit content at all (``User.awaiting_approval``), or,
for a team addition, nothing of that visit (``VisitMember.awaiting_approval``);
``visits.access.rules`` reads those two flags.

Refusing undoes what the change could have given:

- a team addition: the person is taken off the visit's team;
- a raised role: the account gets its previous role back;
- a new account: it is deactivated, and its credentials are locked;
- a password or second-factor reset: the credentials are locked.

"Locked" means the password is replaced by a random one nobody knows and
every session ends: whoever made the refused change and saw the temporary
password can no longer use it, and the person comes back in through a new
password reset, approved in its turn.

An account created by the server's operator (``flask create-user``,
``flask seed-demo``: ``requested_by`` None in the admin services) needs no
approval: whoever has the server is the root of trust.

Services here flush; the view or command commits. Who may decide is an
access rule (``visits.access.approvals``), checked at the boundary.
"""

from __future__ import annotations

import secrets

from flask_babel import gettext as _
from sqlalchemy import exists, func, select

from visits import audit
from visits.auth.passwords import hash_password
from visits.errors import Invalid, WrongState
from visits.extensions import db
from visits.models import (
    AccessKind,
    AccessRequest,
    RequestStatus,
    Role,
    Team,
    TeamMember,
    User,
    Visit,
    VisitMember,
)
from visits.models.access import ACCOUNT_KINDS
from visits.models.base import utcnow

# What a supervisor must write when refusing, at most.
REASON_MAX_LENGTH = 500


class NoApproverYet(WrongState):
    """Nobody but the requester or the account itself could approve this change."""


# How much visit content each role reads: all but identities, its teams', none.
_CONTENT_RANK = {Role.SUPERVISOR: 2, Role.MONITOR: 1, Role.ADMIN: 0}


def reads_content(role: Role) -> bool:
    return _CONTENT_RANK[role] > 0


def raises_access(previous: Role | None, role: Role) -> bool:
    """True when ``role`` reads more visit content than ``previous`` (None: a new account)."""
    return _CONTENT_RANK[role] > (_CONTENT_RANK[previous] if previous is not None else 0)


def approvers(*excluded: User | None) -> list[User]:
    """Supervisors who could decide a request: active, approved themselves, not ``excluded``."""
    query = select(User).where(
        User.role == Role.SUPERVISOR,
        User.active.is_(True),
        User.awaiting_approval.is_(False),
    )
    ids = [user.id for user in excluded if user is not None and user.id is not None]
    if ids:
        query = query.where(User.id.not_in(ids))
    return list(db.session.scalars(query))


def require_an_approver(role: Role, subject: User | None, requested_by: User) -> None:
    """Refuse to make a supervisor from the admin pages when no other supervisor can approve.

    The first supervisors come from the server's ``flask create-user``: the
    request would otherwise wait for ever, or tempt someone to approve it
    from the account it creates.
    """
    if role is Role.SUPERVISOR and not approvers(subject, requested_by):
        raise NoApproverYet(
            _(
                "No other supervisor could approve this yet. Create the first supervisors on "
                "the server with the command: flask create-user EMAIL --role supervisor"
            ),
            field="role",
        )


def request_access(
    kind: AccessKind,
    subject: User,
    requested_by: User,
    *,
    visit: Visit | None = None,
    previous_role: Role | None = None,
) -> AccessRequest:
    """Record a change that waits for approval; the account (or its place on ``visit``) waits."""
    request = AccessRequest(
        kind=kind,
        subject=subject,
        visit=visit,
        previous_role=previous_role,
        requested_by=requested_by,
        requested_at=utcnow(),
        status=RequestStatus.PENDING,
        note="",
    )
    db.session.add(request)
    if kind in ACCOUNT_KINDS:
        subject.awaiting_approval = True
    db.session.flush()
    audit.record(
        "access.request",
        subject,
        user_id=requested_by.id,
        request_id=request.id,
        kind=kind.value,
        visit_id=visit.id if visit is not None else None,
    )
    return request


def needs_team_approval(visit: Visit, person: User) -> bool:
    """True unless ``person`` is on one of the active standing teams of the visit's lead."""
    lead = visit.lead
    if lead is None:
        return True
    if lead.id == person.id:
        return False
    lead_teams = (
        select(TeamMember.team_id)
        .join(Team, Team.id == TeamMember.team_id)
        .where(TeamMember.user_id == lead.id, Team.active.is_(True))
    )
    shared = exists().where(TeamMember.user_id == person.id, TeamMember.team_id.in_(lead_teams))
    return not db.session.scalar(select(shared))


def pending_count() -> int:
    count = db.session.scalar(
        select(func.count(AccessRequest.id)).where(AccessRequest.status == RequestStatus.PENDING)
    )
    return int(count or 0)


def load(request_id: int) -> AccessRequest | None:
    return db.session.get(AccessRequest, request_id)


# --- Deciding ---------------------------------------------------------------------


def approve(request: AccessRequest, decided_by: User) -> AccessRequest:
    """The change stands: the account (or its place on the visit) reads content again."""
    _close(request, RequestStatus.APPROVED, decided_by)
    if request.kind is AccessKind.TEAM_ADDITION:
        member = _pending_member(request)
        if member is not None:
            member.awaiting_approval = False
    _settle(request.subject)
    _record("access.approve", request, decided_by)
    return request


def refuse(request: AccessRequest, decided_by: User, reason: str) -> AccessRequest:
    """Undo what the change could have given (see the module's docstring)."""
    reason = reason.strip()
    if not reason:
        raise Invalid(_("Say why you refuse: the account's owner will read it."), field="reason")
    if len(reason) > REASON_MAX_LENGTH:
        raise Invalid(
            _("Keep the reason under %(num)d characters.", num=REASON_MAX_LENGTH), field="reason"
        )
    _close(request, RequestStatus.REFUSED, decided_by, note=reason)
    subject = request.subject
    if request.kind is AccessKind.TEAM_ADDITION:
        member = _pending_member(request)
        if member is not None and request.visit is not None:
            request.visit.members.remove(member)
            db.session.delete(member)
    elif request.kind is AccessKind.ROLE_RAISED and request.previous_role is not None:
        subject.role = request.previous_role
    else:
        if request.kind is AccessKind.ACCOUNT_CREATED:
            subject.active = False
        _lock_credentials(subject)
    _settle(subject)
    _record("access.refuse", request, decided_by)
    return request


def withdraw_team_addition(visit: Visit, member: VisitMember, by: User) -> None:
    """The person left the team before anyone decided: nothing is left to decide."""
    if not member.awaiting_approval:
        return
    for request in db.session.scalars(
        select(AccessRequest).where(
            AccessRequest.kind == AccessKind.TEAM_ADDITION,
            AccessRequest.status == RequestStatus.PENDING,
            AccessRequest.visit_id == visit.id,
            AccessRequest.subject_id == member.user_id,
        )
    ):
        _close(request, RequestStatus.WITHDRAWN, by)
        _record("access.withdraw", request, by)


def _close(request: AccessRequest, status: RequestStatus, decided_by: User, note: str = "") -> None:
    if not request.is_pending:
        raise WrongState(
            _("This request was already decided: %(status)s.", status=request.status.label)
        )
    request.status = status
    request.decided_by = decided_by
    request.decided_at = utcnow()
    request.note = note


def _pending_member(request: AccessRequest) -> VisitMember | None:
    if request.visit is None:
        return None
    return next(
        (
            member
            for member in request.visit.members
            if member.user_id == request.subject_id and member.awaiting_approval
        ),
        None,
    )


def _lock_credentials(user: User) -> None:
    """A password nobody knows, and every session ended."""
    user.password_hash = hash_password(secrets.token_urlsafe(32))
    user.must_change_password = True
    user.end_all_sessions()


def _settle(subject: User) -> None:
    """The account waits while any request about the account itself is still pending."""
    db.session.flush()
    still_pending = exists().where(
        AccessRequest.subject_id == subject.id,
        AccessRequest.status == RequestStatus.PENDING,
        AccessRequest.kind.in_(ACCOUNT_KINDS),
    )
    subject.awaiting_approval = bool(db.session.scalar(select(still_pending)))


def _record(action: str, request: AccessRequest, by: User) -> None:
    """On the account's own row, so that its owner is told at their next sign-in."""
    audit.record(
        action,
        request.subject,
        user_id=by.id,
        request_id=request.id,
        kind=request.kind.value,
        visit_id=request.visit_id,
    )
