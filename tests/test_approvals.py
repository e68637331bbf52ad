"""No one reads alone what they granted themselves: a second person approves.

An administrator who creates a content reader, raises a role, or resets a
content reader's password or second factor, and a team member who brings
someone from outside the lead's standing teams onto a visit, leave a request
that another supervisor decides; until then the account reads nothing (of
that visit, for a team addition).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.factories import World, add, build_world
from tests.support import Account, AuthActions, totp_code
from visits.extensions import db
from visits.models import AccessRequest, RequestStatus, Role, TeamMember, User, VisitMember
from visits.models.base import utcnow

TEMPORARY_PASSWORD = re.compile(r"<code>([A-Za-z0-9-]{19})</code>")
NEW_PASSWORD = "a passphrase of my own choosing"


@pytest.fixture
def world(app: Flask, monitor: Account) -> World:
    return build_world(app, monitor.id)


@pytest.fixture
def approver(make_user: Callable[..., Account]) -> Account:
    """A second supervisor: the one who approves."""
    return make_user(Role.SUPERVISOR, email="approver@test.example", name="Aibek Approver")


def text_of(response: object) -> str:
    return str(response.get_data(as_text=True))  # type: ignore[attr-defined]


def content_statuses(client: FlaskClient, world: World) -> set[int]:
    """What a confidential finding and an interview of the world's visit answer."""
    return {
        client.get(f"/findings/{world.finding_id}").status_code,
        client.get(f"/interviews/{world.interview_id}").status_code,
    }


def sign_in(app: Flask, email: str, password: str) -> FlaskClient:
    """Sign in; when a new password is required first, choose one."""
    client = app.test_client()
    auth = AuthActions(client)
    response = auth.login(email, password)
    assert response.status_code == 302, text_of(response)
    if response.headers["Location"] == "/auth/password":
        changed = auth.post(
            "/auth/password",
            {
                "current_password": password,
                "new_password": NEW_PASSWORD,
                "confirm_password": NEW_PASSWORD,
            },
        )
        assert changed.status_code == 302, text_of(changed)
    return client


def as_user(app: Flask, account: Account) -> AuthActions:
    return AuthActions(sign_in(app, account.email, account.password))


def pending_about(app: Flask, user_id: int) -> list[AccessRequest]:
    with app.app_context():
        requests = db.session.scalars(
            select(AccessRequest).where(
                AccessRequest.subject_id == user_id,
                AccessRequest.status == RequestStatus.PENDING,
            )
        ).all()
        db.session.expunge_all()
        return list(requests)


def the_request_about(app: Flask, user_id: int) -> int:
    pending = pending_about(app, user_id)
    assert len(pending) == 1, pending
    return pending[0].id


def user_row(app: Flask, user_id: int) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user is not None
        db.session.expunge(user)
        return user


def add_to_visit(auth: AuthActions, world: World, person_id: int) -> int:
    return auth.post(
        f"/visits/{world.visit_id}/team",
        {"user_id": str(person_id), "expertise": "general", "gender": "unstated"},
    ).status_code


# --- Until a second person approves, the account reads nothing ------------------------


def test_a_supervisor_an_admin_creates_reads_nothing_until_another_supervisor_approves(
    app: Flask, world: World, admin: Account, approver: Account
) -> None:
    created = as_user(app, admin).post(
        "/admin/users/new",
        {"email": "new.chief@test.example", "display_name": "New Chief", "role": "supervisor"},
    )
    assert created.status_code == 201
    assert "reads no visit content until a supervisor approves" in text_of(created)
    password = TEMPORARY_PASSWORD.search(text_of(created))
    assert password is not None
    newcomer = sign_in(app, "new.chief@test.example", password.group(1))
    newcomer_id = user_row_by_email(app, "new.chief@test.example")

    assert content_statuses(newcomer, world) == {404}
    assert newcomer.get("/deleted/").status_code == 403
    assert newcomer.get("/approvals/").status_code == 403

    request_id = the_request_about(app, newcomer_id)
    assert as_user(app, approver).post(f"/approvals/{request_id}/approve").status_code == 302
    assert content_statuses(newcomer, world) == {200}


