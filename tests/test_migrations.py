"""Every migration runs up and down; the models and the head migration agree."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import column as sql_column
from sqlalchemy import insert, inspect, select
from sqlalchemy import table as sql_table

from tests.factories import build_world
from tests.support import Account
from visits.extensions import db
from visits.models import (
    Attachment,
    ChecklistAnswer,
    Finding,
    Interview,
    ReprisalCheck,
    Visit,
    VisitEvent,
    VisitStatus,
)
from visits.models.base import utcnow


def table_names(app: Flask) -> set[str]:
    return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_migrations_run_down_to_base_and_up_to_head(app: Flask) -> None:
    with app.app_context():
        assert "users" in table_names(app)
        downgrade(revision="base")
        db.engine.dispose()
        assert table_names(app) == set()
        upgrade()
        db.engine.dispose()
        assert table_names(app) == set(db.metadata.tables)


def test_models_and_head_migration_agree(app: Flask) -> None:
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_constraints_are_named_by_convention(app: Flask) -> None:
    with app.app_context():
        inspector = inspect(db.engine)
        unique = {c["name"] for c in inspector.get_unique_constraints("users")}
        checks = {c["name"] for c in inspector.get_check_constraints("users")}
    assert "uq_users_email" in unique
    assert "ck_users_role" in checks


# --- 0006: a visit's free text encrypted in place -----------------------------------------

# Every column the migration encrypts, with the value a team typed before it.
PLAIN_BEFORE_0006 = {
    ("visits", "joint_with"): "Ombudsman's office, Osh",
    ("visits", "purpose"): "Allegation: Ivanov beaten in cell 4",
    ("visits", "interview_shortfall_reason"): "Most were at court",
    ("visits", "deletion_reason"): "Entered twice",
    ("interviews", "deletion_reason"): "Wrong person",
    ("findings", "title"): "Beatings at arrest",
    ("findings", "review_comment"): "Name the officers' unit",
    ("findings", "deletion_reason"): "Duplicate of F2",
    ("attachments", "original_name"): "ivanov-statement.pdf",
    ("attachments", "caption"): "Statement of Ivanov",
    ("attachments", "deletion_reason"): "Blurred",
    ("checklist_answers", "note"): "No window in cell 4",
    ("reprisal_checks", "note"): "Seen alone; no fear",
    ("visit_events", "comment"): "Add the medical findings",
}
# Written straight into the database at 0004, as a row made before the migration.
EVENT_MADE_AT_0004 = "Cancelled: quarantine"


def rows_of_every_kind(app: Flask, monitor_id: int) -> dict[str, int]:
    """One row per table the migration changes, holding the plain values above."""
    world = build_world(app, monitor_id)
    with app.app_context():
        visit = db.session.get(Visit, world.visit_id)
        assert visit is not None
        event = VisitEvent(
            visit=visit,
            user_id=monitor_id,
            from_status=VisitStatus.IN_REVIEW,
            to_status=VisitStatus.ANALYSIS,
        )
        db.session.add(event)
        db.session.flush()
        ids = {
            "visits": world.visit_id,
            "interviews": world.interview_id,
            "findings": world.finding_id,
            "attachments": world.attachment_id,
            "checklist_answers": visit.answers[0].id,
            "reprisal_checks": world.check_id,
            "visit_events": event.id,
        }
        models = {
            "visits": Visit,
            "interviews": Interview,
            "findings": Finding,
            "attachments": Attachment,
            "checklist_answers": ChecklistAnswer,
            "reprisal_checks": ReprisalCheck,
            "visit_events": VisitEvent,
        }
        for (table, column), value in PLAIN_BEFORE_0006.items():
            setattr(db.session.get(models[table], ids[table]), column, value)
        db.session.commit()
    return ids


def raw(table: str, column: str, row_id: int) -> str:
    return str(
        db.session.execute(
            select(sql_column(column))
            .select_from(sql_table(table))
            .where(sql_column("id") == row_id)
        ).scalar_one()
    )


def read_through_the_models(ids: dict[str, int]) -> dict[tuple[str, str], str]:
    loaded = {
        "visits": db.session.get(Visit, ids["visits"]),
        "interviews": db.session.get(Interview, ids["interviews"]),
        "findings": db.session.get(Finding, ids["findings"]),
        "attachments": db.session.get(Attachment, ids["attachments"]),
        "checklist_answers": db.session.get(ChecklistAnswer, ids["checklist_answers"]),
        "reprisal_checks": db.session.get(ReprisalCheck, ids["reprisal_checks"]),
        "visit_events": db.session.get(VisitEvent, ids["visit_events"]),
    }
    return {(table, column): getattr(loaded[table], column) for table, column in PLAIN_BEFORE_0006}


def migrate_to(revision: str) -> None:
    db.session.remove()
    if revision == "head":
        upgrade()
    else:
        downgrade(revision=revision)
    db.engine.dispose()


def assert_plain_at_0004(ids: dict[str, int]) -> None:
    for (table, column), value in PLAIN_BEFORE_0006.items():
        assert raw(table, column, ids[table]) == value, (table, column)
    inspector = inspect(db.engine)
    assert "row_key" not in {c["name"] for c in inspector.get_columns("visit_events")}
    title = next(c for c in inspector.get_columns("findings") if c["name"] == "title")
    assert getattr(title["type"], "length", None) == 200


def test_0006_encrypts_existing_free_text_and_its_downgrade_restores_it(
    app: Flask, monitor: Account
) -> None:
    ids = rows_of_every_kind(app, monitor.id)
    with app.app_context():
        migrate_to("0004")
        assert_plain_at_0004(ids)
        events = sql_table(
            "visit_events",
            *(
                sql_column(name)
                for name in (
                    "visit_id",
                    "user_id",
                    "from_status",
                    "to_status",
                    "comment",
                    "created_at",
                )
            ),
        )
        made_at_0004 = db.session.execute(
            insert(events)
            .values(
                visit_id=ids["visits"],
                user_id=monitor.id,
                from_status="preparing",
                to_status="cancelled",
                comment=EVENT_MADE_AT_0004,
                created_at=utcnow(),
            )
            .returning(sql_column("id"))
        ).scalar_one()
        db.session.commit()

        migrate_to("head")
        with app.app_context():  # a fresh session: nothing remembered from before
            for (table, column), value in PLAIN_BEFORE_0006.items():
                stored = raw(table, column, ids[table])
                assert stored.startswith("enc1:"), (table, column, stored)
                assert value not in stored
            assert raw("visit_events", "comment", made_at_0004).startswith("enc1:")
            assert read_through_the_models(ids) == PLAIN_BEFORE_0006
            event = db.session.get(VisitEvent, made_at_0004)
            assert event is not None
            assert event.comment == EVENT_MADE_AT_0004

        migrate_to("0004")
        assert_plain_at_0004(ids)
        assert raw("visit_events", "comment", made_at_0004) == EVENT_MADE_AT_0004
        migrate_to("head")
