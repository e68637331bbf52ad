"""A finding's review keeps its history; a sent visit keeps its letter's date and reference.

``finding_reviews`` holds each step of a finding's review (submitted,
accepted, returned, with the supervisor's comment, encrypted). The latest
decision recorded on each finding so far becomes its first row, its comment
re-encrypted for the new row (a value's associated data names its table,
column and row). The finding keeps its latest decision as before.

``visits.sent_on`` and ``visits.letter_reference``: when the report went to
the authorities, and under which outgoing reference. A visit already sent
takes the day of its move to "sent" from its history; its reference stays
empty.

The downgrade drops both (the finding's latest decision is still on it).

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-12 09:00:00.000000
"""

import secrets

import sqlalchemy as sa
from alembic import op

from visits import crypto

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

REVIEW_STATES = ("draft", "submitted", "accepted", "returned")

findings = sa.table(
    "findings",
    sa.column("id", sa.Integer),
    sa.column("row_key", sa.String),
    sa.column("review_state", sa.String),
    sa.column("review_comment", sa.Text),
    sa.column("reviewed_by_id", sa.Integer),
    sa.column("reviewed_at", sa.DateTime(timezone=True)),
)
reviews = sa.table(
    "finding_reviews",
    sa.column("id", sa.Integer),
    sa.column("row_key", sa.String),
    sa.column("finding_id", sa.Integer),
    sa.column("step", sa.String),
    sa.column("comment", sa.Text),
    sa.column("user_id", sa.Integer),
    sa.column("created_at", sa.DateTime(timezone=True)),
)
visits = sa.table(
    "visits",
    sa.column("id", sa.Integer),
    sa.column("status", sa.String),
    sa.column("sent_on", sa.Date),
    sa.column("letter_reference", sa.String),
)
events = sa.table(
    "visit_events",
    sa.column("id", sa.Integer),
    sa.column("visit_id", sa.Integer),
    sa.column("to_status", sa.String),
    sa.column("created_at", sa.DateTime(timezone=True)),
)


def moved_comment(comment: str, source_key: str, target_key: str) -> str:
    """The comment encrypted for its new table and row (empty stays empty)."""
    if not comment:
        return ""
    target = f"finding_reviews.comment.{target_key}"
    if not crypto.is_encrypted(comment):
        return crypto.encrypt(comment, target)
    try:
        plain = crypto.decrypt(comment, f"findings.review_comment.{source_key}")
    except crypto.DecryptionError as error:
        raise RuntimeError(
            f"a review comment of a finding ({error}) could not be decrypted; restore that "
            "row from a backup and run the migration again"
        ) from error
    return crypto.encrypt(plain, target)


def upgrade() -> None:
    op.create_table(
        "finding_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("finding_id", sa.Integer(), nullable=False),
        sa.Column(
            "step",
            sa.Enum(
                *REVIEW_STATES, name="step", native_enum=False, create_constraint=True, length=30
            ),
            nullable=False,
        ),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("row_key", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["finding_id"], ["findings.id"], name=op.f("fk_finding_reviews_finding_id_findings")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_finding_reviews_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finding_reviews")),
        sa.UniqueConstraint("row_key", name=op.f("uq_finding_reviews_row_key")),
    )
    with op.batch_alter_table("finding_reviews", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_finding_reviews_finding_id"), ["finding_id"], unique=False
        )
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sent_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("letter_reference", sa.String(length=100), nullable=True))
    copy_latest_decisions()
    date_sent_visits()
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.alter_column(
            "letter_reference", existing_type=sa.String(length=100), nullable=False
        )


def copy_latest_decisions() -> None:
    """Each finding reviewed so far: its latest decision, as the first row of its history."""
    bind = op.get_bind()
    decided = bind.execute(
        sa.select(findings)
        .where(findings.c.reviewed_at.is_not(None), findings.c.reviewed_by_id.is_not(None))
        .order_by(findings.c.id)
    ).all()
    for row in decided:
        # Submitted again since: the decision it carries was a return.
        step = "accepted" if row.review_state == "accepted" else "returned"
        row_key = secrets.token_hex(16)
        bind.execute(
            sa.insert(reviews).values(
                row_key=row_key,
                finding_id=row.id,
                step=step,
                comment=moved_comment(row.review_comment or "", row.row_key, row_key),
                user_id=row.reviewed_by_id,
                created_at=row.reviewed_at,
            )
        )


def date_sent_visits() -> None:
    """A visit sent already: the day of its move to "sent"; no reference is known."""
    bind = op.get_bind()
    bind.execute(sa.update(visits).values(letter_reference=""))
    moves = bind.execute(
        sa.select(events.c.visit_id, events.c.created_at)
        .where(events.c.to_status == "sent")
        .order_by(events.c.id)
    ).all()
    for visit_id, moved_at in moves:
        bind.execute(
            sa.update(visits).where(visits.c.id == visit_id).values(sent_on=moved_at.date())
        )


def downgrade() -> None:
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.drop_column("letter_reference")
        batch_op.drop_column("sent_on")
    with op.batch_alter_table("finding_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_finding_reviews_finding_id"))
    op.drop_table("finding_reviews")
