"""Standing teams of the NPM (North, South, ...): rules, testable without HTTP.

A team has a name (in Kyrgyz, Russian and English, one at least), members
(monitors and supervisors) and a lead chosen among its members. Teams are
deactivated, never deleted. Every change is audited. Services flush; the
view or command commits.

A standing team is also whom a visit's lead may bring along: adding a
member of the lead's active teams to a visit needs no approval, adding
anyone else does (``visits.approvals.requests.needs_team_approval``).
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from visits.audit import changed_fields, record
from visits.errors import Invalid, WrongState
from visits.extensions import db
from visits.models import Role, Team, TeamMember, User
from visits.models.names import clean_names

# Who can be on a team: administrators manage accounts, they do not visit.
MEMBER_ROLES = (Role.MONITOR, Role.SUPERVISOR)


def listing() -> Select[Team]:
    """Teams by name, active ones first, with their lead and members eager-loaded."""
    return (
        select(Team)
        .options(
            selectinload(Team.lead),
            selectinload(Team.members).selectinload(TeamMember.user),
        )
        .order_by(Team.active.desc(), func.lower(Team.name), Team.id)
    )


def load(team_id: int) -> Team | None:
    return db.session.get(
        Team,
        team_id,
        options=[
            selectinload(Team.lead),
            selectinload(Team.members).selectinload(TeamMember.user),
        ],
    )


def _check_names(names: dict[str, str], team: Team | None = None) -> dict[str, str | None]:
    """The names stripped, at least one, none used by another team in any language."""
    cleaned = clean_names(**names)
    if not any(cleaned.values()):
        raise Invalid(_("Enter the name in at least one language."), field="name_ky")
    columns = (Team.name_ky, Team.name_ru, Team.name_en)
    for field, name in cleaned.items():
        if name is None:
            continue
        query = select(Team.id).where(or_(*(func.lower(c) == name.lower() for c in columns)))
        if team is not None:
            query = query.where(Team.id != team.id)
        if db.session.scalar(query) is not None:
            raise Invalid(_("A team with this name already exists."), field=field)
    return cleaned


def _name(team: Team, names: dict[str, str | None]) -> None:
    for column, name in names.items():
        setattr(team, column, name)


def create_team(names: dict[str, str]) -> Team:
    """A new team named ``names`` (``name_ky``, ``name_ru``, ``name_en``; one at least)."""
    team = Team()
    _name(team, _check_names(names))
    db.session.add(team)
    db.session.flush()
    record("team.create", team, name=team.name)
    return team


def update_team(team: Team, names: dict[str, str], lead_id: int | None) -> bool:
    """Rename the team and choose its lead among its members; False when nothing changed."""
    _name(team, _check_names(names, team))
    if lead_id is not None and lead_id not in {member.user_id for member in team.members}:
        raise Invalid(_("The lead must be a member of the team."), field="lead_id")
    team.lead_id = lead_id
    fields = changed_fields(team)
    if not fields:
        return False
    record("team.update", team, fields=fields)
    db.session.flush()
    return True


def candidates(team: Team) -> list[User]:
    """Active monitors and supervisors not on the team yet, by name."""
    query = (
        select(User)
        .where(
            User.active.is_(True),
            User.role.in_(MEMBER_ROLES),
            User.id.not_in(select(TeamMember.user_id).where(TeamMember.team_id == team.id)),
        )
        .order_by(func.lower(User.display_name), User.id)
    )
    return list(db.session.scalars(query))


def add_member(team: Team, user_id: int) -> TeamMember:
    person = db.session.get(User, user_id)
    if person is None or not person.active or person.role not in MEMBER_ROLES:
        raise Invalid(_("Choose an active monitor or supervisor."), field="user_id")
    if any(member.user_id == person.id for member in team.members):
        raise Invalid(_("%(name)s is already on the team.", name=person.display_name))
    member = TeamMember(team=team, user=person)
    db.session.add(member)
    db.session.flush()
    record("team.member_add", team, member_user_id=person.id)
    db.session.flush()
    return member


def remove_member(team: Team, member: TeamMember) -> None:
    """Take someone off the team; never its lead (choose another lead first)."""
    if team.lead_id == member.user_id:
        raise WrongState(
            _("%(name)s leads the team: choose another lead first.", name=member.user.display_name)
        )
    user_id = member.user_id
    db.session.delete(member)
    record("team.member_remove", team, member_user_id=user_id)
    db.session.flush()


def set_active(team: Team, active: bool) -> None:
    """Deactivate or reactivate a team; refused when it already is."""
    if team.active is active:
        if active:
            raise WrongState(_("This team is active already."))
        raise WrongState(_("This team is already deactivated."))
    team.active = active
    record("team.update", team, fields=["active"], active=active)
    db.session.flush()


def ensure_team(names: dict[str, str], lead_email: str) -> bool:
    """Make the team ``names`` led by the account ``lead_email`` unless it exists (demo data)."""
    cleaned = {column: name for column, name in clean_names(**names).items() if name}
    taken = select(Team.id).where(
        or_(*(getattr(Team, column) == name for column, name in cleaned.items()))
    )
    if db.session.scalar(taken) is not None:
        return False
    lead = db.session.scalars(User.by_email(lead_email)).first()
    if lead is None:
        return False
    team = create_team(names)
    add_member(team, lead.id)
    update_team(team, names, lead.id)
    return True
