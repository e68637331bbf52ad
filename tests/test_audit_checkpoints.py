"""Checkpoints: the trail's head kept outside the database proves it was not cut short.

The keyed chain stops someone without the audit key from rewriting the
trail, but not from removing its last events and setting the head back; and
someone with the key can rewrite it. A checkpoint (``flask audit checkpoint``)
kept in a store they cannot change catches both: ``flask audit verify
--checkpoint FILE`` fails, naming the event.

Guard: the checkpoint checks in visits/audit/chain.py ``verify_chain`` (the
walk's comparison with each checkpoint's MAC, and ``_check_end`` for the
checkpoints the walk did not reach).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import insert, update

from tests.test_audit_chain import add_events, tamper, verify
from visits import audit
from visits.extensions import db
from visits.models import AuditEvent, AuditHead
from visits.models.base import utcnow


def checkpoint(app: Flask, *arguments: str) -> Any:
    return app.test_cli_runner().invoke(args=["audit", "checkpoint", *arguments])


def cut_short(app: Flask, keep_through: int) -> None:
    """Remove the events after ``keep_through`` and set the head back to it: no key needed."""
    tamper(app, "DELETE FROM audit_events WHERE id > :id", id=keep_through)
    with app.app_context():
        kept = db.session.get(AuditEvent, keep_through)
        assert kept is not None
        db.session.execute(update(AuditHead).values(last_id=kept.id, last_hash=kept.hash))
        db.session.commit()


def rewrite_with_the_key(app: Flask, ids: list[int], new_ids: list[int] | None = None) -> None:
    """An insider who holds the key replaces the events ``ids`` (the last ones) with others.

    The new events take the same ids, or ``new_ids``.
    """
    with app.app_context():
        first = db.session.get(AuditEvent, ids[0])
        assert first is not None
        prev_hash = first.prev_hash
    tamper(app, "DELETE FROM audit_events WHERE id >= :id", id=ids[0])
    with app.app_context():
        for event_id in new_ids or ids:
            content = {
                "created_at": utcnow(),
                "user_id": None,
                "action": "test.harmless",
                "object_type": "tests",
                "object_id": event_id,
                "ip": "",
                "details": "{}",
            }
            mac = audit.event_mac(audit.audit_key(), prev_hash, **content)
            db.session.execute(
                insert(AuditEvent.__table__).values(
                    id=event_id, prev_hash=prev_hash, hash=mac, **content
                )
            )
            prev_hash = mac
        last_id = (new_ids or ids)[-1]
        db.session.execute(update(AuditHead).values(last_id=last_id, last_hash=prev_hash))
        db.session.commit()


def test_a_checkpoint_is_one_json_line_with_the_head_appended_to_the_file(
    app: Flask, tmp_path: Path
) -> None:
    ids = add_events(app, 3)
    store = tmp_path / "checkpoints.jsonl"
    first = checkpoint(app, "--output", str(store))
    assert first.exit_code == 0, first.output
    with app.app_context():
        last = db.session.get(AuditEvent, ids[-1])
        assert last is not None
        mac = last.hash
    line = json.loads(first.output)
    assert line["event_id"] == ids[-1]
    assert line["hash"] == mac
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", line["taken_at"])

    more = add_events(app, 2)
    second = checkpoint(app, "--output", str(store))
    assert second.exit_code == 0, second.output
    lines = [json.loads(text) for text in store.read_text().splitlines()]
    assert [point["event_id"] for point in lines] == [ids[-1], more[-1]]

    result = verify(app, "--checkpoint", str(store))
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "OK: 5 events, chain intact; 2 checkpoints match"


def test_a_checkpoint_without_a_file_is_only_printed(app: Flask) -> None:
    (event_id,) = add_events(app, 1)
    result = checkpoint(app)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["event_id"] == event_id


def test_a_trail_cut_short_after_a_checkpoint_fails_against_it(app: Flask, tmp_path: Path) -> None:
    ids = add_events(app, 5)
    store = tmp_path / "checkpoints.jsonl"
    assert checkpoint(app, "--output", str(store)).exit_code == 0
    cut_short(app, keep_through=ids[2])
    assert verify(app).exit_code == 0  # the chain alone cannot tell

    result = verify(app, "--checkpoint", str(store))
    assert result.exit_code == 1
    assert (
        f"the chain ends at event {ids[2]}, but the checkpoint taken at "
        f"{json.loads(store.read_text())['taken_at']} recorded event {ids[4]}"
    ) in result.output
    assert "removed" in result.output


def test_a_trail_rewritten_with_the_key_after_a_checkpoint_fails_against_it(
    app: Flask, tmp_path: Path
) -> None:
    """An insider with the key but without the checkpoint store."""
    ids = add_events(app, 5)
    store = tmp_path / "checkpoints.jsonl"
    assert checkpoint(app, "--output", str(store)).exit_code == 0
    rewrite_with_the_key(app, ids[3:])
    assert verify(app).exit_code == 0  # the key lets them write a chain that verifies

    result = verify(app, "--checkpoint", str(store))
    assert result.exit_code == 1
    assert f"BROKEN at event {ids[4]}: its MAC is not the one the checkpoint" in result.output
    assert "rewritten" in result.output


def test_a_checkpointed_event_replaced_under_other_ids_is_missed(
    app: Flask, tmp_path: Path
) -> None:
    ids = add_events(app, 4)
    store = tmp_path / "checkpoints.jsonl"
    assert checkpoint(app, "--output", str(store)).exit_code == 0
    rewrite_with_the_key(app, ids[2:], new_ids=[ids[-1] + 10, ids[-1] + 11])
    assert verify(app).exit_code == 0
    result = verify(app, "--checkpoint", str(store))
    assert result.exit_code == 1
    assert f"event {ids[-1]}, recorded by the checkpoint taken at" in result.output
    assert "is no longer in the chain" in result.output


def test_an_earlier_checkpoint_catches_a_rewrite_of_the_events_before_a_later_one(
    app: Flask, tmp_path: Path
) -> None:
    ids = add_events(app, 3)
    store = tmp_path / "checkpoints.jsonl"
    assert checkpoint(app, "--output", str(store)).exit_code == 0
    add_events(app, 2)
    rewrite_with_the_key(app, ids[1:])  # the first checkpoint's event among them
    result = verify(app, "--checkpoint", str(store))
    assert result.exit_code == 1
    assert f"BROKEN at event {ids[2]}:" in result.output


def test_a_checkpoint_of_a_broken_or_cut_trail_is_refused_and_nothing_written(
    app: Flask, tmp_path: Path
) -> None:
    ids = add_events(app, 4)
    store = tmp_path / "checkpoints.jsonl"
    assert checkpoint(app, "--output", str(store)).exit_code == 0
    before = store.read_text()
    cut_short(app, keep_through=ids[1])
    refused = checkpoint(app, "--output", str(store))
    assert refused.exit_code == 1
    assert "BROKEN at the chain's end" in refused.output
    assert store.read_text() == before


def test_a_checkpoint_of_an_empty_trail_is_refused(app: Flask) -> None:
    result = checkpoint(app)
    assert result.exit_code == 1
    assert "The audit trail has no events yet: nothing to checkpoint." in result.output


def test_a_file_that_is_not_checkpoints_is_refused_with_its_line(
    app: Flask, tmp_path: Path
) -> None:
    add_events(app, 1)
    store = tmp_path / "checkpoints.jsonl"
    assert checkpoint(app, "--output", str(store)).exit_code == 0
    with store.open("a") as handle:
        handle.write("\n{not json\n")
    result = verify(app, "--checkpoint", str(store))
    assert result.exit_code == 1
    assert f"line 3 of {store} is not a checkpoint: it is not JSON" in result.output

    store.write_text('{"event_id": 1, "hash": "short", "taken_at": "x"}\n')
    result = verify(app, "--checkpoint", str(store))
    assert result.exit_code == 1
    assert "line 1 of" in result.output
    assert 'its "hash" is not 64 lowercase hex digits' in result.output
