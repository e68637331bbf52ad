"""An account's page: role, sessions, second factor; every change audited."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from tests.support import Account, AuthActions
from visits.extensions import db
from visits.models import AuditEvent, Role, User, UserSession
from visits.models.base import utcnow


def text_of(response: Any) -> str:
    return str(response.get_data(as_text=True))


def user_row(app: Flask, account: Account) -> User:
    with app.app_context():
        user = db.session.get(User, account.id)
        assert user is not None
        db.session.expunge(user)
        return user


def audit_of(app: Flask, action: str) -> list[tuple[int | None, int | None, dict[str, Any]]]:
    with app.app_context():
        rows = db.session.execute(
            select(AuditEvent.user_id, AuditEvent.object_id, AuditEvent.details)
            .where(AuditEvent.action == action)
            .order_by(AuditEvent.id)
        ).all()
        return [(user_id, object_id, json.loads(details)) for user_id, object_id, details in rows]


def test_the_user_list_leads_to_each_account_page(
    client: FlaskClient, auth: AuthActions, admin: Account, monitor: Account
) -> None:
    auth.login(admin)
    assert f'href="/admin/users/{monitor.id}"' in text_of(client.get("/admin/users"))

    page = text_of(client.get(f"/admin/users/{monitor.id}"))

    assert "Mira Monitor" in page
    assert monitor.email in page
    assert 'name="role"' in page
    assert f'action="/admin/users/{monitor.id}/end-sessions"' in page
    assert f'action="/admin/users/{monitor.id}/two-factor"' in page


def test_unknown_account_page_is_a_404(
    client: FlaskClient, auth: AuthActions, admin: Account
) -> None:
    auth.login(admin)
    assert client.get("/admin/users/999999").status_code == 404
    assert auth.post("/admin/users/999999", {"role": "admin"}).status_code == 404


def test_admin_changes_a_role_and_it_takes_effect_once_approved(
    app: Flask,
    auth: AuthActions,
    admin: Account,
    monitor: Account,
    supervisor: Account,
    client_as: Callable[[Account | None], FlaskClient],
) -> None:
    monitor_client = client_as(monitor)
    assert monitor_client.get("/deleted/").status_code == 403
    auth.login(admin)

    response = auth.post(f"/admin/users/{monitor.id}", {"role": "supervisor"})

    assert response.status_code == 302
    assert user_row(app, monitor).role is Role.SUPERVISOR
    # A raised role reads nothing more until another supervisor approves it.
    assert monitor_client.get("/deleted/").status_code == 403
    approver = AuthActions(client_as(supervisor))
    request_id = audit_of(app, "access.request")[0][2]["request_id"]
    assert approver.post(f"/approvals/{request_id}/approve").status_code == 302
    assert monitor_client.get("/deleted/").status_code == 200
    assert audit_of(app, "user.role_change") == [
        (admin.id, monitor.id, {"from": "monitor", "to": "supervisor"})
    ]


def test_an_unknown_role_is_a_form_error(
    app: Flask, auth: AuthActions, admin: Account, monitor: Account
) -> None:
    auth.login(admin)
    response = auth.post(f"/admin/users/{monitor.id}", {"role": "emperor"})
    assert response.status_code == 422
    assert "Not a valid choice" in text_of(response)
    assert user_row(app, monitor).role is Role.MONITOR


def test_an_admin_cannot_remove_their_own_admin_role(
    app: Flask, client: FlaskClient, auth: AuthActions, admin: Account
) -> None:
    auth.login(admin)

    response = auth.post(f"/admin/users/{admin.id}", {"role": "monitor"})

    assert response.status_code == 422
    assert "You cannot remove your own administrator role." in text_of(response)
    assert user_row(app, admin).role is Role.ADMIN
    assert client.get("/admin/users").status_code == 200
    assert audit_of(app, "user.role_change") == []


def test_a_role_change_asks_for_the_password_again_after_a_while(
    app: Flask, auth: AuthActions, admin: Account, monitor: Account
) -> None:
    auth.login(admin)
    with app.app_context():
        long_ago = utcnow() - timedelta(minutes=app.config["REAUTH_MINUTES"] + 1)
        db.session.execute(
            update(UserSession)
            .where(UserSession.user_id == admin.id)
            .values(authenticated_at=long_ago)
        )
        db.session.commit()

    response = auth.post(f"/admin/users/{monitor.id}", {"role": "admin"})

    # Guarded by @recent_authentication on admin.change_role.
    assert response.status_code == 403
    assert user_row(app, monitor).role is Role.MONITOR


def test_ending_all_sessions_signs_the_person_out_everywhere(
    app: Flask,
    auth: AuthActions,
    admin: Account,
    monitor: Account,
    client_as: Callable[[Account | None], FlaskClient],
) -> None:
    laptop, phone = client_as(monitor), client_as(monitor)
    assert laptop.get("/").status_code == 200
    assert phone.get("/").status_code == 200
    auth.login(admin)

    response = auth.post(f"/admin/users/{monitor.id}/end-sessions")

    assert response.status_code == 302
    assert laptop.get("/").status_code == 302
    assert phone.get("/").status_code == 302
    assert auth.client.get("/admin/users").status_code == 200  # the admin's own goes on
    with app.app_context():
        open_rows = db.session.scalars(
            select(UserSession).where(
                UserSession.user_id == monitor.id, UserSession.ended_at.is_(None)
            )
        ).all()
        assert open_rows == []
    # The password is unchanged: the person signs in again as before.
    assert AuthActions(app.test_client()).login(monitor).status_code == 302
    assert audit_of(app, "user.sessions_ended") == [(admin.id, monitor.id, {})]


def test_admin_requires_a_second_factor_and_can_lift_the_requirement(
    app: Flask, client: FlaskClient, auth: AuthActions, admin: Account, supervisor: Account
) -> None:
    auth.login(admin)

    required = auth.post(f"/admin/users/{supervisor.id}/two-factor", {"required": "y"})
    page = text_of(client.get(f"/admin/users/{supervisor.id}"))
    again = auth.post(f"/admin/users/{supervisor.id}/two-factor", {"required": "y"})
    assert user_row(app, supervisor).two_factor_required is True
    lifted = auth.post(f"/admin/users/{supervisor.id}/two-factor")

    assert required.status_code == again.status_code == lifted.status_code == 302
    assert "Required by an administrator" in page
    assert "Stop requiring a second factor" in page
    assert user_row(app, supervisor).two_factor_required is False
    # Asking twice for what is already so records nothing.
    assert audit_of(app, "user.two_factor_required") == [
        (admin.id, supervisor.id, {"required": True}),
        (admin.id, supervisor.id, {"required": False}),
    ]


def test_account_changes_are_audited_without_passwords(
    app: Flask, auth: AuthActions, admin: Account, monitor: Account
) -> None:
    auth.login(admin)
    created = auth.post(
        "/admin/users/new",
        {"email": "new@test.example", "display_name": "New Person", "role": "monitor"},
    )
    auth.post(f"/admin/users/{monitor.id}/deactivate")
    auth.post(f"/admin/users/{monitor.id}/reactivate")
    auth.post(f"/admin/users/{monitor.id}/reset-password")

    assert created.status_code == 201
    assert [event[:2] for event in audit_of(app, "user.deactivate")] == [(admin.id, monitor.id)]
    assert [event[:2] for event in audit_of(app, "user.reactivate")] == [(admin.id, monitor.id)]
    assert [event[:2] for event in audit_of(app, "user.password_reset")] == [(admin.id, monitor.id)]
    new_user = audit_of(app, "user.create")[-1]
    assert new_user[0] == admin.id
    assert new_user[2] == {"role": "monitor"}
    with app.app_context():
        details = " ".join(db.session.scalars(select(AuditEvent.details)))
        hashes = " ".join(db.session.scalars(select(User.password_hash)))
    assert "argon2" not in details
    assert hashes[:40] not in details
