"""The visit methodology: reference data, places, plans, visits, checklists,
interviews, reprisal checks, findings and attachments.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 03:24:45.933348
"""

import sqlalchemy as sa
from alembic import op


revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "authorities",
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("name_ru", sa.String(length=200), nullable=False),
        sa.Column("name_ky", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["authorities.id"],
            name=op.f("fk_authorities_parent_id_authorities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_authorities")),
        sa.UniqueConstraint("code", name=op.f("uq_authorities_code")),
    )
    op.create_table(
        "monitoring_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitoring_plans")),
        sa.UniqueConstraint("year", name=op.f("uq_monitoring_plans_year")),
    )
    op.create_table(
        "place_types",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("name_ru", sa.String(length=200), nullable=False),
        sa.Column("name_ky", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_place_types")),
        sa.UniqueConstraint("code", name=op.f("uq_place_types_code")),
    )
    op.create_table(
        "regions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("name_ru", sa.String(length=200), nullable=False),
        sa.Column("name_ky", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_regions")),
        sa.UniqueConstraint("code", name=op.f("uq_regions_code")),
    )
    op.create_table(
        "checklist_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "phase",
                "thematic",
                name="kind",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
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
            nullable=True,
        ),
        sa.Column("text_en", sa.Text(), nullable=False),
        sa.Column("text_ru", sa.Text(), nullable=False),
        sa.Column("text_ky", sa.Text(), nullable=False),
        sa.Column("place_type_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("replaces_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["place_type_id"],
            ["place_types.id"],
            name=op.f("fk_checklist_items_place_type_id_place_types"),
        ),
        sa.ForeignKeyConstraint(
            ["replaces_id"],
            ["checklist_items.id"],
            name=op.f("fk_checklist_items_replaces_id_checklist_items"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklist_items")),
    )
    with op.batch_alter_table("checklist_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_checklist_items_active"), ["active"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_checklist_items_place_type_id"),
            ["place_type_id"],
            unique=False,
        )

    op.create_table(
        "places",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("place_type_id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("authority_id", sa.Integer(), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("population_categories", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("deactivation_reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["authority_id"],
            ["authorities.id"],
            name=op.f("fk_places_authority_id_authorities"),
        ),
        sa.ForeignKeyConstraint(
            ["place_type_id"],
            ["place_types.id"],
            name=op.f("fk_places_place_type_id_place_types"),
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_places_region_id_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_places")),
    )
    with op.batch_alter_table("places", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_places_authority_id"), ["authority_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_places_place_type_id"), ["place_type_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_places_region_id"), ["region_id"], unique=False
        )

    op.create_table(
        "visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column(
            "visit_type",
            sa.Enum(
                "comprehensive",
                "follow_up",
                "special",
                "thematic",
                name="visit_type",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "planned",
                "preparing",
                "on_site",
                "analysis",
                "in_review",
                "approved",
                "sent",
                "closed",
                "cancelled",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("announced", sa.Boolean(), nullable=False),
        sa.Column("joint_with", sa.String(length=200), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("population_total", sa.Integer(), nullable=True),
        sa.Column("population_by_category", sa.JSON(), nullable=False),
        sa.Column("interview_shortfall_reason", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_visits_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["place_id"], ["places.id"], name=op.f("fk_visits_place_id_places")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visits")),
    )
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_visits_place_id"), ["place_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_visits_start_date"), ["start_date"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_visits_status"), ["status"], unique=False)

    op.create_table(
        "checklist_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column(
            "answer",
            sa.Enum(
                "observed",
                "not_observed",
                "not_applicable",
                name="answer",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=True,
        ),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["checklist_items.id"],
            name=op.f("fk_checklist_answers_item_id_checklist_items"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_checklist_answers_updated_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["visits.id"],
            name=op.f("fk_checklist_answers_visit_id_visits"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklist_answers")),
        sa.UniqueConstraint(
            "visit_id", "item_id", name=op.f("uq_checklist_answers_visit_id")
        ),
    )
    with op.batch_alter_table("checklist_answers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_checklist_answers_visit_id"), ["visit_id"], unique=False
        )

    op.create_table(
        "findings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
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
            "source_type",
            sa.Enum(
                "observation",
                "detainee_interview",
                "staff_interview",
                "documents",
                "other",
                name="source_type",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column(
            "severity",
            sa.Enum(
                "good_practice",
                "low",
                "medium",
                "high",
                "urgent",
                name="severity",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column(
            "confidentiality",
            sa.Enum(
                "public",
                "internal",
                "confidential",
                name="confidentiality",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column(
            "review_state",
            sa.Enum(
                "draft",
                "submitted",
                "accepted",
                "returned",
                name="review_state",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("review_comment", sa.Text(), nullable=False),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("alleges_ill_treatment", sa.Boolean(), nullable=False),
        sa.Column("allegation_what", sa.Text(), nullable=False),
        sa.Column("allegation_when", sa.String(length=200), nullable=False),
        sa.Column("allegation_by_whom", sa.Text(), nullable=False),
        sa.Column("allegation_medical_evidence", sa.Text(), nullable=False),
        sa.Column("allegation_consent_to_transmit", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_findings_created_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by_id"],
            ["users.id"],
            name=op.f("fk_findings_reviewed_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.id"], name=op.f("fk_findings_visit_id_visits")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_findings")),
        sa.UniqueConstraint("visit_id", "number", name=op.f("uq_findings_visit_id")),
    )
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_findings_review_state"), ["review_state"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_findings_visit_id"), ["visit_id"], unique=False
        )

    op.create_table(
        "interviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("pseudonym", sa.String(length=40), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "individual",
                "group",
                "staff",
                "medical",
                name="kind",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("people_count", sa.Integer(), nullable=False),
        sa.Column("conducted_on", sa.Date(), nullable=True),
        sa.Column("real_name", sa.Text(), nullable=False),
        sa.Column("identifying_details", sa.Text(), nullable=False),
        sa.Column(
            "consent_scope",
            sa.Enum(
                "anonymous",
                "named",
                "none",
                name="consent_scope",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("consent_date", sa.Date(), nullable=True),
        sa.Column("consent_withdrawn_on", sa.Date(), nullable=True),
        sa.Column("reprisal_risk", sa.Boolean(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_interviews_created_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.id"], name=op.f("fk_interviews_visit_id_visits")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interviews")),
        sa.UniqueConstraint("pseudonym", name=op.f("uq_interviews_pseudonym")),
        sa.UniqueConstraint("visit_id", "number", name=op.f("uq_interviews_visit_id")),
    )
    with op.batch_alter_table("interviews", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_interviews_visit_id"), ["visit_id"], unique=False
        )

    op.create_table(
        "planned_visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column(
            "visit_type",
            sa.Enum(
                "comprehensive",
                "follow_up",
                "special",
                "thematic",
                name="visit_type",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=True),
        sa.Column("withdrawn", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "month BETWEEN 1 AND 12", name=op.f("ck_planned_visits_month_in_year")
        ),
        sa.ForeignKeyConstraint(
            ["place_id"], ["places.id"], name=op.f("fk_planned_visits_place_id_places")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["monitoring_plans.id"],
            name=op.f("fk_planned_visits_plan_id_monitoring_plans"),
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.id"], name=op.f("fk_planned_visits_visit_id_visits")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_planned_visits")),
        sa.UniqueConstraint("visit_id", name=op.f("uq_planned_visits_visit_id")),
    )
    with op.batch_alter_table("planned_visits", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_planned_visits_place_id"), ["place_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_planned_visits_plan_id"), ["plan_id"], unique=False
        )

    op.create_table(
        "visit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "from_status",
            sa.Enum(
                "planned",
                "preparing",
                "on_site",
                "analysis",
                "in_review",
                "approved",
                "sent",
                "closed",
                "cancelled",
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
                "planned",
                "preparing",
                "on_site",
                "analysis",
                "in_review",
                "approved",
                "sent",
                "closed",
                "cancelled",
                name="to_status",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_visit_events_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.id"], name=op.f("fk_visit_events_visit_id_visits")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_events")),
    )
    with op.batch_alter_table("visit_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_visit_events_visit_id"), ["visit_id"], unique=False
        )

    op.create_table(
        "visit_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("is_lead", sa.Boolean(), nullable=False),
        sa.Column(
            "expertise",
            sa.Enum(
                "general",
                "lawyer",
                "doctor",
                "psychiatrist",
                "psychologist",
                "social_worker",
                "interpreter",
                name="expertise",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column(
            "gender",
            sa.Enum(
                "female",
                "male",
                "unstated",
                name="gender",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_visit_members_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.id"], name=op.f("fk_visit_members_visit_id_visits")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_members")),
        sa.UniqueConstraint(
            "visit_id", "user_id", name=op.f("uq_visit_members_visit_id")
        ),
    )
    with op.batch_alter_table("visit_members", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_visit_members_user_id"), ["user_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_visit_members_visit_id"), ["visit_id"], unique=False
        )

    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("finding_id", sa.Integer(), nullable=True),
        sa.Column("original_name", sa.String(length=255), nullable=False),
        sa.Column("stored_name", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("caption", sa.String(length=300), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["finding_id"],
            ["findings.id"],
            name=op.f("fk_attachments_finding_id_findings"),
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["users.id"],
            name=op.f("fk_attachments_uploaded_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.id"], name=op.f("fk_attachments_visit_id_visits")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachments")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_attachments_stored_name")),
    )
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_attachments_finding_id"), ["finding_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_attachments_visit_id"), ["visit_id"], unique=False
        )

    op.create_table(
        "finding_interviews",
        sa.Column("finding_id", sa.Integer(), nullable=False),
        sa.Column("interview_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["finding_id"],
            ["findings.id"],
            name=op.f("fk_finding_interviews_finding_id_findings"),
        ),
        sa.ForeignKeyConstraint(
            ["interview_id"],
            ["interviews.id"],
            name=op.f("fk_finding_interviews_interview_id_interviews"),
        ),
        sa.PrimaryKeyConstraint(
            "finding_id", "interview_id", name=op.f("pk_finding_interviews")
        ),
    )
    op.create_table(
        "reprisal_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("interview_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "no_signs",
                "signs_found",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("checked_visit_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("checked_by_id", sa.Integer(), nullable=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["checked_by_id"],
            ["users.id"],
            name=op.f("fk_reprisal_checks_checked_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["checked_visit_id"],
            ["visits.id"],
            name=op.f("fk_reprisal_checks_checked_visit_id_visits"),
        ),
        sa.ForeignKeyConstraint(
            ["interview_id"],
            ["interviews.id"],
            name=op.f("fk_reprisal_checks_interview_id_interviews"),
        ),
        sa.ForeignKeyConstraint(
            ["place_id"], ["places.id"], name=op.f("fk_reprisal_checks_place_id_places")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reprisal_checks")),
        sa.UniqueConstraint(
            "interview_id", name=op.f("uq_reprisal_checks_interview_id")
        ),
    )
    with op.batch_alter_table("reprisal_checks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reprisal_checks_place_id"), ["place_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_reprisal_checks_status"), ["status"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("reprisal_checks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reprisal_checks_status"))
        batch_op.drop_index(batch_op.f("ix_reprisal_checks_place_id"))

    op.drop_table("reprisal_checks")
    op.drop_table("finding_interviews")
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attachments_visit_id"))
        batch_op.drop_index(batch_op.f("ix_attachments_finding_id"))

    op.drop_table("attachments")
    with op.batch_alter_table("visit_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visit_members_visit_id"))
        batch_op.drop_index(batch_op.f("ix_visit_members_user_id"))

    op.drop_table("visit_members")
    with op.batch_alter_table("visit_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visit_events_visit_id"))

    op.drop_table("visit_events")
    with op.batch_alter_table("planned_visits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_planned_visits_plan_id"))
        batch_op.drop_index(batch_op.f("ix_planned_visits_place_id"))

    op.drop_table("planned_visits")
    with op.batch_alter_table("interviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_interviews_visit_id"))

    op.drop_table("interviews")
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_findings_visit_id"))
        batch_op.drop_index(batch_op.f("ix_findings_review_state"))

    op.drop_table("findings")
    with op.batch_alter_table("checklist_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checklist_answers_visit_id"))

    op.drop_table("checklist_answers")
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visits_status"))
        batch_op.drop_index(batch_op.f("ix_visits_start_date"))
        batch_op.drop_index(batch_op.f("ix_visits_place_id"))

    op.drop_table("visits")
    with op.batch_alter_table("places", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_places_region_id"))
        batch_op.drop_index(batch_op.f("ix_places_place_type_id"))
        batch_op.drop_index(batch_op.f("ix_places_authority_id"))

    op.drop_table("places")
    with op.batch_alter_table("checklist_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checklist_items_place_type_id"))
        batch_op.drop_index(batch_op.f("ix_checklist_items_active"))

    op.drop_table("checklist_items")
    op.drop_table("regions")
    op.drop_table("place_types")
    op.drop_table("monitoring_plans")
    op.drop_table("authorities")
