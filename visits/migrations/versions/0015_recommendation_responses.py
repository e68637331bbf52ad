"""What the authorities answered to recommendations, their progress reports and the
NPM's assessments.

Adds ``recommendation_responses`` (the text encrypted; the authority's answer and
the assessed implementation status each in its own column) and the recommendations
each one answers (one response may answer several of the same letter).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08 00:11:10.122568
"""

import sqlalchemy as sa
from alembic import op


revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recommendation_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "response",
                "progress",
                "assessment",
                name="kind",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("letter_id", sa.Integer(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column(
            "answer",
            sa.Enum(
                "no_answer",
                "accepted",
                "partly_accepted",
                "rejected",
                name="answer",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=True,
        ),
        sa.Column(
            "assessed_status",
            sa.Enum(
                "draft",
                "approved",
                "sent",
                "awaiting_response",
                "response_received",
                "implemented",
                "partially_implemented",
                "in_progress",
                "not_implemented",
                "no_longer_relevant",
                name="assessed_status",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=True,
        ),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("row_key", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["letter_id"],
            ["recommendation_letters.id"],
            name=op.f("fk_recommendation_responses_letter_id_recommendation_letters"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_recommendation_responses_recorded_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendation_responses")),
        sa.UniqueConstraint("row_key", name=op.f("uq_recommendation_responses_row_key")),
    )
    with op.batch_alter_table("recommendation_responses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recommendation_responses_letter_id"), ["letter_id"], unique=False
        )

    op.create_table(
        "recommendation_response_items",
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("recommendation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendations.id"],
            name=op.f("fk_recommendation_response_items_recommendation_id_recommendations"),
        ),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["recommendation_responses.id"],
            name=op.f("fk_recommendation_response_items_response_id_recommendation_responses"),
        ),
        sa.PrimaryKeyConstraint(
            "response_id", "recommendation_id", name=op.f("pk_recommendation_response_items")
        ),
    )
    with op.batch_alter_table("recommendation_response_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recommendation_response_items_recommendation_id"),
            ["recommendation_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("recommendation_response_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recommendation_response_items_recommendation_id"))

    op.drop_table("recommendation_response_items")
    with op.batch_alter_table("recommendation_responses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recommendation_responses_letter_id"))

    op.drop_table("recommendation_responses")
