"""Reprisal checks keep the history of their outcomes.

Each outcome a visit recorded becomes a row of ``reprisal_check_outcomes``
(visit, outcome, note, who, when, and whether it still stands); a check's
state is the latest outcome that stands. The outcomes recorded so far move
there, their notes re-encrypted for their new row (a value's associated
data names its table, column and row). One recorded by a visit since
cancelled or deleted moves as set aside: such a visit vouches for nobody's
safety, and its check is open again. The check keeps its place and interview.

The downgrade moves each check's latest outcome that stands back onto the
check (a check none stands for is pending again) and drops the history.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-10 09:00:00.000000
"""

import secrets
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from visits import crypto

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

OUTCOMES = ("no_signs", "signs_found")
SET_ASIDE_BECAUSE = ("visit_cancelled", "visit_deleted")
STATUSES = ("pending", *OUTCOMES)

checks = sa.table(
    "reprisal_checks",
    sa.column("id", sa.Integer),
    sa.column("row_key", sa.String),
    sa.column("status", sa.String),
    sa.column("checked_visit_id", sa.Integer),
    sa.column("note", sa.Text),
    sa.column("checked_by_id", sa.Integer),
    sa.column("checked_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)
outcomes = sa.table(
    "reprisal_check_outcomes",
    sa.column("id", sa.Integer),
    sa.column("row_key", sa.String),
    sa.column("check_id", sa.Integer),
    sa.column("visit_id", sa.Integer),
    sa.column("outcome", sa.String),
    sa.column("note", sa.Text),
    sa.column("recorded_by_id", sa.Integer),
    sa.column("recorded_at", sa.DateTime(timezone=True)),
    sa.column("set_aside_at", sa.DateTime(timezone=True)),
    sa.column("set_aside_because", sa.String),
)
visits = sa.table(
    "visits",
    sa.column("id", sa.Integer),
    sa.column("status", sa.String),
    sa.column("deleted_at", sa.DateTime(timezone=True)),
)


def enum(name: str, values: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=30)


def moved_note(note: str, source: str, source_key: str, target: str, target_key: str) -> str:
    """The note encrypted for its new table and row (empty stays empty)."""
    if not note:
        return ""
    if not crypto.is_encrypted(note):
        return crypto.encrypt(note, f"{target}.note.{target_key}")
    try:
        plain = crypto.decrypt(note, f"{source}.note.{source_key}")
    except crypto.DecryptionError as error:
        raise RuntimeError(
            f"a note of {source} ({error}) could not be decrypted; restore that row from "
            "a backup and run the migration again"
        ) from error
    return crypto.encrypt(plain, f"{target}.note.{target_key}")


def upgrade() -> None:
    op.create_table(
        "reprisal_check_outcomes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("check_id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("outcome", enum("outcome", OUTCOMES), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("set_aside_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "set_aside_because", enum("set_aside_because", SET_ASIDE_BECAUSE), nullable=True
        ),
        sa.Column("row_key", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["check_id"],
            ["reprisal_checks.id"],
            name=op.f("fk_reprisal_check_outcomes_check_id_reprisal_checks"),
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.id"], name=op.f("fk_reprisal_check_outcomes_visit_id_visits")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_reprisal_check_outcomes_recorded_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reprisal_check_outcomes")),
        sa.UniqueConstraint("row_key", name=op.f("uq_reprisal_check_outcomes_row_key")),
    )
    with op.batch_alter_table("reprisal_check_outcomes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reprisal_check_outcomes_check_id"), ["check_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_reprisal_check_outcomes_visit_id"), ["visit_id"], unique=False
        )

    move_outcomes_to_history()

    with op.batch_alter_table("reprisal_checks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reprisal_checks_status"))
        batch_op.drop_constraint(batch_op.f("ck_reprisal_checks_status"), type_="check")
        batch_op.drop_constraint(
            batch_op.f("fk_reprisal_checks_checked_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_reprisal_checks_checked_visit_id_visits"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("uq_reprisal_checks_row_key"), type_="unique")
        batch_op.drop_column("status")
        batch_op.drop_column("checked_visit_id")
        batch_op.drop_column("note")
        batch_op.drop_column("checked_by_id")
        batch_op.drop_column("checked_at")
        batch_op.drop_column("row_key")


def move_outcomes_to_history() -> None:
    """One history row per recorded check; set aside when its visit is cancelled or deleted."""
    bind = op.get_bind()
    now = datetime.now(UTC)
    recorded = bind.execute(
        sa.select(checks, visits.c.status.label("visit_status"), visits.c.deleted_at)
        .join(visits, visits.c.id == checks.c.checked_visit_id, isouter=True)
        .where(checks.c.status != "pending")
        .order_by(checks.c.id)
    ).all()
    for row in recorded:
        if row.checked_visit_id is None or row.checked_by_id is None:
            raise RuntimeError(
                f"reprisal check {row.id} is recorded without its visit or its author; "
                "set them (or set it back to pending) and run the migration again"
            )
        because = None
        if row.deleted_at is not None:
            because = "visit_deleted"
        elif row.visit_status == "cancelled":
            because = "visit_cancelled"
        row_key = secrets.token_hex(16)
        bind.execute(
            sa.insert(outcomes).values(
                row_key=row_key,
                check_id=row.id,
                visit_id=row.checked_visit_id,
                outcome=row.status,
                note=moved_note(
                    row.note, "reprisal_checks", row.row_key, "reprisal_check_outcomes", row_key
                ),
                recorded_by_id=row.checked_by_id,
                recorded_at=row.checked_at or row.updated_at,
                set_aside_at=now if because else None,
                set_aside_because=because,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("reprisal_checks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status", enum("status", STATUSES), nullable=True))
        batch_op.add_column(sa.Column("checked_visit_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("note", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("checked_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("row_key", sa.String(length=32), nullable=True))

    move_latest_outcomes_back()

    with op.batch_alter_table("reprisal_checks", schema=None) as batch_op:
        batch_op.alter_column("status", existing_type=enum("status", STATUSES), nullable=False)
        batch_op.alter_column("note", existing_type=sa.Text(), nullable=False)
        batch_op.alter_column("row_key", existing_type=sa.String(length=32), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_reprisal_checks_row_key"), ["row_key"])
        batch_op.create_foreign_key(
            batch_op.f("fk_reprisal_checks_checked_by_id_users"),
            "users",
            ["checked_by_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_reprisal_checks_checked_visit_id_visits"),
            "visits",
            ["checked_visit_id"],
            ["id"],
        )
        batch_op.create_index(batch_op.f("ix_reprisal_checks_status"), ["status"], unique=False)

    with op.batch_alter_table("reprisal_check_outcomes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reprisal_check_outcomes_visit_id"))
        batch_op.drop_index(batch_op.f("ix_reprisal_check_outcomes_check_id"))
    op.drop_table("reprisal_check_outcomes")


def move_latest_outcomes_back() -> None:
    """Each check gets a row key and its latest standing outcome, or is pending."""
    bind = op.get_bind()
    latest: dict[int, sa.Row] = {}
    for entry in bind.execute(
        sa.select(outcomes).where(outcomes.c.set_aside_at.is_(None)).order_by(outcomes.c.id)
    ).all():
        latest[entry.check_id] = entry
    for check_id in bind.execute(sa.select(checks.c.id).order_by(checks.c.id)).scalars().all():
        row_key = secrets.token_hex(16)
        values = {"row_key": row_key, "status": "pending", "note": ""}
        entry = latest.get(check_id)
        if entry is not None:
            values |= {
                "status": entry.outcome,
                "checked_visit_id": entry.visit_id,
                "checked_by_id": entry.recorded_by_id,
                "checked_at": entry.recorded_at,
                "note": moved_note(
                    entry.note, "reprisal_check_outcomes", entry.row_key, "reprisal_checks", row_key
                ),
            }
        bind.execute(sa.update(checks).where(checks.c.id == check_id).values(**values))
