"""Places and teams carry their name in Kyrgyz, Russian and English.

``places.name`` and ``teams.name`` become ``name_ky``, ``name_ru`` and
``name_en`` (at least one given, a check says so; a team's are each unique).
The existing name goes to the language it is written in: Cyrillic with a
Kyrgyz letter (ң, ө, ү) or word (жайы, шаары, абагы, ...) to Kyrgyz, other
Cyrillic to Russian, anything else to English; the other two stay empty
until someone enters them.

The downgrade keeps one name per row: the Russian one, else the Kyrgyz,
else the English (a name the upgrade moved comes back as it was).

Revision ID: 0013
Revises: 0009
Create Date: 2026-12-07 22:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

LANGUAGES = ("ky", "ru", "en")
KYRGYZ_LETTERS = frozenset("ңөүҢӨҮ")
# Words of official Kyrgyz names that have no letter of their own.
KYRGYZ_WORDS = frozenset({"жайы", "шаары", "абагы", "колониясы", "мекемеси", "борбору"})
HAS_NAME = "coalesce(name_ky, name_ru, name_en) IS NOT NULL"
LENGTHS = {"places": 200, "teams": 120}


def language_of(name: str) -> str:
    if any(letter in KYRGYZ_LETTERS for letter in name):
        return "ky"
    if KYRGYZ_WORDS & set(name.lower().split()):
        return "ky"
    if any("\u0400" <= letter <= "\u04ff" for letter in name):
        return "ru"
    return "en"


def table(name: str) -> sa.TableClause:
    return sa.table(
        name,
        sa.column("id", sa.Integer),
        sa.column("name", sa.String),
        *(sa.column(f"name_{code}", sa.String) for code in LANGUAGES),
    )


def upgrade() -> None:
    connection = op.get_bind()
    for name, length in LENGTHS.items():
        unique = name == "teams"
        with op.batch_alter_table(name, schema=None) as batch_op:
            for code in LANGUAGES:
                batch_op.add_column(sa.Column(f"name_{code}", sa.String(length), nullable=True))
        rows = table(name)
        for row_id, old in connection.execute(sa.select(rows.c.id, rows.c.name)).all():
            connection.execute(
                sa.update(rows)
                .where(rows.c.id == row_id)
                .values({f"name_{language_of(old or '')}": old or "?"})
            )
        with op.batch_alter_table(name, schema=None) as batch_op:
            if unique:
                batch_op.drop_constraint(batch_op.f("uq_teams_name"), type_="unique")
            batch_op.drop_column("name")
            batch_op.create_check_constraint(batch_op.f(f"ck_{name}_has_name"), HAS_NAME)
            if unique:
                for code in LANGUAGES:
                    batch_op.create_unique_constraint(
                        batch_op.f(f"uq_teams_name_{code}"), [f"name_{code}"]
                    )


def downgrade() -> None:
    connection = op.get_bind()
    for name, length in LENGTHS.items():
        unique = name == "teams"
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.add_column(sa.Column("name", sa.String(length), nullable=True))
        rows = table(name)
        connection.execute(
            sa.update(rows).values(name=sa.func.coalesce(rows.c.name_ru, rows.c.name_ky, rows.c.name_en))
        )
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f"ck_{name}_has_name"), type_="check")
            if unique:
                for code in LANGUAGES:
                    batch_op.drop_constraint(batch_op.f(f"uq_teams_name_{code}"), type_="unique")
            for code in LANGUAGES:
                batch_op.drop_column(f"name_{code}")
            batch_op.alter_column("name", existing_type=sa.String(length), nullable=False)
            if unique:
                batch_op.create_unique_constraint(batch_op.f("uq_teams_name"), ["name"])
