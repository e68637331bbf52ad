"""Every migration runs up and down; the models and the head migration agree."""

from __future__ import annotations

from datetime import timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import column as sql_column
from sqlalchemy import insert, inspect, select, update
from sqlalchemy import table as sql_table
from sqlalchemy.exc import IntegrityError

from tests.factories import add, build_world, make_interview, make_visit
from tests.support import Account
from visits import crypto
from visits.crypto.fields import field_aad
from visits.extensions import db
from visits.models import (
    Attachment,
    ChecklistAnswer,
    ChecklistItem,
    ChecklistKind,
    Finding,
    FindingReview,
    Interview,
    ReprisalCheck,
    ReprisalCheckOutcome,
    ReprisalOutcome,
    ReviewState,
    SetAsideBecause,
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
# Where a later migration moved a value (0009: a check's note into its outcomes' history).
MOVED_AT_HEAD = {("reprisal_checks", "note"): ("reprisal_check_outcomes", "note")}
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
        outcome = ReprisalCheckOutcome(
            check_id=world.check_id,
            visit_id=world.next_visit_id,
            outcome=ReprisalOutcome.NO_SIGNS,
            recorded_by_id=monitor_id,
        )
        db.session.add(outcome)
        db.session.flush()
        ids = {
            "visits": world.visit_id,
            "interviews": world.interview_id,
            "findings": world.finding_id,
            "attachments": world.attachment_id,
            "checklist_answers": visit.answers[0].id,
            "reprisal_checks": world.check_id,
            "visit_events": event.id,
            "reprisal_check_outcomes": outcome.id,
        }
        models = {
            "visits": Visit,
            "interviews": Interview,
            "findings": Finding,
            "attachments": Attachment,
            "checklist_answers": ChecklistAnswer,
            "visit_events": VisitEvent,
            "reprisal_check_outcomes": ReprisalCheckOutcome,
        }
        for (table, column), value in PLAIN_BEFORE_0006.items():
            table, column = at_head(table, column)
            setattr(db.session.get(models[table], ids[table]), column, value)
        db.session.commit()
    return ids


def at_head(table: str, column: str) -> tuple[str, str]:
    return MOVED_AT_HEAD.get((table, column), (table, column))


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
        "reprisal_check_outcomes": db.session.get(
            ReprisalCheckOutcome, ids["reprisal_check_outcomes"]
        ),
        "visit_events": db.session.get(VisitEvent, ids["visit_events"]),
    }
    values = {}
    for table, column in PLAIN_BEFORE_0006:
        head_table, head_column = at_head(table, column)
        values[(table, column)] = getattr(loaded[head_table], head_column)
    return values


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
                head_table, head_column = at_head(table, column)
                stored = raw(head_table, head_column, ids[head_table])
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


# --- 0009: a reprisal check's outcome becomes the first line of its history ---------------


def reprisal_scene(app: Flask, monitor_id: int) -> dict[str, int]:
    """Four checks of the world's place, and the later visits that recorded three of them."""
    world = build_world(app, monitor_id)
    with app.app_context():
        visit = db.session.get(Visit, world.visit_id)
        assert visit is not None
        later = visit.end_date + timedelta(days=30)
        recorder = make_visit(visit.place, monitor_id, status=VisitStatus.ON_SITE, start_date=later)
        cancelled = make_visit(
            visit.place, monitor_id, status=VisitStatus.CANCELLED, start_date=later
        )
        deleted = make_visit(visit.place, monitor_id, status=VisitStatus.ANALYSIS, start_date=later)
        deleted.deleted_at = utcnow()
        checks = {"recorded": world.check_id}
        for number, name in ((2, "by_cancelled"), (3, "by_deleted"), (4, "pending")):
            interview = make_interview(visit, monitor_id, number=number, reprisal_risk=True)
            checks[name] = add(ReprisalCheck(place=visit.place, interview=interview)).id
        db.session.commit()
        return {
            **checks,
            "recorder": recorder.id,
            "cancelled": cancelled.id,
            "deleted": deleted.id,
            "next_visit": world.next_visit_id,
        }


def record_at_0008(check_id: int, visit_id: int, user_id: int, status: str, note: str) -> None:
    """What the old service wrote on the check itself, the note encrypted for its row."""
    row_key = raw("reprisal_checks", "row_key", check_id)
    db.session.execute(
        update(sql_table("reprisal_checks", *map(sql_column, CHECK_COLUMNS_AT_0008)))
        .where(sql_column("id") == check_id)
        .values(
            status=status,
            checked_visit_id=visit_id,
            checked_by_id=user_id,
            checked_at=utcnow(),
            note=crypto.encrypt(note, field_aad("reprisal_checks", "note", row_key)),
        )
    )


