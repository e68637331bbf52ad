"""Items of the visit phases are answered done / not done.

"The initial talk was held" is done or not done, not observed: the answer
column takes two new values, ``done`` and ``not_done``, and the answers
already given to phase items move to them (observed → done, not observed →
not done; not applicable stays). Thematic answers keep their values.

The downgrade moves phase answers back (done → observed, not done → not
observed) and the column to its three values.

Revision ID: 0012
Revises: 0009
Create Date: 2026-12-07 22:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

BEFORE = ("observed", "not_observed", "not_applicable")
AFTER = ("done", "not_done", *BEFORE)
# Phase answers: the value before → the value after.
MOVES = {"observed": "done", "not_observed": "not_done"}

answers = sa.table(
    "checklist_answers",
    sa.column("id", sa.Integer),
    sa.column("item_id", sa.Integer),
    sa.column("answer", sa.String),
)
items = sa.table("checklist_items", sa.column("id", sa.Integer), sa.column("kind", sa.String))


def enum(values: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(*values, name="answer", native_enum=False, create_constraint=True, length=30)


def change_values(old: tuple[str, ...], new: tuple[str, ...]) -> None:
    with op.batch_alter_table("checklist_answers", schema=None) as batch_op:
        batch_op.alter_column(
            "answer", existing_type=enum(old), type_=enum(new), existing_nullable=True
        )


def move_phase_answers(moves: dict[str, str]) -> None:
    phase_items = sa.select(items.c.id).where(items.c.kind == "phase")
    for before, after in moves.items():
        op.execute(
            answers.update()
            .where(answers.c.answer == before, answers.c.item_id.in_(phase_items))
            .values(answer=after)
        )


def upgrade() -> None:
    change_values(BEFORE, AFTER)
    move_phase_answers(MOVES)


def downgrade() -> None:
    move_phase_answers({after: before for before, after in MOVES.items()})
    change_values(AFTER, BEFORE)
