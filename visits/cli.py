"""Flask commands: ``create-user`` and ``seed-demo``."""

from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from visits.admin import services as accounts
from visits.admin import teams
from visits.demo import seed_demo_data
from visits.extensions import db
from visits.models import Role, User
from visits.reference.seeding import seed_reference_data

DEMO_ACCOUNTS = (
    ("admin@npm.example", "Айдай Абдыкадырова", Role.ADMIN),
    ("supervisor@npm.example", "Салтанат Жумабекова", Role.SUPERVISOR),
    ("monitor1@npm.example", "Марат Токтосунов", Role.MONITOR),
    ("monitor2@npm.example", "Мээрим Бообекова", Role.MONITOR),
)
# Teams North and South, named in Kyrgyz, Russian and English.
DEMO_TEAMS = (
    ({"name_ky": "Түндүк", "name_ru": "Север", "name_en": "North"}, "monitor1@npm.example"),
    ({"name_ky": "Түштүк", "name_ru": "Юг", "name_en": "South"}, "monitor2@npm.example"),
)


def _check_password_length(password: str) -> None:
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        raise click.ClickException(f"The password must have at least {minimum} characters.")


@click.command("create-user")
@click.argument("email")
@click.option(
    "--role", type=click.Choice([role.value for role in Role]), required=True, help="The role."
)
@click.option("--name", "display_name", help="Full name (default: the part before @).")
@click.option("--locale", type=click.Choice(["en", "ru", "ky"]), default=None)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def create_user_command(
    email: str, role: str, display_name: str | None, locale: str | None, password_stdin: bool
) -> None:
    """Create an account; asks for the password twice unless --password-stdin.

    Whoever runs this has the server: the account is approved as it is made,
    and this is how the first supervisors are created (the admin pages need
    another supervisor to approve one).
    """
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    _check_password_length(password)
    try:
        user, _ = accounts.create_user(
            email=email,
            display_name=display_name or email.split("@", 1)[0],
            role=Role(role),
            preferred_locale=locale,
            password=password,
        )
    except accounts.EmailTaken as error:
        raise click.ClickException(
            f"An account for {User.normalise_email(email)} already exists."
        ) from error
    db.session.commit()
    click.echo(f"Created {user.role.value} {user.email}.")


@click.command("seed-demo")
@click.option("--password", help="Password for the demo accounts (else DEMO_PASSWORD, else new).")
@click.option("--force", is_flag=True, help="Run even though the configuration says production.")
@with_appcontext
def seed_demo_command(password: str | None, force: bool) -> None:
    """Create the reference data, demo accounts and demo visits; safe to run twice."""
    if current_app.config["PRODUCTION"] and not force:
        raise click.ClickException(
            "Refusing to create demo accounts: APP_ENV is production. "
            "Set APP_ENV=development, or pass --force if you really mean it."
        )
    chosen = password or current_app.config["DEMO_PASSWORD"] or accounts.temporary_password()
    _check_password_length(chosen)
    created = []
    for email, name, role in DEMO_ACCOUNTS:
        if db.session.scalar(select(User.id).where(User.email == email)) is None:
            accounts.create_user(email, name, role, preferred_locale=None, password=chosen)
            created.append(email)
    db.session.commit()
    seed_reference_data()
    db.session.commit()
    if any([teams.ensure_team(names, lead) for names, lead in DEMO_TEAMS]):
        db.session.commit()
        click.echo("Demo teams North and South created.")
    if seed_demo_data():
        db.session.commit()
        click.echo("Demo places, this year's plan and visits in every state created.")
    if not created:
        click.echo("Demo accounts already exist; their passwords were not changed.")
        return
    click.echo("Demo accounts created:")
    for email in created:
        click.echo(f"  {email}")
    click.echo(f"Password for each: {chosen}")


def register_commands(app: Flask) -> None:
    from visits.audit.cli import audit_command
    from visits.crypto.cli import keys_command
    from visits.reference.commands import seed_reference_command

    app.cli.add_command(create_user_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(seed_reference_command)
    app.cli.add_command(audit_command)
    app.cli.add_command(keys_command)
