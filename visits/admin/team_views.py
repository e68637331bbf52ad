"""Teams: the list, a new team, a team's page (name, lead, members), deactivation.

Every change asks for the password again when it was given long ago: a
standing team is whom a visit's lead brings along without approval.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from visits.access import requires
from visits.admin import bp, teams
from visits.admin.forms import NewTeamForm, TeamForm, TeamMemberForm
from visits.auth.reauth import recent_authentication
from visits.errors import NotFound
from visits.forms import EmptyForm, Form, render_form
from visits.models import Team
from visits.web.boundary import commit, commit_once, commit_or_refuse
from visits.web.marks import form_view
from visits.web.pagination import paginate

TEAMS_PER_PAGE = 25


def team_or_404(team_id: int) -> Team:
    team = teams.load(team_id)
    if team is None:
        raise NotFound
    return team


def _page_of(team: Team) -> str:
    return url_for("admin.team", team_id=team.id)


def _team_form(team: Team) -> TeamForm:
    form = TeamForm(
        formdata=None,
        name_ky=team.name_ky,
        name_ru=team.name_ru,
        name_en=team.name_en,
        lead_id=str(team.lead_id) if team.lead_id is not None else "",
    )
    form.offer_members(team.members)
    return form


def _member_form(team: Team) -> TeamMemberForm:
    form = TeamMemberForm(formdata=None)
    form.offer_people(teams.candidates(team))
    return form


def _team_page(
    team: Team,
    team_form: TeamForm | None = None,
    member_form: TeamMemberForm | None = None,
) -> tuple[str, int]:
    """The team page; the form that was posted, if any, sets the status."""
    posted: Form = team_form or member_form or EmptyForm(formdata=None)
    return render_form(
        "admin/team.html",
        posted,
        team=team,
        team_form=team_form or _team_form(team),
        member_form=member_form or _member_form(team),
        action_form=EmptyForm(formdata=None),
    )


@bp.route("/teams")
@requires("manage_users")
def teams_index() -> str:
    """The standing teams, active ones first, with their lead and members."""
    page = paginate(teams.listing(), per_page=TEAMS_PER_PAGE)
    return render_template("admin/teams.html", page=page)


@bp.route("/teams/new", methods=["GET", "POST"])
@requires("manage_users")
@recent_authentication()
@form_view
def new_team() -> Response | tuple[str, int]:
    """Create a team; members and a lead are added on its page."""
    form = NewTeamForm()
    if form.validate_on_submit():
        team = commit_once(form, _page_of, teams.create_team, form.names())
        if team is not None:
            flash(_("Team %(name)s created. Now add its members.", name=team.name), "success")
            return redirect(url_for("admin.team", team_id=team.id))
    return render_form("admin/team_new.html", form)


@bp.get("/teams/<int:team_id>")
@requires("manage_users")
def team(team_id: int) -> tuple[str, int]:
    """A team: its name and lead, its members, who can be added."""
    return _team_page(team_or_404(team_id))


@bp.post("/teams/<int:team_id>")
@requires("manage_users")
@recent_authentication()
@form_view
def update_team(team_id: int) -> Response | tuple[str, int]:
    """Rename a team or choose its lead among its members."""
    team = team_or_404(team_id)
    form = TeamForm()
    form.offer_members(team.members)
    if form.validate_on_submit():
        lead = int(form.lead_id.data) if form.lead_id.data else None
        changed = commit_or_refuse(form, teams.update_team, team, form.names(), lead)
        if changed is not None:
            if changed:
                flash(_("Team %(name)s saved.", name=team.name), "success")
            return redirect(url_for("admin.team", team_id=team.id))
        team = team_or_404(team_id)
    return _team_page(team, team_form=form)


@bp.route("/teams/<int:team_id>/members", methods=["POST"])
@requires("manage_users")
@recent_authentication()
@form_view
def add_team_member(team_id: int) -> Response | tuple[str, int]:
    """Add a monitor or supervisor to the team."""
    team = team_or_404(team_id)
    form = TeamMemberForm()
    form.offer_people(teams.candidates(team))
    if form.validate_on_submit():
        member = commit_once(
            form, _page_of(team), teams.add_member, team, int(form.user_id.data or 0)
        )
        if member is not None:
            flash(
                _("%(name)s joined team %(team)s.", name=member.user.display_name, team=team.name),
                "success",
            )
            return redirect(url_for("admin.team", team_id=team.id))
        team = team_or_404(team_id)
    return _team_page(team, member_form=form)


@bp.route("/teams/<int:team_id>/members/<int:team_member_id>/remove", methods=["POST"])
@requires("manage_users")
@recent_authentication()
def remove_team_member(team_id: int, team_member_id: int) -> Response:
    """Take someone off the team (never its lead: choose another lead first)."""
    team = team_or_404(team_id)
    member = next((m for m in team.members if m.id == team_member_id), None)
    if member is None:
        raise NotFound
    name = member.user.display_name
    commit(teams.remove_member, team, member)
    flash(_("%(name)s is no longer on team %(team)s.", name=name, team=team.name), "success")
    return redirect(url_for("admin.team", team_id=team.id))


@bp.route("/teams/<int:team_id>/deactivate", methods=["POST"])
@requires("manage_users")
@recent_authentication()
def deactivate_team(team_id: int) -> Response:
    """Deactivate a team that no longer works together; it is kept, and can come back."""
    team = team_or_404(team_id)
    commit(teams.set_active, team, False)
    flash(_("Team %(name)s is deactivated.", name=team.name), "success")
    return redirect(url_for("admin.teams_index"))


@bp.route("/teams/<int:team_id>/reactivate", methods=["POST"])
@requires("manage_users")
@recent_authentication()
def reactivate_team(team_id: int) -> Response:
    """Bring a deactivated team back."""
    team = team_or_404(team_id)
    commit(teams.set_active, team, True)
    flash(_("Team %(name)s is active again.", name=team.name), "success")
    return redirect(url_for("admin.team", team_id=team.id))
