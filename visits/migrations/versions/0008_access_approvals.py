"""Access requests: a second person approves what would let an account read content.

Existing accounts and visit team members keep their access: the new
``awaiting_approval`` flags start false. Going down must not grant what
was waiting: pending team additions are taken off their teams, and accounts
awaiting approval are deactivated (an administrator reactivates them).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

ROLES = ("monitor", "supervisor", "admin")


def upgrade() -> None:
    op.create_table(
        "access_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "account_created",
                "role_raised",
                "password_reset",
                "two_factor_reset",
                "team_addition",
                name="access_kind",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=True),
        sa.Column(
            "previous_role",
            sa.Enum(*ROLES, name="previous_role", native_enum=False, create_constraint=True, length=20),
            nullable=True,
        ),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "approved",
                "refused",
                "withdrawn",
                name="request_status",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        # The refusal's reason, encrypted like every free text about a visit or a person.
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("row_key", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["users.id"], name=op.f("fk_access_requests_subject_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.id"], name=op.f("fk_access_requests_visit_id_visits")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["users.id"],
            name=op.f("fk_access_requests_requested_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_access_requests_decided_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_requests")),
        sa.UniqueConstraint("row_key", name=op.f("uq_access_requests_row_key")),
    )
    with op.batch_alter_table("access_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_access_requests_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_access_requests_subject_id"), ["subject_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_access_requests_visit_id"), ["visit_id"], unique=False)

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("awaiting_approval", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("visit_members", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("awaiting_approval", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    op.execute("DELETE FROM visit_members WHERE awaiting_approval")
    op.execute("UPDATE users SET active = false WHERE awaiting_approval")
    with op.batch_alter_table("visit_members", schema=None) as batch_op:
        batch_op.drop_column("awaiting_approval")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("awaiting_approval")
    with op.batch_alter_table("access_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_access_requests_visit_id"))
        batch_op.drop_index(batch_op.f("ix_access_requests_subject_id"))
        batch_op.drop_index(batch_op.f("ix_access_requests_status"))
    op.drop_table("access_requests")