CHECK_COLUMNS_AT_0008 = ("status", "checked_visit_id", "checked_by_id", "checked_at", "note")


def state_at_0008(check_id: int) -> tuple[str, int | None, str]:
    """(status, visit that checked, note decrypted) as the old schema holds them."""
    status, visit_id, note, row_key = db.session.execute(
        select(*map(sql_column, ("status", "checked_visit_id", "note", "row_key")))
        .select_from(sql_table("reprisal_checks"))
        .where(sql_column("id") == check_id)
    ).one()
    plain = crypto.decrypt(note, field_aad("reprisal_checks", "note", row_key)) if note else ""
    return status, visit_id, plain


def history(check_id: int) -> list[tuple[int, ReprisalOutcome, str, SetAsideBecause | None]]:
    check = db.session.get(ReprisalCheck, check_id)
    assert check is not None
    return [
        (entry.visit_id, entry.outcome, entry.note, entry.set_aside_because)
        for entry in check.outcomes
    ]


def test_0009_moves_recorded_outcomes_into_their_history_and_back(
    app: Flask, monitor: Account
) -> None:
    ids = reprisal_scene(app, monitor.id)
    with app.app_context():
        migrate_to("0008")
        record_at_0008(ids["recorded"], ids["recorder"], monitor.id, "no_signs", "Seen alone")
        record_at_0008(ids["by_cancelled"], ids["cancelled"], monitor.id, "no_signs", "Calm")
        record_at_0008(ids["by_deleted"], ids["deleted"], monitor.id, "signs_found", "Bruises")
        db.session.commit()

        migrate_to("head")
        with app.app_context():
            columns = {c["name"] for c in inspect(db.engine).get_columns("reprisal_checks")}
            assert not columns & {*CHECK_COLUMNS_AT_0008, "row_key"}
            assert history(ids["recorded"]) == [
                (ids["recorder"], ReprisalOutcome.NO_SIGNS, "Seen alone", None)
            ]
            # A visit since cancelled or deleted vouches for nobody: its check is open again.
            assert history(ids["by_cancelled"]) == [
                (
                    ids["cancelled"],
                    ReprisalOutcome.NO_SIGNS,
                    "Calm",
                    SetAsideBecause.VISIT_CANCELLED,
                )
            ]
            assert history(ids["by_deleted"]) == [
                (
                    ids["deleted"],
                    ReprisalOutcome.SIGNS_FOUND,
                    "Bruises",
                    SetAsideBecause.VISIT_DELETED,
                )
            ]
            assert history(ids["pending"]) == []
            is_open = select(ReprisalCheck.id).where(ReprisalCheck.is_open())
            assert set(db.session.scalars(is_open)) == {
                ids["by_cancelled"],
                ids["by_deleted"],
                ids["pending"],
            }
            for outcome_id in db.session.scalars(select(ReprisalCheckOutcome.id)):
                assert raw("reprisal_check_outcomes", "note", outcome_id).startswith("enc1:")
            # A later outcome from another visit: the latest that stands goes back down.
            db.session.add(
                ReprisalCheckOutcome(
                    check_id=ids["recorded"],
                    visit_id=ids["next_visit"],
                    outcome=ReprisalOutcome.SIGNS_FOUND,
                    note="Threatened by a guard",
                    recorded_by_id=monitor.id,
                )
            )
            db.session.commit()

        migrate_to("0008")
        with app.app_context():
            assert state_at_0008(ids["recorded"]) == (
                "signs_found",
                ids["next_visit"],
                "Threatened by a guard",
            )
            for name in ("by_cancelled", "by_deleted", "pending"):
                assert state_at_0008(ids[name]) == ("pending", None, ""), name
            assert "reprisal_check_outcomes" not in table_names(app)

        migrate_to("head")
        with app.app_context():
            assert history(ids["recorded"]) == [
                (ids["next_visit"], ReprisalOutcome.SIGNS_FOUND, "Threatened by a guard", None)
            ]


# --- 0011: a finding's latest decision starts its review history; sent visits dated ----------


