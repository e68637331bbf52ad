"""``flask audit verify`` and ``flask audit checkpoint``: check the trail, record its head."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from visits.audit.chain import VERIFY_BATCH_SIZE, ChainReport, verify_chain
from visits.audit.checkpoints import (
    Checkpoint,
    append_checkpoint,
    read_checkpoints,
)
from visits.audit.key import audit_key
from visits.errors import Invalid

audit_command = AppGroup("audit", help="Check the audit trail and record its head.")

batch_size_option = click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=VERIFY_BATCH_SIZE,
    show_default=True,
    help="Events read per query.",
)


def _checkpoints_in(path: Path | None) -> list[Checkpoint]:
    if path is None:
        return []
    try:
        return read_checkpoints(path)
    except Invalid as error:
        raise click.ClickException(error.message) from error


def _verified(checkpoints: list[Checkpoint], batch_size: int) -> ChainReport:
    """The intact chain's report; a broken chain is named and exits with status 1."""
    report = verify_chain(audit_key(), checkpoints, batch_size=batch_size)
    if report.intact:
        return report
    where = f"event {report.broken_id}" if report.broken_id is not None else "the chain's end"
    click.echo(
        f"BROKEN at {where}: {report.problem}. {report.checked} events before it are intact.",
        err=True,
    )
    raise SystemExit(1)


@audit_command.command("verify")
@batch_size_option
@click.option(
    "--checkpoint",
    "checkpoint_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A file of checkpoints (flask audit checkpoint): each must still be in the chain.",
)
def verify_command(batch_size: int, checkpoint_file: Path | None) -> None:
    """Recompute every event's MAC in id order and follow the links between them.

    Prints "OK: N events, chain intact", or names the first broken event (or
    the checkpoint the trail no longer matches) and exits with status 1.
    """
    checkpoints = _checkpoints_in(checkpoint_file)
    report = _verified(checkpoints, batch_size)
    message = f"OK: {report.checked} events, chain intact"
    if report.legacy:
        message += (
            f"; the first {report.legacy} predate keyed chaining (plain SHA-256, "
            "fixed by the keyed events after them)"
        )
    if checkpoints:
        message += f"; {len(checkpoints)} checkpoints match"
    click.echo(message)


@audit_command.command("checkpoint")
@batch_size_option
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Append the checkpoint to this file, after checking the ones already in it.",
)
def checkpoint_command(batch_size: int, output: Path | None) -> None:
    """Verify the trail, then print its head as one JSON line for an append-only store.

    Keep the lines where whoever can write the database cannot change them
    (a printout, another server, write-once storage): `flask audit verify
    --checkpoint FILE` then proves the trail was neither cut short nor
    rewritten since. Nothing is printed for a broken or an empty trail.
    """
    existing = _checkpoints_in(output if output is not None and output.exists() else None)
    report = _verified(existing, batch_size)
    if report.last_id is None:
        raise click.ClickException("The audit trail has no events yet: nothing to checkpoint.")
    checkpoint = Checkpoint.now(report.last_id, report.last_hash)
    if output is not None:
        append_checkpoint(output, checkpoint)
    click.echo(checkpoint.line())
