"""Recommendations to the authorities, their letters, history and quality criteria.

Adds ``recommendations`` (the text in a plain column, searchable: on
PostgreSQL a GIN index on ``to_tsvector('simple', text)``; the rationale and
internal note encrypted), the findings each rests on, the letters that sent
them, their history of status changes, and the APT's "Double-SMART" quality
criteria as reference data (seeded here in English, Russian and Kyrgyz) with
the criteria the approving supervisor found met.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 23:00:00.000000
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

# The APT's "Double-SMART" criteria: (code, English, Russian, Kyrgyz).
CRITERIA = (
    ("specific", "Specific", "Конкретная", "Конкреттүү"),
    ("measurable", "Measurable", "Измеримая", "Өлчөнүүчү"),
    ("achievable", "Achievable", "Достижимая", "Аткарылуучу"),
    (
        "results_oriented",
        "Results-oriented",
        "Ориентированная на результат",
        "Натыйжага багытталган",
    ),
    ("time_bound", "Time-bound", "Ограниченная по срокам", "Мөөнөтү белгиленген"),
    ("solution_suggestive", "Solution-suggestive", "Предлагающая решение", "Чечим сунуштаган"),
    (
        "mindful_of_priorities",
        "Mindful of priorities",
        "Учитывающая приоритеты",
        "Артыкчылыктарды эске алган",
    ),
    ("argued", "Argued", "Обоснованная", "Негизделген"),
    (
        "root_cause_responsive",
        "Root-cause responsive",
        "Устраняющая коренные причины",
        "Негизги себептерге жооп берген",
    ),
    ("targeted", "Targeted", "Адресная", "Даректүү"),
)

FULL_TEXT_INDEX = "ix_recommendations_text_search"


def upgrade() -> None:
    op.create_table(
        "recommendation_criteria",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("name_ru", sa.String(length=200), nullable=False),
        sa.Column("name_ky", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendation_criteria")),
        sa.UniqueConstraint("code", name=op.f("uq_recommendation_criteria_code")),
    )
    op.create_table(
        "recommendation_letters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("authority_id", sa.Integer(), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("sent_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["authority_id"],
            ["authorities.id"],
            name=op.f("fk_recommendation_letters_authority_id_authorities"),
        ),
        sa.ForeignKeyConstraint(
            ["sent_by_id"], ["users.id"], name=op.f("fk_recommendation_letters_sent_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendation_letters")),
    )
    with op.batch_alter_table("recommendation_letters", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recommendation_letters_authority_id"), ["authority_id"], unique=False
        )

    op.create_table(
        "recommendations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("internal_note", sa.Text(), nullable=False),
        sa.Column("authority_id", sa.Integer(), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=True),
        sa.Column(
            "area",
            sa.Enum(
                "treatment",
                "protection",
                "material_conditions",
                "regime",
                "health_care",
                "personnel",
                "order_discipline",
                "torture",
                "vulnerable_groups",
                name="area",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column(
            "level",
            sa.Enum(
                "facility",
                "ministry",
                "legislation",
                name="level",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column(
            "priority",
            sa.Enum(
                "urgent",
                "high",
                "medium",
                name="priority",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column(
            "source",
            sa.Enum(
                "visit_report",
                "thematic_report",
                "annual_report",
                "spt_report",
                "other",
                name="source",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("source_symbol", sa.String(length=100), nullable=False),
        sa.Column("source_paragraph", sa.String(length=40), nullable=False),
        sa.Column("repeats_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
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
                name="status",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column(
            "authority_answer",
            sa.Enum(
                "no_answer",
                "accepted",
                "partly_accepted",
                "rejected",
                name="authority_answer",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("letter_id", sa.Integer(), nullable=True),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("row_key", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["approved_by_id"], ["users.id"], name=op.f("fk_recommendations_approved_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["authority_id"],
            ["authorities.id"],
            name=op.f("fk_recommendations_authority_id_authorities"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_recommendations_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["letter_id"],
            ["recommendation_letters.id"],
            name=op.f("fk_recommendations_letter_id_recommendation_letters"),
        ),
        sa.ForeignKeyConstraint(
            ["place_id"], ["places.id"], name=op.f("fk_recommendations_place_id_places")
        ),
        sa.ForeignKeyConstraint(
            ["repeats_id"],
            ["recommendations.id"],
            name=op.f("fk_recommendations_repeats_id_recommendations"),
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.id"], name=op.f("fk_recommendations_visit_id_visits")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendations")),
        sa.UniqueConstraint("row_key", name=op.f("uq_recommendations_row_key")),
    )
    with op.batch_alter_table("recommendations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recommendations_authority_id"), ["authority_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_recommendations_due_date"), ["due_date"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_recommendations_letter_id"), ["letter_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_recommendations_place_id"), ["place_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_recommendations_repeats_id"), ["repeats_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_recommendations_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_recommendations_visit_id"), ["visit_id"], unique=False)

    op.create_table(
        "recommendation_criteria_met",
        sa.Column("recommendation_id", sa.Integer(), nullable=False),
        sa.Column("criterion_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["criterion_id"],
            ["recommendation_criteria.id"],
            name=op.f("fk_recommendation_criteria_met_criterion_id_recommendation_criteria"),
        ),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendations.id"],
            name=op.f("fk_recommendation_criteria_met_recommendation_id_recommendations"),
        ),
        sa.PrimaryKeyConstraint(
            "recommendation_id", "criterion_id", name=op.f("pk_recommendation_criteria_met")
        ),
    )
    op.create_table(
        "recommendation_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recommendation_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "from_status",
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
                name="from_status",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=True,
        ),
        sa.Column(
            "to_status",
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
                name="to_status",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("row_key", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendations.id"],
            name=op.f("fk_recommendation_events_recommendation_id_recommendations"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_recommendation_events_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendation_events")),
        sa.UniqueConstraint("row_key", name=op.f("uq_recommendation_events_row_key")),
    )
    with op.batch_alter_table("recommendation_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recommendation_events_recommendation_id"),
            ["recommendation_id"],
            unique=False,
        )

    op.create_table(
        "recommendation_findings",
        sa.Column("recommendation_id", sa.Integer(), nullable=False),
        sa.Column("finding_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["finding_id"],
            ["findings.id"],
            name=op.f("fk_recommendation_findings_finding_id_findings"),
        ),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendations.id"],
            name=op.f("fk_recommendation_findings_recommendation_id_recommendations"),
        ),
        sa.PrimaryKeyConstraint(
            "recommendation_id", "finding_id", name=op.f("pk_recommendation_findings")
        ),
    )
    seed_criteria()
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE INDEX {FULL_TEXT_INDEX} ON recommendations "
            "USING gin (to_tsvector('simple', text))"
        )


def seed_criteria() -> None:
    criteria = sa.table(
        "recommendation_criteria",
        sa.column("code", sa.String),
        sa.column("name_en", sa.String),
        sa.column("name_ru", sa.String),
        sa.column("name_ky", sa.String),
        sa.column("active", sa.Boolean),
        sa.column("position", sa.Integer),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("updated_at", sa.DateTime(timezone=True)),
    )
    now = datetime.now(UTC)
    op.bulk_insert(
        criteria,
        [
            {
                "code": code,
                "name_en": english,
                "name_ru": russian,
                "name_ky": kyrgyz,
                "active": True,
                "position": position,
                "created_at": now,
                "updated_at": now,
            }
            for position, (code, english, russian, kyrgyz) in enumerate(CRITERIA, start=1)
        ],
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {FULL_TEXT_INDEX}")
    op.drop_table("recommendation_findings")
    with op.batch_alter_table("recommendation_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recommendation_events_recommendation_id"))

    op.drop_table("recommendation_events")
    op.drop_table("recommendation_criteria_met")
    with op.batch_alter_table("recommendations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recommendations_visit_id"))
        batch_op.drop_index(batch_op.f("ix_recommendations_status"))
        batch_op.drop_index(batch_op.f("ix_recommendations_repeats_id"))
        batch_op.drop_index(batch_op.f("ix_recommendations_place_id"))
        batch_op.drop_index(batch_op.f("ix_recommendations_letter_id"))
        batch_op.drop_index(batch_op.f("ix_recommendations_due_date"))
        batch_op.drop_index(batch_op.f("ix_recommendations_authority_id"))

    op.drop_table("recommendations")
    with op.batch_alter_table("recommendation_letters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recommendation_letters_authority_id"))

    op.drop_table("recommendation_letters")
    op.drop_table("recommendation_criteria")
