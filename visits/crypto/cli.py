"""``flask keys``: which keys encrypt what, rotation to the newest key, new keys.

Rotation: with ``ENCRYPTION_KEYS``, put a new key (``flask keys generate``)
at its front, restart the app, then run ``flask keys rotate``. With the
embedded default, ``flask keys rotate --new-key`` adds the new key to
``instance/encryption_keys.json`` first; restart the app right after, so
that it reads the key the values now use. Older keys stay configured until
no value, file or backup you keep needs them.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from visits import crypto
from visits.audit import record_now
from visits.crypto.inventory import (
    file_key_id_counts,
    key_id_counts,
    reencrypt_files,
    reencrypt_values,
)
from visits.extensions import db

NOT_ENCRYPTED = "not encrypted"


@click.group("keys")
def keys_command() -> None:
    """Encryption keys: status, rotation, new keys."""


def _describe(counts: Counter[str], ring: crypto.KeyRing) -> str:
    if not counts:
        return "none"
    parts = []
    for key_id, count in sorted(counts.items()):
        if key_id == "":
            parts.append(f"{NOT_ENCRYPTED}: {count}")
        elif key_id in ring.ids:
            parts.append(f"{key_id}: {count}")
        else:
            parts.append(f"{key_id} (NOT CONFIGURED): {count}")
    return ", ".join(parts)


@keys_command.command("status")
@with_appcontext
def status_command() -> None:
    """List the keys configured and how many values and files each encrypts."""
    ring = crypto.key_ring()
    source = "ENCRYPTION_KEYS" if current_app.config["ENCRYPTION_KEYS"] else "instance key file"
    click.echo(f"Keys ({source}), newest first; new values use the first:")
    for position, (key_id, _) in enumerate(ring.keys):
        click.echo(f"  {key_id}{'  (current)' if position == 0 else ''}")
    with db.engine.connect() as connection:
        by_column = key_id_counts(connection)
    files = file_key_id_counts(current_app.instance_path)
    rows = [(str(location), counts) for location, counts in by_column.items()]
    rows.append(("attachment files", files))
    width = max(len(name) for name, _ in rows)
    click.echo("Values by key:")
    for name, counts in rows:
        click.echo(f"  {name.ljust(width)}  {_describe(counts, ring)}")
    in_use: Counter[str] = sum((counts for _, counts in rows), Counter())
    unused = [key_id for key_id, _ in ring.keys[1:] if not in_use.get(key_id)]
    if unused:
        click.echo(f"No value or file uses {', '.join(unused)} (backups made earlier may).")


@keys_command.command("rotate")
@click.option(
    "--new-key",
    is_flag=True,
    help="First add a new key at the front of instance/encryption_keys.json.",
)
@with_appcontext
def rotate_command(new_key: bool) -> None:
    """Re-encrypt every value and attachment file under the newest key."""
    if new_key:
        if current_app.config["ENCRYPTION_KEYS"]:
            raise click.ClickException(
                "ENCRYPTION_KEYS is set, so keys are not in the instance file: put a new key "
                "(from `flask keys generate`) at the front of ENCRYPTION_KEYS, restart the app, "
                "then run `flask keys rotate` without --new-key."
            )
        ring = crypto.add_key_to_file(Path(current_app.instance_path))
        current_app.extensions["key_ring"] = ring
        click.echo(f"Added key {ring.current_id} at the front of the instance key file.")
    current = crypto.key_ring().current_id
    try:
        with db.engine.begin() as connection:
            by_column = reencrypt_values(connection)
    except crypto.DecryptionError as error:
        raise click.ClickException(
            f"Rotation stopped: {error.object_type} row {error.object_id}: {error}. "
            "No value was changed; restore that record from a backup and try again."
        ) from error
    try:
        files = reencrypt_files(current_app.instance_path)
    except crypto.DecryptionError as error:
        raise click.ClickException(
            f"Rotation stopped: {error}. The database values were re-encrypted, and the "
            "files before this one; restore this file from a backup and run rotate again."
        ) from error
    click.echo(f"Re-encrypted under key {current}:")
    width = max(len(str(location)) for location in by_column)
    for location, count in by_column.items():
        click.echo(f"  {str(location).ljust(width)}  {count}")
    click.echo(f"  {'attachment files'.ljust(width)}  {files}")
    record_now(
        "crypto.keys_rotated",
        key_id=current,
        values=sum(by_column.values()),
        files=files,
    )
    if new_key:
        click.echo("Restart the app now, so that it reads the new key.")


@keys_command.command("generate")
def generate_command() -> None:
    """Print a new key as an ENCRYPTION_KEYS entry (id:base64); nothing is stored."""
    click.echo(crypto.key_spec(*crypto.new_key()))
