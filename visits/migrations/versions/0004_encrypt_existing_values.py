"""Encryption at rest: a random key per row (part of each value's associated
data), and every existing confidential value and attachment file encrypted
under the app's newest key.

The keys are the app's (``ENCRYPTION_KEYS`` or ``instance/encryption_keys.json``):
the migration runs inside the Flask app. Both directions skip what is
already done, so that a run interrupted half-way can simply be repeated.
Files are converted last, and only once every one of them has been
converted into a temporary file, so that a file that cannot be read stops
the migration before any file is replaced.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 06:00:00.000000
"""

import os
import secrets
from pathlib import Path

import sqlalchemy as sa
from alembic import op
from flask import current_app

from visits import crypto


revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# Frozen here, as they were when this migration was written.
ENCRYPTED_COLUMNS = {
    "interviews": ("real_name", "identifying_details", "notes"),
    "findings": (
        "text",
        "allegation_what",
        "allegation_when",
        "allegation_by_whom",
        "allegation_medical_evidence",
    ),
    "users": ("totp_secret",),
}
TEMPORARY_SUFFIX = ".converting"


def field_aad(table: str, column: str, row_key: str) -> str:
    return f"{table}.{column}.{row_key}"


def file_aad(stored_name: str) -> str:
    return f"attachments/{stored_name}"


def upgrade() -> None:
    for table in ENCRYPTED_COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("row_key", sa.String(length=32), nullable=True))
    bind = op.get_bind()
    for table in ENCRYPTED_COLUMNS:
        rows = sa.table(table, sa.column("id", sa.Integer), sa.column("row_key", sa.String))
        for row_id in (
            bind.execute(sa.select(rows.c.id).where(rows.c.row_key.is_(None))).scalars().all()
        ):
            bind.execute(
                sa.update(rows).where(rows.c.id == row_id).values(row_key=secrets.token_hex(16))
            )
    for table in ENCRYPTED_COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("row_key", existing_type=sa.String(length=32), nullable=False)
            batch_op.create_unique_constraint(batch_op.f(f"uq_{table}_row_key"), ["row_key"])
    # Ciphertext is longer than the 200 characters the form allows.
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.alter_column(
            "allegation_when",
            existing_type=sa.String(length=200),
            type_=sa.Text(),
            existing_nullable=False,
        )
    convert_values(encrypting=True)
    convert_files(encrypting=True)


def downgrade() -> None:
    convert_values(encrypting=False)
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.alter_column(
            "allegation_when",
            existing_type=sa.Text(),
            type_=sa.String(length=200),
            existing_nullable=False,
        )
    for table in reversed(ENCRYPTED_COLUMNS):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f"uq_{table}_row_key"), type_="unique")
            batch_op.drop_column("row_key")
    convert_files(encrypting=False)


def convert_values(encrypting: bool) -> None:
    bind = op.get_bind()
    for table, columns in ENCRYPTED_COLUMNS.items():
        rows = sa.table(
            table,
            sa.column("id", sa.Integer),
            sa.column("row_key", sa.String),
            *(sa.column(column, sa.Text) for column in columns),
        )
        for row in bind.execute(sa.select(rows).order_by(rows.c.id)).all():
            changes = {}
            for column in columns:
                value = row._mapping[column]
                if not value or crypto.is_encrypted(value) == encrypting:
                    continue
                aad = field_aad(table, column, row.row_key)
                try:
                    changes[column] = (
                        crypto.encrypt(value, aad) if encrypting else crypto.decrypt(value, aad)
                    )
                except crypto.DecryptionError as error:
                    raise RuntimeError(
                        f"{table}.{column} of row {row.id} could not be decrypted ({error}); "
                        "nothing was changed"
                    ) from error
            if changes:
                bind.execute(sa.update(rows).where(rows.c.id == row.id).values(**changes))


def convert_files(encrypting: bool) -> None:
    """Encrypt (or decrypt) every attachment file: all into temporaries, then swap."""
    folder = Path(current_app.instance_path) / "attachments"
    if not folder.is_dir():
        return
    converted: list[tuple[Path, Path]] = []
    try:
        for path in sorted(folder.iterdir()):
            if not path.is_file() or path.name.startswith("."):
                continue
            data = path.read_bytes()
            if crypto.is_encrypted_file(data) == encrypting:
                continue
            try:
                new = (
                    crypto.encrypt_bytes(data, file_aad(path.name))
                    if encrypting
                    else crypto.decrypt_bytes(data, file_aad(path.name))
                )
            except crypto.DecryptionError as error:
                raise RuntimeError(
                    f"the attachment file {path} could not be decrypted ({error}); "
                    "no file was changed"
                ) from error
            temporary = path.with_name(f".{path.name}{TEMPORARY_SUFFIX}")
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(new)
            converted.append((temporary, path))
    except BaseException:
        for temporary, _ in converted:
            temporary.unlink(missing_ok=True)
        raise
    for temporary, path in converted:
        os.replace(temporary, path)
