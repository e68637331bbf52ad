"""Standing teams: administrators create them, choose members and a lead, deactivate them."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.support import Account, AuthActions, counting_queries
from visits.admin import teams
from visits.errors import Invalid
from visits.extensions import db
from visits.models import AuditEvent, Role, Team, TeamMember


def text_of(response: Any) -> str:
    return str(response.get_data(as_text=True))


@pytest.fixture
def as_admin(auth: AuthActions, admin: Account) -> AuthActions:
    auth.login(admin)
    return auth


def team_state(app: Flask, team_id: int) -> tuple[str, int | None, list[int], bool]:
    with app.app_context():
        team = db.session.get(Team, team_id)
        assert team is not None
        return team.name, team.lead_id, [m.user_id for m in team.members], team.active


def audit_of(app: Flask, prefix: str) -> list[tuple[str, dict[str, Any]]]:
    with app.app_context():
        rows = db.session.execute(
            select(AuditEvent.action, AuditEvent.details)
            .where(AuditEvent.action.startswith(prefix))
            .order_by(AuditEvent.id)
        ).all()
        return [(action, json.loads(details)) for action, details in rows]


def new_team(as_admin: AuthActions, name: str) -> int:
    response = as_admin.post("/admin/teams/new", {"name_en": name})
    assert response.status_code == 302, text_of(response)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def test_admin_builds_a_team_with_members_and_a_lead(
    app: Flask, as_admin: AuthActions, monitor: Account, supervisor: Account
) -> None:
    team_id = new_team(as_admin, "  North ")
    page = text_of(as_admin.client.get(f"/admin/teams/{team_id}"))
    assert "Mira Monitor" in page  # offered as a member

    assert as_admin.post(f"/admin/teams/{team_id}/members", {"user_id": monitor.id}).status_code
    as_admin.post(f"/admin/teams/{team_id}/members", {"user_id": supervisor.id})
    saved = as_admin.post(f"/admin/teams/{team_id}", {"name_en": "North", "lead_id": monitor.id})

    assert saved.status_code == 302
    assert team_state(app, team_id) == ("North", monitor.id, [monitor.id, supervisor.id], True)
    listing = text_of(as_admin.client.get("/admin/teams"))
    assert "North" in listing
    assert "Mira Monitor, Sara Supervisor" in listing
    assert audit_of(app, "team.") == [
        ("team.create", {"name": "North"}),
        ("team.member_add", {"member_user_id": monitor.id}),
        ("team.member_add", {"member_user_id": supervisor.id}),
        ("team.update", {"fields": ["lead_id"]}),
    ]


def test_the_lead_must_be_a_member(
    app: Flask, as_admin: AuthActions, monitor: Account, supervisor: Account
) -> None:
    team_id = new_team(as_admin, "North")
    as_admin.post(f"/admin/teams/{team_id}/members", {"user_id": monitor.id})

    response = as_admin.post(
        f"/admin/teams/{team_id}", {"name_en": "Renamed", "lead_id": supervisor.id}
    )

    # The lead is offered among the members only: anyone else is not a valid choice.
    assert response.status_code == 422
    assert 'value="Renamed"' in text_of(response)
    assert team_state(app, team_id) == ("North", None, [monitor.id], True)
    with app.test_request_context():
        team = db.session.get(Team, team_id)
        assert team is not None
        with pytest.raises(Invalid):
            teams.update_team(team, {"name_en": "North"}, supervisor.id)


def test_team_names_are_unique_whatever_the_case(app: Flask, as_admin: AuthActions) -> None:
    new_team(as_admin, "North")
    south = new_team(as_admin, "South")

    duplicate = as_admin.post("/admin/teams/new", {"name_en": "north"})
    rename = as_admin.post(f"/admin/teams/{south}", {"name_en": "NORTH", "lead_id": ""})

    assert duplicate.status_code == rename.status_code == 422
    assert "A team with this name already exists." in text_of(duplicate)
    assert "A team with this name already exists." in text_of(rename)
    assert team_state(app, south)[0] == "South"


def test_members_are_added_once_and_admins_are_not_members(
    app: Flask,
    as_admin: AuthActions,
    admin: Account,
    monitor: Account,
    make_user: Callable[..., Account],
) -> None:
    gone = make_user(Role.MONITOR, name="Former Monitor", active=False)
    team_id = new_team(as_admin, "North")
    as_admin.post(f"/admin/teams/{team_id}/members", {"user_id": monitor.id})
    page = text_of(as_admin.client.get(f"/admin/teams/{team_id}"))

    twice = as_admin.post(f"/admin/teams/{team_id}/members", {"user_id": monitor.id})
    administrator = as_admin.post(f"/admin/teams/{team_id}/members", {"user_id": admin.id})
    inactive = as_admin.post(f"/admin/teams/{team_id}/members", {"user_id": gone.id})

    assert "Former Monitor" not in page
    assert twice.status_code == administrator.status_code == inactive.status_code == 422
    assert team_state(app, team_id)[2] == [monitor.id]


def test_removing_a_member_but_never_the_lead(
    app: Flask, as_admin: AuthActions, monitor: Account, supervisor: Account
) -> None:
    team_id = new_team(as_admin, "North")
    for person in (monitor, supervisor):
        as_admin.post(f"/admin/teams/{team_id}/members", {"user_id": person.id})
    as_admin.post(f"/admin/teams/{team_id}", {"name_en": "North", "lead_id": monitor.id})
    with app.app_context():
        members = {
            m.user_id: m.id
            for m in db.session.scalars(select(TeamMember).where(TeamMember.team_id == team_id))
        }

    lead = as_admin.post(f"/admin/teams/{team_id}/members/{members[monitor.id]}/remove")
    other = as_admin.post(f"/admin/teams/{team_id}/members/{members[supervisor.id]}/remove")
    unknown = as_admin.post(f"/admin/teams/{team_id}/members/999999/remove")

    assert lead.status_code == 409
    assert "choose another lead first" in text_of(lead)
    assert other.status_code == 302
    assert unknown.status_code == 404
    assert team_state(app, team_id)[2] == [monitor.id]
    assert audit_of(app, "team.member_remove") == [
        ("team.member_remove", {"member_user_id": supervisor.id})
    ]


def test_a_member_of_another_team_cannot_be_removed_through_this_one(
    app: Flask, as_admin: AuthActions, monitor: Account
) -> None:
    north = new_team(as_admin, "North")
    south = new_team(as_admin, "South")
    as_admin.post(f"/admin/teams/{north}/members", {"user_id": monitor.id})
    with app.app_context():
        member_id = db.session.scalar(select(TeamMember.id).where(TeamMember.team_id == north))

    response = as_admin.post(f"/admin/teams/{south}/members/{member_id}/remove")

    assert response.status_code == 404
    assert team_state(app, north)[2] == [monitor.id]


def test_deactivating_and_reactivating_a_team(app: Flask, as_admin: AuthActions) -> None:
    team_id = new_team(as_admin, "North")

    off = as_admin.post(f"/admin/teams/{team_id}/deactivate")
    twice = as_admin.post(f"/admin/teams/{team_id}/deactivate")
    listing = text_of(as_admin.client.get("/admin/teams"))
    on = as_admin.post(f"/admin/teams/{team_id}/reactivate")

    assert off.status_code == 302
    assert on.status_code == 302
    assert twice.status_code == 409
    assert "Deactivated" in listing
    assert team_state(app, team_id)[3] is True
    assert [details for action, details in audit_of(app, "team.update")] == [
        {"fields": ["active"], "active": False},
        {"fields": ["active"], "active": True},
    ]


def test_only_administrators_manage_teams(
    client_as: Callable[[Account | None], FlaskClient],
    monitor: Account,
    supervisor: Account,
) -> None:
    for person in (monitor, supervisor):
        auth = AuthActions(client_as(person))
        assert auth.client.get("/admin/teams").status_code == 403
        assert auth.post("/admin/teams/new", {"name_en": "Mine"}).status_code == 403


def test_team_list_makes_as_many_queries_for_many_teams_as_for_few(
    app: Flask, as_admin: AuthActions, make_user: Callable[..., Account]
) -> None:
    def queries() -> int:
        with counting_queries(app) as statements:
            assert as_admin.client.get("/admin/teams").status_code == 200
        return len(statements)

    def make_teams(names: list[str]) -> None:
        for name in names:
            team_id = new_team(as_admin, name)
            for number in range(3):
                person = make_user(Role.MONITOR, name=f"{name} member {number}")
                as_admin.post(f"/admin/teams/{team_id}/members", {"user_id": person.id})

    make_teams(["North", "South"])
    few = queries()
    make_teams([f"Team {number}" for number in range(8)])
    assert "10 teams" in text_of(as_admin.client.get("/admin/teams"))
    assert queries() == few


def test_seed_demo_makes_teams_north_and_south(app: Flask) -> None:
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed-demo", "--password", "demo passphrase 42"]).exit_code == 0
    assert runner.invoke(args=["seed-demo", "--password", "demo passphrase 42"]).exit_code == 0

    with app.app_context():
        made = {
            team.name: (
                team.lead.email if team.lead else None,
                [m.user.email for m in team.members],
            )
            for team in db.session.scalars(teams.listing())
        }
    assert made == {
        "North": ("monitor1@npm.example", ["monitor1@npm.example"]),
        "South": ("monitor2@npm.example", ["monitor2@npm.example"]),
    }