def user_row_by_email(app: Flask, email: str) -> int:
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == email))
        assert user_id is not None
        return user_id


def test_a_supervisors_password_reset_by_an_admin_waits_for_approval(
    app: Flask, world: World, admin: Account, supervisor: Account, approver: Account
) -> None:
    assert content_statuses(as_user(app, supervisor).client, world) == {200}

    issued = as_user(app, admin).post(f"/admin/users/{supervisor.id}/reset-password")
    password = TEMPORARY_PASSWORD.search(text_of(issued))
    assert password is not None
    reset = sign_in(app, supervisor.email, password.group(1))

    assert content_statuses(reset, world) == {404}
    request_id = the_request_about(app, supervisor.id)
    as_user(app, approver).post(f"/approvals/{request_id}/approve")
    assert content_statuses(reset, world) == {200}


def test_a_supervisors_second_factor_reset_by_an_admin_waits_for_approval(
    app: Flask,
    world: World,
    admin: Account,
    approver: Account,
    make_user: Callable[..., Account],
) -> None:
    secret = pyotp.random_base32()
    chief = make_user(Role.SUPERVISOR, email="chief@test.example", totp_secret=secret)
    with_code = app.test_client()
    signed_in = AuthActions(with_code).login_with_code(chief, totp_code(secret, utcnow()))
    assert signed_in.status_code == 302
    assert content_statuses(with_code, world) == {200}

    assert as_user(app, admin).post(f"/admin/users/{chief.id}/two-factor/reset").status_code == 302
    password_only = sign_in(app, chief.email, chief.password)

    assert content_statuses(password_only, world) == {404}
    as_user(app, approver).post(f"/approvals/{the_request_about(app, chief.id)}/approve")
    assert content_statuses(password_only, world) == {200}


def test_a_raised_role_reads_nothing_until_approved(
    app: Flask, world: World, admin: Account, monitor: Account, approver: Account
) -> None:
    lead = as_user(app, monitor).client
    assert content_statuses(lead, world) == {200}

    raised = as_user(app, admin).post(f"/admin/users/{monitor.id}", {"role": "supervisor"})

    assert raised.status_code == 302
    assert user_row(app, monitor.id).role is Role.SUPERVISOR
    # Not even the visits of their own team: the whole account waits.
    assert content_statuses(lead, world) == {404}
    as_user(app, approver).post(f"/approvals/{the_request_about(app, monitor.id)}/approve")
    assert content_statuses(lead, world) == {200}


@pytest.mark.parametrize(
    ("before", "after", "waits"),
    [
        (Role.ADMIN, Role.MONITOR, True),
        (Role.ADMIN, Role.SUPERVISOR, True),
        (Role.MONITOR, Role.SUPERVISOR, True),
        (Role.SUPERVISOR, Role.MONITOR, False),
        (Role.MONITOR, Role.ADMIN, False),
    ],
)
def test_only_a_role_that_reads_more_content_waits(
    app: Flask,
    admin: Account,
    approver: Account,
    make_user: Callable[..., Account],
    before: Role,
    after: Role,
    waits: bool,
) -> None:
    account = make_user(before)
    as_user(app, admin).post(f"/admin/users/{account.id}", {"role": after.value})
    assert user_row(app, account.id).role is after
    assert user_row(app, account.id).awaiting_approval is waits
    assert len(pending_about(app, account.id)) == int(waits)


def test_an_outsider_added_to_a_visit_reads_nothing_of_it_until_approved(
    app: Flask, world: World, monitor: Account, outsider: Account, supervisor: Account
) -> None:
    newcomer = as_user(app, outsider).client
    assert content_statuses(newcomer, world) == {404}

    lead = as_user(app, monitor)
    assert add_to_visit(lead, world, outsider.id) == 302

    told = text_of(lead.client.get(f"/visits/{world.visit_id}"))
    assert "joins the team once a supervisor approves" in told
    assert content_statuses(newcomer, world) == {404}
    team = text_of(newcomer.get(f"/visits/{world.visit_id}"))
    assert "Awaiting approval" in team
    as_user(app, supervisor).post(f"/approvals/{the_request_about(app, outsider.id)}/approve")
    assert content_statuses(newcomer, world) == {200}


