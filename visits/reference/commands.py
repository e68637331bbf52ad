"""``flask seed-reference``: the regions, place types, authorities and checklists."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from visits.extensions import db
from visits.reference.seeding import seed_reference_data


@click.command("seed-reference")
@with_appcontext
def seed_reference_command() -> None:
    """Add the reference data that is missing; safe to run again."""
    report = seed_reference_data()
    db.session.commit()
    for kind, codes in report.codes.items():
        if codes:
            click.echo(f"Added {len(codes)} {kind}: {', '.join(codes)}.")
        else:
            click.echo(f"No {kind} to add.")
    if report.checklist_was_empty:
        click.echo(f"Added {report.checklist_items} checklist items.")
    else:
        click.echo("The checklist already has items; none were added.")
