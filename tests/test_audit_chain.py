"""The audit trail's chain: the database refuses changes, ``flask audit verify`` finds them.

Tampering goes through raw SQL with the append-only triggers set aside, as
someone with the database's owner rights could: PostgreSQL's replica mode
for one transaction, or on SQLite dropping the triggers and creating them
again from their own SQL. ``verify`` must then name the row.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Connection, func, select, text
from sqlalchemy.exc import DBAPIError

from tests.support import counting_queries
from visits import audit
from visits.extensions import db
from visits.models import AuditEvent, AuditHead


def add_events(app: Flask, count: int) -> list[int]:
    """``count`` events, each in its own transaction; their ids in order."""
    ids = []
    with app.app_context():
        for number in range(count):
            ids.append(audit.record_now("test.event", object_type="tests", object_id=number).id)
    return ids


@contextmanager
def triggers_set_aside(connection: Connection) -> Iterator[None]:
    """Let this transaction change audit_events, as only the database's owner could."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SET LOCAL session_replication_role = replica"))
        yield
        return
    triggers = connection.execute(
        text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :table"),
        {"table": "audit_events"},
    ).all()
    assert triggers, "the audit trail has no triggers to set aside"
    for name, _sql in triggers:
        connection.execute(text(f'DROP TRIGGER "{name}"'))
    yield
    for _name, sql in triggers:
        connection.execute(text(sql))


def tamper(app: Flask, statement: str, **parameters: Any) -> None:
    with app.app_context(), db.engine.begin() as connection, triggers_set_aside(connection):
        connection.execute(text(statement), parameters)


def verify(app: Flask, *arguments: str) -> Any:
    return app.test_cli_runner().invoke(args=["audit", "verify", *arguments])


def test_verify_passes_on_an_untouched_chain(app: Flask) -> None:
    add_events(app, 5)
    result = verify(app)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "OK: 5 events, chain intact"


def test_verify_passes_on_an_empty_trail(app: Flask) -> None:
    result = verify(app)
    assert result.exit_code == 0
    assert "OK: 0 events, chain intact" in result.output


def test_each_event_holds_the_hash_of_the_one_before(app: Flask) -> None:
    add_events(app, 3)
    with app.app_context():
        events = list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
        head = db.session.get(AuditHead, 1)
        assert head is not None
        assert events[0].prev_hash == audit.GENESIS
        assert [event.prev_hash for event in events[1:]] == [event.hash for event in events[:-1]]
        assert (head.last_id, head.last_hash) == (events[-1].id, events[-1].hash)


def test_verify_names_a_row_changed_behind_the_triggers(app: Flask) -> None:
    ids = add_events(app, 5)
    tamper(
        app,
        "UPDATE audit_events SET details = :details WHERE id = :id",
        details='{"note": "rewritten"}',
        id=ids[2],
    )
    result = verify(app)
    assert result.exit_code == 1
    assert f"BROKEN at event {ids[2]}:" in result.output
    assert "does not match its hash" in result.output
    assert "2 events before it are intact" in result.output


def test_verify_notices_a_changed_row_whose_hash_was_computed_again(app: Flask) -> None:
    ids = add_events(app, 4)
    with app.app_context():
        event = db.session.get(AuditEvent, ids[1])
        assert event is not None
        forged = audit.event_hash(
            event.prev_hash,
            event.created_at,
            event.user_id,
            "test.forged",
            event.object_type,
            event.object_id,
            event.ip,
            event.details,
        )
    tamper(
        app,
        "UPDATE audit_events SET action = 'test.forged', hash = :hash WHERE id = :id",
        hash=forged,
        id=ids[1],
    )
    result = verify(app)
    assert result.exit_code == 1
    # The forged row is consistent in itself; the next one no longer links to it.
    assert f"BROKEN at event {ids[2]}:" in result.output
    assert f"does not match the hash of event {ids[1]}" in result.output


def test_verify_finds_the_gap_a_deleted_row_leaves(app: Flask) -> None:
    ids = add_events(app, 5)
    tamper(app, "DELETE FROM audit_events WHERE id = :id", id=ids[2])
    result = verify(app)
    assert result.exit_code == 1
    assert f"BROKEN at event {ids[3]}:" in result.output
    assert f"does not match the hash of event {ids[1]}" in result.output
    assert "removed" in result.output


def test_verify_notices_that_the_first_events_were_removed(app: Flask) -> None:
    ids = add_events(app, 3)
    tamper(app, "DELETE FROM audit_events WHERE id = :id", id=ids[0])
    result = verify(app)
    assert result.exit_code == 1
    assert f"BROKEN at event {ids[1]}: it does not start the chain" in result.output


def test_verify_notices_that_the_last_events_were_removed(app: Flask) -> None:
    ids = add_events(app, 3)
    tamper(app, "DELETE FROM audit_events WHERE id = :id", id=ids[-1])
    result = verify(app)
    assert result.exit_code == 1
    assert f"the head records event {ids[-1]}" in result.output


def test_the_database_refuses_to_update_an_audit_event(app: Flask) -> None:
    (event_id,) = add_events(app, 1)
    with app.app_context(), db.engine.connect() as connection:
        with pytest.raises(DBAPIError, match="append-only"):
            connection.execute(
                text("UPDATE audit_events SET details = '{}' WHERE id = :id"), {"id": event_id}
            )
        connection.rollback()
    assert verify(app).exit_code == 0


def test_the_database_refuses_to_delete_an_audit_event(app: Flask) -> None:
    add_events(app, 2)
    with app.app_context(), db.engine.connect() as connection:
        with pytest.raises(DBAPIError, match="append-only"):
            connection.execute(text("DELETE FROM audit_events"))
        connection.rollback()
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditEvent.id))) == 2


def test_verify_reads_the_trail_in_batches(app: Flask) -> None:
    add_events(app, 7)
    with counting_queries(app) as statements:
        result = verify(app, "--batch-size", "3")
    assert result.exit_code == 0, result.output
    assert "OK: 7 events" in result.output
    reads = [sql for sql in statements if "FROM audit_events" in sql]
    # 3 + 3 + 1 events, then one query that finds no more: never all at once.
    assert len(reads) == 4
    assert all("LIMIT" in sql for sql in reads)


def test_a_rolled_back_change_leaves_no_event_and_an_intact_chain(app: Flask) -> None:
    add_events(app, 1)
    with app.app_context():
        audit.record("test.rolled_back")
        db.session.rollback()
    add_events(app, 1)
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "test.rolled_back" not in actions
    assert verify(app).exit_code == 0


def test_events_recorded_after_a_commit_chain_onto_the_new_head(app: Flask) -> None:
    """A session that keeps the head loaded across commits must not fork the chain."""
    with app.app_context():
        audit.record_now("test.first")
        audit.record_now("test.second")
        audit.record("test.third")
        db.session.commit()
    result = verify(app)
    assert result.exit_code == 0, result.output
    assert "OK: 3 events" in result.output


def test_changed_fields_names_fields_not_values(app: Flask) -> None:
    with app.app_context():
        event = audit.record_now("test.event", object_type="tests")
        event.details = "changed"
        event.object_id = 7
        assert audit.changed_fields(event) == ["details", "object_id"]
        db.session.rollback()


def test_seed_demo_leaves_a_verifiable_trail(app: Flask) -> None:
    runner = app.test_cli_runner()
    seeded = runner.invoke(args=["seed-demo", "--password", "demo passphrase 1"])
    assert seeded.exit_code == 0, seeded.output
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions.count("demo.seed") == 1
    assert actions.count("user.create") == 4
    result = verify(app)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK: ")
