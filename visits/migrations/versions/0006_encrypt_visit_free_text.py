"""Every free text of a visit's content encrypted at rest: finding titles and review
comments, checklist and reprisal-check notes, attachment captions and file
names, visit-history comments, deletion reasons, and the visit's own purpose,
joint partner and interview shortfall reason.

The tables that had no row key get one (part of each value's associated
data); columns whose type limited their length become Text, since
ciphertext is longer than the text (the forms keep the limits); then every
existing value is encrypted under the newest key of the app running the
migration. The downgrade decrypts them and restores the types. Both
directions skip what is already done, so that an interrupted run can simply
be repeated.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-08 09:00:00.000000
"""

import secrets

import sqlalchemy as sa
from alembic import op

from visits import crypto


revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# Frozen here, as they were when this migration was written.
NEW_ROW_KEYS = ("visits", "attachments", "checklist_answers", "reprisal_checks", "visit_events")
ENCRYPTED_COLUMNS = {
    "visits": ("joint_with", "purpose", "interview_shortfall_reason", "deletion_reason"),
    "interviews": ("deletion_reason",),
    "findings": ("title", "review_comment", "deletion_reason"),
    "attachments": ("original_name", "caption", "deletion_reason"),
    "checklist_answers": ("note",),
    "reprisal_checks": ("note",),
    "visit_events": ("comment",),
}
# (table, column, length) of the columns that were String(length).
LIMITED_COLUMNS = (
    ("visits", "joint_with", 200),
    ("findings", "title", 200),
    ("attachments", "original_name", 255),
    ("attachments", "caption", 300),
)


def field_aad(table: str, column: str, row_key: str) -> str:
    return f"{table}.{column}.{row_key}"


def upgrade() -> None:
    for table in NEW_ROW_KEYS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("row_key", sa.String(length=32), nullable=True))
    bind = op.get_bind()
    for table in NEW_ROW_KEYS:
        rows = sa.table(table, sa.column("id", sa.Integer), sa.column("row_key", sa.String))
        for row_id in (
            bind.execute(sa.select(rows.c.id).where(rows.c.row_key.is_(None))).scalars().all()
        ):
            bind.execute(
                sa.update(rows).where(rows.c.id == row_id).values(row_key=secrets.token_hex(16))
            )
    for table in NEW_ROW_KEYS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("row_key", existing_type=sa.String(length=32), nullable=False)
            batch_op.create_unique_constraint(batch_op.f(f"uq_{table}_row_key"), ["row_key"])
    for table, column, length in LIMITED_COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                column,
                existing_type=sa.String(length=length),
                type_=sa.Text(),
                existing_nullable=False,
            )
    convert_values(encrypting=True)


def downgrade() -> None:
    convert_values(encrypting=False)
    for table, column, length in LIMITED_COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                column,
                existing_type=sa.Text(),
                type_=sa.String(length=length),
                existing_nullable=False,
            )
    for table in reversed(NEW_ROW_KEYS):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f"uq_{table}_row_key"), type_="unique")
            batch_op.drop_column("row_key")


def convert_values(encrypting: bool) -> None:
    """Encrypt (or decrypt) every value of ``ENCRYPTED_COLUMNS`` not yet so, row by row."""
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
                        "restore that row from a backup and run the migration again"
                    ) from error
            if changes:
                bind.execute(sa.update(rows).where(rows.c.id == row.id).values(**changes))
