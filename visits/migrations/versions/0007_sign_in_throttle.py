"""Sign-in throttle counters in their own table, keyed by a hash of the email
(with or without the client address); the second-factor secret being set up
kept on the session's row (encrypted) instead of in the cookie.

The counters on ``users`` go: they counted per account only, so that an
unknown email was never counted and anyone could lock anyone out. Counters
last minutes, so neither direction carries them over: the downgrade brings
the columns back at zero. Sessions get the random row key their encrypted
value is bound to.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 09:00:00.000000
"""

import secrets

import sqlalchemy as sa
from alembic import op


revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_in_failures",
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_started_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key_hash", name=op.f("pk_sign_in_failures")),
    )
    with op.batch_alter_table("sign_in_failures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sign_in_failures_window_started_at"), ["window_started_at"]
        )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("failed_logins_since")
        batch_op.drop_column("failed_logins")

    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("row_key", sa.String(length=32), nullable=True))
        batch_op.add_column(
            sa.Column("enrolment_secret", sa.Text(), nullable=False, server_default="")
        )
    sessions = sa.table(
        "user_sessions", sa.column("id", sa.Integer), sa.column("row_key", sa.String)
    )
    bind = op.get_bind()
    for session_id in bind.execute(sa.select(sessions.c.id)).scalars().all():
        bind.execute(
            sa.update(sessions)
            .where(sessions.c.id == session_id)
            .values(row_key=secrets.token_hex(16))
        )
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.alter_column("row_key", existing_type=sa.String(length=32), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_user_sessions_row_key"), ["row_key"])


def downgrade() -> None:
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_user_sessions_row_key"), type_="unique")
        batch_op.drop_column("enrolment_secret")
        batch_op.drop_column("row_key")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("failed_logins_since", sa.DateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("sign_in_failures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sign_in_failures_window_started_at"))
    op.drop_table("sign_in_failures")
