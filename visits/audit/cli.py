"""``flask audit verify``: check that the audit trail's chain is intact."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from visits.audit.chain import VERIFY_BATCH_SIZE, verify_chain

audit_command = AppGroup("audit", help="Check the audit trail.")


@audit_command.command("verify")
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=VERIFY_BATCH_SIZE,
    show_default=True,
    help="Events read per query.",
)
def verify_command(batch_size: int) -> None:
    """Recompute every event's hash in id order and follow the links between them.

    Prints "OK: N events, chain intact", or names the first broken event and
    exits with status 1.
    """
    report = verify_chain(batch_size=batch_size)
    if report.intact:
        click.echo(f"OK: {report.checked} events, chain intact")
        return
    where = f"event {report.broken_id}" if report.broken_id is not None else "the chain's end"
    click.echo(
        f"BROKEN at {where}: {report.problem}. {report.checked} events before it are intact.",
        err=True,
    )
    raise SystemExit(1)