def test_a_member_of_the_leads_standing_team_joins_without_approval(
    app: Flask, world: World, monitor: Account, outsider: Account
) -> None:
    with app.app_context():
        add(TeamMember(team_id=world.team_id, user_id=outsider.id))
        db.session.commit()

    assert add_to_visit(as_user(app, monitor), world, outsider.id) == 302

    assert pending_about(app, outsider.id) == []
    assert content_statuses(as_user(app, outsider).client, world) == {200}


# --- Who decides ----------------------------------------------------------------------


def test_an_admin_cannot_approve_at_all(
    app: Flask, world: World, admin: Account, outsider: Account
) -> None:
    as_admin = as_user(app, admin)
    request_id = world.access_request_id

    assert as_admin.client.get("/approvals/").status_code == 403
    assert as_admin.post(f"/approvals/{request_id}/approve").status_code == 403
    assert as_admin.post(f"/approvals/{request_id}/refuse", {"reason": "No"}).status_code == 403
    assert [r.id for r in pending_about(app, request_subject(app, request_id))] == [request_id]


def request_subject(app: Flask, request_id: int) -> int:
    with app.app_context():
        request = db.session.get(AccessRequest, request_id)
        assert request is not None
        return request.subject_id


def test_a_supervisor_cannot_approve_their_own_place_on_a_team(
    app: Flask,
    world: World,
    monitor: Account,
    approver: Account,
    make_user: Callable[..., Account],
) -> None:
    other = make_user(Role.SUPERVISOR, email="other@test.example", name="Other Chief")
    add_to_visit(as_user(app, monitor), world, other.id)
    request_id = the_request_about(app, other.id)
    as_other = as_user(app, other)

    page = text_of(as_other.client.get("/approvals/"))
    refused = as_other.post(f"/approvals/{request_id}/approve")

    assert "you asked for it, or it is about you" in page
    assert refused.status_code == 403
    assert "not the person who asked for it, nor the person it is about" in text_of(refused)
    assert the_request_about(app, other.id) == request_id
    assert as_user(app, approver).post(f"/approvals/{request_id}/approve").status_code == 302
    assert pending_about(app, other.id) == []


def test_a_supervisor_cannot_approve_what_they_asked_for(
    app: Flask, world: World, supervisor: Account, approver: Account, outsider: Account
) -> None:
    as_supervisor = as_user(app, supervisor)
    add_to_visit(as_supervisor, world, outsider.id)
    request_id = the_request_about(app, outsider.id)

    assert as_supervisor.post(f"/approvals/{request_id}/approve").status_code == 403
    assert as_supervisor.client.get(f"/approvals/{request_id}/refuse").status_code == 403
    assert as_user(app, approver).post(f"/approvals/{request_id}/approve").status_code == 302


def test_a_supervisor_awaiting_approval_decides_nothing(
    app: Flask, world: World, admin: Account, supervisor: Account, approver: Account
) -> None:
    issued = as_user(app, admin).post(f"/admin/users/{supervisor.id}/reset-password")
    password = TEMPORARY_PASSWORD.search(text_of(issued))
    assert password is not None
    waiting = AuthActions(sign_in(app, supervisor.email, password.group(1)))

    assert waiting.client.get("/approvals/").status_code == 403
    assert waiting.post(f"/approvals/{world.access_request_id}/approve").status_code == 403
    assert waiting.client.get("/deleted/").status_code == 403


# --- Refusing undoes what the change could give --------------------------------------