def test_0011_starts_each_reviewed_findings_history_and_dates_sent_visits(
    app: Flask, monitor: Account, supervisor: Account
) -> None:
    world = build_world(app, monitor.id)
    with app.app_context():
        migrate_to("0009")
        # Returned with a comment, revised and submitted again, as the old schema kept it.
        row_key = raw("findings", "row_key", world.finding_id)
        reviewed_at = utcnow() - timedelta(days=2)
        db.session.execute(
            update(sql_table("findings", *map(sql_column, FINDING_REVIEW_AT_0009)))
            .where(sql_column("id") == world.finding_id)
            .values(
                review_state="submitted",
                review_comment=crypto.encrypt(
                    "Name the officers' unit", field_aad("findings", "review_comment", row_key)
                ),
                reviewed_by_id=supervisor.id,
                reviewed_at=reviewed_at,
            )
        )
        db.session.execute(
            update(sql_table("visits", sql_column("status")))
            .where(sql_column("id") == world.visit_id)
            .values(status="sent")
        )
        db.session.execute(
            insert(sql_table("visit_events", *map(sql_column, EVENT_AT_0009))).values(
                visit_id=world.visit_id,
                user_id=supervisor.id,
                from_status="approved",
                to_status="sent",
                comment="",
                row_key="0" * 32,
                created_at=reviewed_at,
            )
        )
        db.session.commit()

        migrate_to("head")
        with app.app_context():
            history = db.session.scalars(
                select(FindingReview).where(FindingReview.finding_id == world.finding_id)
            ).all()
            assert [(step.step, step.comment, step.user_id) for step in history] == [
                (ReviewState.RETURNED, "Name the officers' unit", supervisor.id)
            ]
            assert raw("finding_reviews", "comment", history[0].id).startswith("enc1:")
            visit = db.session.get_one(Visit, world.visit_id)
            assert (visit.sent_on, visit.letter_reference) == (reviewed_at.date(), "")
            assert db.session.get_one(Visit, world.next_visit_id).sent_on is None

        migrate_to("0009")
        with app.app_context():
            assert "finding_reviews" not in table_names(app)
            assert raw("findings", "reviewed_by_id", world.finding_id) == str(supervisor.id)
        migrate_to("head")


FINDING_REVIEW_AT_0009 = ("review_state", "review_comment", "reviewed_by_id", "reviewed_at")
EVENT_AT_0009 = (
    "visit_id",
    "user_id",
    "from_status",
    "to_status",
    "comment",
    "row_key",
    "created_at",
)


# --- 0012: items of the visit phases are answered done / not done --------------------------


def set_answer(answer_id: int, value: str | None) -> None:
    db.session.execute(
        update(sql_table("checklist_answers", sql_column("answer")))
        .where(sql_column("id") == answer_id)
        .values(answer=value)
    )


def refuses(answer_id: int, value: str) -> None:
    """The column's check constraint refuses ``value``."""
    with pytest.raises(IntegrityError), db.session.begin_nested():
        set_answer(answer_id, value)
    db.session.rollback()


def test_0012_moves_phase_answers_to_done_and_back(app: Flask, monitor: Account) -> None:
    world = build_world(app, monitor.id)
    with app.app_context():
        visit = db.session.get(Visit, world.visit_id)
        assert visit is not None
        values = ("observed", "not_observed", "not_applicable", None)
        phase = []
        for position in range(len(values)):
            item = add(
                ChecklistItem(
                    kind=ChecklistKind.PHASE,
                    position=position,
                    text_en=f"Step {position}",
                    text_ru=f"Шаг {position}",
                    text_ky=f"Кадам {position}",
                )
            )
            phase.append(add(ChecklistAnswer(visit=visit, item=item, note="")).id)
        thematic = visit.answers[0].id
        db.session.commit()

        migrate_to("0009")
        for answer_id, value in zip(phase, values, strict=True):
            set_answer(answer_id, value)
        set_answer(thematic, "observed")
        db.session.commit()

        migrate_to("head")
        assert [raw("checklist_answers", "answer", i) for i in phase] == [
            "done",
            "not_done",
            "not_applicable",
            "None",
        ]
        assert raw("checklist_answers", "answer", thematic) == "observed"
        # The column takes the new values (its check constraint was widened) ...
        set_answer(phase[3], "done")
        db.session.commit()
        refuses(phase[3], "seen")

        migrate_to("0009")
        assert [raw("checklist_answers", "answer", i) for i in phase] == [
            "observed",
            "not_observed",
            "not_applicable",
            "observed",
        ]
        # ... and no longer once they are gone.
        refuses(phase[3], "done")
        migrate_to("head")
