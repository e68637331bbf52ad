"""The flask commands: create-user and seed-demo."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from tests.support import AuthActions
from visits.cli import DEMO_ACCOUNTS
from visits.extensions import db
from visits.models import User


def user_count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(User.id))) or 0


def test_create_user_reads_the_password_from_stdin(app: Flask) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["create-user", "Lead@Test.example", "--role", "supervisor", "--password-stdin"],
        input="a strong enough passphrase\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created supervisor lead@test.example." in result.output
    login = AuthActions(app.test_client()).login("lead@test.example", "a strong enough passphrase")
    assert login.status_code == 302


def test_create_user_asks_twice_and_refuses_a_mismatch(app: Flask) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["create-user", "m@test.example", "--role", "monitor"],
        input="first passphrase 1\nsecond passphrase 2\nfirst passphrase 1\nfirst passphrase 1\n",
    )
    assert result.exit_code == 0, result.output
    assert "Error: The two entered values do not match." in result.output
    assert user_count(app) == 1


def test_create_user_refuses_short_password_and_duplicates(app: Flask) -> None:
    runner = app.test_cli_runner()
    short = runner.invoke(
        args=["create-user", "s@test.example", "--role", "admin", "--password-stdin"],
        input="short\n",
    )
    assert short.exit_code != 0
    assert "at least 12 characters" in short.output
    args = ["create-user", "d@test.example", "--role", "admin", "--password-stdin"]
    assert runner.invoke(args=args, input="long enough password\n").exit_code == 0
    again = runner.invoke(args=args, input="long enough password\n")
    assert again.exit_code != 0
    assert "already exists" in again.output


def test_seed_demo_is_idempotent_and_prints_the_password(app: Flask) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    password = first.output.rsplit("Password for each: ", 1)[1].strip()
    assert user_count(app) == len(DEMO_ACCOUNTS)

    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0
    assert "already exist" in second.output
    assert user_count(app) == len(DEMO_ACCOUNTS)

    for email, _name, _role in DEMO_ACCOUNTS:
        assert AuthActions(app.test_client()).login(email, password).status_code == 302


def test_seed_demo_uses_the_given_password(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["seed-demo", "--password", "demo passphrase 42"])
    assert result.exit_code == 0
    login = AuthActions(app.test_client()).login("monitor1@npm.example", "demo passphrase 42")
    assert login.status_code == 302


def test_seed_demo_refuses_production_unless_forced(app: Flask) -> None:
    app.config["PRODUCTION"] = True
    try:
        refused = app.test_cli_runner().invoke(args=["seed-demo"])
        assert refused.exit_code != 0
        assert "Refusing" in refused.output
        assert user_count(app) == 0
        forced = app.test_cli_runner().invoke(args=["seed-demo", "--force"])
        assert forced.exit_code == 0
        assert user_count(app) == len(DEMO_ACCOUNTS)
    finally:
        app.config["PRODUCTION"] = False


def test_seed_demo_shows_every_state_for_both_teams(app: Flask) -> None:
    from visits.models import (
        ConsentScope,
        Finding,
        Interview,
        Place,
        PlannedVisit,
        ReprisalCheck,
        Visit,
        VisitMember,
        VisitStatus,
    )

    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        for email in ("monitor1@npm.example", "monitor2@npm.example"):
            states = set(
                db.session.scalars(
                    select(Visit.status)
                    .join(VisitMember, VisitMember.visit_id == Visit.id)
                    .join(User, User.id == VisitMember.user_id)
                    .where(User.email == email)
                )
            )
            assert states == set(VisitStatus), email
        assert set(db.session.scalars(select(Interview.consent_scope))) == set(ConsentScope)
        levels = set(db.session.scalars(select(Finding.confidentiality)))
        assert {level.value for level in levels} == {"public", "internal", "confidential"}
        assert db.session.scalar(
            select(func.count(ReprisalCheck.id)).where(ReprisalCheck.is_open())
        )
        assert db.session.scalar(select(func.count(PlannedVisit.id)))
        types = db.session.scalars(select(Place.place_type_id).distinct()).all()
        regions = db.session.scalars(select(Place.region_id).distinct()).all()
        assert len(types) >= 5
        assert len(regions) >= 5
        visits_before = db.session.scalar(select(func.count(Visit.id)))
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        assert db.session.scalar(select(func.count(Visit.id))) == visits_before
