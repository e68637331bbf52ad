"""The audit trail's chain: the database refuses changes, ``flask audit verify`` finds them.

Tampering goes through raw SQL with the append-only triggers set aside, as
someone with the database's owner rights could: PostgreSQL's replica mode
for one transaction, or on SQLite dropping the triggers and creating them
again from their own SQL. ``verify`` must then name the row, even when the
tamperer computes the chain again: without the audit key (which is not in the
database) they can only compute plain SHA-256 or MACs under another key.

Guard: the keyed MAC in visits/audit/chain.py (``event_mac``, and
``verify_chain`` accepting plain SHA-256 only before the first keyed event
and refusing a trail whose last event is not keyed).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Connection, func, insert, select, text, update
from sqlalchemy.exc import DBAPIError

from tests.conftest import app_config
from tests.support import counting_queries
from visits import audit, create_app
from visits.extensions import db
from visits.models import AuditEvent, AuditHead
from visits.models.base import utcnow


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


Digest = Callable[..., str]


def plain_sha256(prev_hash: str, **content: Any) -> str:
    return audit.legacy_event_hash(prev_hash, **content)


def under_a_wrong_key(prev_hash: str, **content: Any) -> str:
    return audit.event_mac(b"a key that is not the app's audit key", prev_hash, **content)


def content_of(event: AuditEvent) -> dict[str, Any]:
    return {
        "created_at": event.created_at,
        "user_id": event.user_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "ip": event.ip,
        "details": event.details,
    }


def recompute_chain(app: Flask, digest: Digest, after_id: int = 0) -> None:
    """Compute every event after ``after_id`` again with ``digest``, and the head with them.

    What someone who can write the database does after removing or changing
    an event, so that the links hold again.
    """
    with app.app_context():
        previous = db.session.get(AuditEvent, after_id) if after_id else None
        prev_hash = previous.hash if previous is not None else audit.GENESIS
        rows = []
        for event in db.session.scalars(
            select(AuditEvent).where(AuditEvent.id > after_id).order_by(AuditEvent.id)
        ):
            new_hash = digest(prev_hash, **content_of(event))
            rows.append((event.id, prev_hash, new_hash))
            prev_hash = new_hash
        db.session.rollback()
    table = AuditEvent.__table__
    with app.app_context(), db.engine.begin() as connection, triggers_set_aside(connection):
        for event_id, prev, new_hash in rows:
            connection.execute(
                update(table).where(table.c.id == event_id).values(prev_hash=prev, hash=new_hash)
            )
        last_id, last_hash = (rows[-1][0], rows[-1][2]) if rows else (after_id, prev_hash)
        connection.execute(update(AuditHead.__table__).values(last_id=last_id, last_hash=last_hash))


def append_written_by_hand(app: Flask, count: int, digest: Digest) -> list[int]:
    """Events appended through SQL, chained with ``digest`` (INSERT needs no trigger aside)."""
    ids = []
    with app.app_context():
        for number in range(count):
            head = db.session.get(AuditHead, 1, populate_existing=True)
            assert head is not None
            content = {
                "created_at": utcnow(),
                "user_id": None,
                "action": "test.by_hand",
                "object_type": "tests",
                "object_id": number,
                "ip": "",
                "details": "{}",
            }
            new_hash = digest(head.last_hash, **content)
            event_id = db.session.execute(
                insert(AuditEvent.__table__)
                .values(prev_hash=head.last_hash, hash=new_hash, **content)
                .returning(AuditEvent.__table__.c.id)
            ).scalar_one()
            head.last_id, head.last_hash = event_id, new_hash
            db.session.commit()
            ids.append(event_id)
    return ids


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
    assert "does not match its MAC" in result.output
    assert "2 events before it are intact" in result.output


def test_verify_notices_a_changed_row_whose_mac_was_computed_again_with_the_key(
    app: Flask,
) -> None:
    ids = add_events(app, 4)
    with app.app_context():
        event = db.session.get(AuditEvent, ids[1])
        assert event is not None
        forged = audit.event_mac(
            audit.audit_key(), event.prev_hash, **(content_of(event) | {"action": "test.forged"})
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


@pytest.mark.parametrize("digest", [plain_sha256, under_a_wrong_key], ids=["sha256", "wrong-key"])
def test_a_removed_event_cannot_be_hidden_by_computing_the_chain_again(
    app: Flask, digest: Digest
) -> None:
    ids = add_events(app, 5)
    tamper(app, "DELETE FROM audit_events WHERE id = :id", id=ids[2])
    recompute_chain(app, digest, after_id=ids[1])
    result = verify(app)
    assert result.exit_code == 1
    assert f"BROKEN at event {ids[3]}:" in result.output
    if digest is plain_sha256:
        assert "chained with plain SHA-256 after events chained with the audit key" in (
            result.output
        )
    else:
        assert "does not match its MAC" in result.output
    assert "2 events before it are intact" in result.output


def test_a_trail_computed_again_from_the_start_with_sha256_is_refused(app: Flask) -> None:
    """Turning the whole chain into plain SHA-256 would hide any removal: the end must be keyed."""
    ids = add_events(app, 4)
    tamper(app, "DELETE FROM audit_events WHERE id = :id", id=ids[1])
    recompute_chain(app, plain_sha256)
    result = verify(app)
    assert result.exit_code == 1
    assert f"BROKEN at event {ids[-1]}: it is chained with plain SHA-256" in result.output
    assert "keyed events after it were removed" in result.output


def test_an_event_appended_without_the_key_is_refused(app: Flask) -> None:
    add_events(app, 2)
    (forged,) = append_written_by_hand(app, 1, plain_sha256)
    result = verify(app)
    assert result.exit_code == 1
    assert f"BROKEN at event {forged}: it is chained with plain SHA-256" in result.output


def test_a_trail_from_before_keyed_chaining_verifies_once_keyed_events_follow(
    app: Flask,
) -> None:
    append_written_by_hand(app, 3, plain_sha256)
    add_events(app, 2)
    result = verify(app)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == (
        "OK: 5 events, chain intact; the first 3 predate keyed chaining "
        "(plain SHA-256, fixed by the keyed events after them)"
    )


def test_a_trail_whose_last_event_is_not_keyed_is_refused(app: Flask) -> None:
    """Just after the upgrade, too: the next event recorded (a sign-in) is keyed."""
    ids = append_written_by_hand(app, 3, plain_sha256)
    result = verify(app)
    assert result.exit_code == 1
    assert f"BROKEN at event {ids[-1]}: it is chained with plain SHA-256" in result.output
    assert "sign in once and verify again" in result.output
    add_events(app, 1)
    assert verify(app).exit_code == 0


def test_a_changed_event_in_the_sha256_beginning_is_found(app: Flask) -> None:
    """The first keyed event's MAC covers the SHA-256 chain before it."""
    legacy = append_written_by_hand(app, 3, plain_sha256)
    (keyed,) = add_events(app, 1)
    # Change the middle SHA-256 event and compute it and the next one again.
    tamper(app, "UPDATE audit_events SET action = 'test.forged' WHERE id = :id", id=legacy[1])
    with app.app_context():
        first = db.session.get(AuditEvent, legacy[0])
        assert first is not None
        prev_hash, forged = first.hash, []
        for event_id in legacy[1:]:
            event = db.session.get(AuditEvent, event_id)
            assert event is not None
            prev_hash = plain_sha256(prev_hash, **content_of(event))
            forged.append((event.id, prev_hash))
    for event_id, new_hash in forged:
        tamper(app, "UPDATE audit_events SET hash = :h WHERE id = :id", h=new_hash, id=event_id)
    tamper(
        app, "UPDATE audit_events SET prev_hash = :h WHERE id = :id", h=forged[0][1], id=legacy[2]
    )
    # The keyed event can be linked to the forged chain, but its MAC cannot follow.
    tamper(app, "UPDATE audit_events SET prev_hash = :h WHERE id = :id", h=prev_hash, id=keyed)
    result = verify(app)
    assert result.exit_code == 1
    assert f"BROKEN at event {keyed}: its content does not match its MAC" in result.output
    assert "3 events before it are intact" in result.output


def test_an_app_with_another_audit_key_does_not_verify_the_trail(app: Flask, tmp_path: Any) -> None:
    ids = add_events(app, 2)
    other = create_app(
        app_config(tmp_path, app.config["SQLALCHEMY_DATABASE_URI"], AUDIT_KEY=secrets.token_hex(32))
    )
    try:
        result = verify(other)
    finally:
        with other.app_context():
            db.engine.dispose()
    assert result.exit_code == 1
    assert f"BROKEN at event {ids[0]}: its content does not match its MAC" in result.output
    assert "is not the one the trail was written with" in result.output


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