def test_refusing_a_team_addition_takes_the_person_off_the_team(
    app: Flask, world: World, monitor: Account, outsider: Account, supervisor: Account
) -> None:
    add_to_visit(as_user(app, monitor), world, outsider.id)
    request_id = the_request_about(app, outsider.id)
    as_supervisor = as_user(app, supervisor)

    empty = as_supervisor.post(f"/approvals/{request_id}/refuse", {"reason": "  "})
    refused = as_supervisor.post(
        f"/approvals/{request_id}/refuse", {"reason": "Not cleared for this place"}
    )

    assert empty.status_code == 422
    assert refused.status_code == 302
    with app.app_context():
        members = db.session.scalars(
            select(VisitMember.user_id).where(VisitMember.visit_id == world.visit_id)
        ).all()
        request = db.session.get(AccessRequest, request_id)
        assert request is not None
        assert (request.status, request.note) == (
            RequestStatus.REFUSED,
            "Not cleared for this place",
        )
    assert members == [monitor.id]
    assert content_statuses(as_user(app, outsider).client, world) == {404}
    again = as_supervisor.post(f"/approvals/{request_id}/approve")
    assert again.status_code == 409


def test_refusing_a_role_raise_gives_the_previous_role_back(
    app: Flask, admin: Account, monitor: Account, approver: Account
) -> None:
    as_user(app, admin).post(f"/admin/users/{monitor.id}", {"role": "supervisor"})

    as_user(app, approver).post(
        f"/approvals/{the_request_about(app, monitor.id)}/refuse", {"reason": "Not promoted"}
    )

    account = user_row(app, monitor.id)
    assert (account.role, account.awaiting_approval) == (Role.MONITOR, False)


def test_refusing_a_new_account_deactivates_it_and_its_password_stops_working(
    app: Flask, admin: Account, approver: Account
) -> None:
    created = as_user(app, admin).post(
        "/admin/users/new",
        {"email": "ghost@test.example", "display_name": "Ghost", "role": "monitor"},
    )
    password = TEMPORARY_PASSWORD.search(text_of(created))
    assert password is not None
    ghost_id = user_row_by_email(app, "ghost@test.example")

    as_user(app, approver).post(
        f"/approvals/{the_request_about(app, ghost_id)}/refuse", {"reason": "Nobody knows them"}
    )

    assert user_row(app, ghost_id).active is False
    with app.app_context():
        db.session.execute(User.__table__.update().where(User.id == ghost_id).values(active=True))
        db.session.commit()
    refused = AuthActions(app.test_client()).login("ghost@test.example", password.group(1))
    assert refused.status_code != 302


def test_refusing_a_password_reset_makes_the_temporary_password_useless(
    app: Flask, admin: Account, supervisor: Account, approver: Account
) -> None:
    issued = as_user(app, admin).post(f"/admin/users/{supervisor.id}/reset-password")
    password = TEMPORARY_PASSWORD.search(text_of(issued))
    assert password is not None

    as_user(app, approver).post(
        f"/approvals/{the_request_about(app, supervisor.id)}/refuse",
        {"reason": "They did not ask for it"},
    )

    login = AuthActions(app.test_client()).login(supervisor.email, password.group(1))
    assert login.status_code == 422
    assert user_row(app, supervisor.id).awaiting_approval is False


# --- The first supervisor comes from the server ----------------------------------------


def test_the_admin_pages_make_no_supervisor_when_no_other_could_approve(
    app: Flask, admin: Account, monitor: Account
) -> None:
    as_admin = as_user(app, admin)

    created = as_admin.post(
        "/admin/users/new",
        {"email": "first.chief@test.example", "display_name": "First", "role": "supervisor"},
    )
    raised = as_admin.post(f"/admin/users/{monitor.id}", {"role": "supervisor"})

    for response in (created, raised):
        assert response.status_code == 409
        assert "flask create-user EMAIL --role supervisor" in text_of(response)
    with app.app_context():
        assert db.session.scalar(select(User.id).where(User.role == Role.SUPERVISOR)) is None


def test_create_user_makes_a_supervisor_who_reads_at_once(app: Flask, world: World) -> None:
    result = app.test_cli_runner().invoke(
        args=["create-user", "root.chief@test.example", "--role", "supervisor", "--password-stdin"],
        input=f"{NEW_PASSWORD}\n",
    )

    assert result.exit_code == 0, result.output
    chief = sign_in(app, "root.chief@test.example", NEW_PASSWORD)
    assert content_statuses(chief, world) == {200}
    assert pending_about(app, user_row_by_email(app, "root.chief@test.example")) == []
