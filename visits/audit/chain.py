"""The audit trail's chain: each event's MAC covers its content and its predecessor's.

Keyed chaining. An event's ``hash`` is the HMAC-SHA256, under the audit key
(``visits.audit.key``, kept outside the database like the encryption keys),
of its content and the previous event's hash. Someone who can write the
database (the append-only triggers set aside) but cannot read the key can
neither change an event nor remove one and compute the events after it
again: the MACs they would write do not verify.

Trails from before keyed chaining. Events written earlier carry a plain
SHA-256, which anyone can compute. ``verify_chain`` accepts them only as the
beginning of the chain, before the first keyed event: that event's MAC
covers the last SHA-256 hash, so the beginning can no longer change. A plain
SHA-256 event after a keyed one fails, and so does a trail whose last event
is not keyed: otherwise an attacker could remove the keyed events at the end,
or compute the whole trail again with SHA-256, and show a chain that
verifies. On an upgraded installation the next event recorded (any sign-in)
is keyed.

What the key alone does not stop. Anyone who can write the database can
remove the last events and set the head back to the event before them; and
whoever holds the key can rewrite the trail. Checkpoints answer both:
``flask audit checkpoint`` prints the head (the last event's id and MAC) for
a store that the database's writers cannot change (a printout, another
server, write-once storage), and ``verify_chain(checkpoints)`` checks that
every head recorded there is still in the chain, unchanged.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from visits.audit.checkpoints import Checkpoint
from visits.extensions import db
from visits.models import AuditEvent, AuditHead

GENESIS = "0" * 64


def _material(
    prev_hash: str,
    created_at: datetime,
    user_id: int | None,
    action: str,
    object_type: str,
    object_id: int | None,
    ip: str,
    details: str,
) -> bytes:
    if created_at.tzinfo is not None:  # PostgreSQL gives aware times, SQLite naive UTC
        created_at = created_at.astimezone(UTC).replace(tzinfo=None)
    text = json.dumps(
        [
            prev_hash,
            created_at.isoformat(timespec="microseconds"),
            user_id,
            action,
            object_type,
            object_id,
            ip,
            details,
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return text.encode("utf-8")


def event_mac(key: bytes, prev_hash: str, **content: Any) -> str:
    """The HMAC-SHA256 that chains an event to its predecessor under the audit key."""
    return hmac.new(key, _material(prev_hash, **content), hashlib.sha256).hexdigest()


def legacy_event_hash(prev_hash: str, **content: Any) -> str:
    """The plain SHA-256 of events written before keyed chaining; only ever verified."""
    return hashlib.sha256(_material(prev_hash, **content)).hexdigest()


# --- Verifying the chain ------------------------------------------------------------

VERIFY_BATCH_SIZE = 5000


@dataclass(frozen=True)
class ChainReport:
    """What ``verify_chain`` found: how many events it checked, and the first break.

    ``last_id`` and ``last_hash`` are the last event checked (a checkpoint);
    ``legacy`` counts the events at the beginning chained with plain SHA-256.
    """

    checked: int
    broken_id: int | None = None
    problem: str = ""
    last_id: int | None = None
    last_hash: str = ""
    legacy: int = 0

    @property
    def intact(self) -> bool:
        return self.broken_id is None and not self.problem


def _event_rows(up_to_id: int, batch_size: int) -> Iterator[Any]:
    """Every event up to ``up_to_id`` in id order, ``batch_size`` rows per query."""
    table = AuditEvent.__table__
    after = 0
    while True:
        rows = db.session.execute(
            select(table)
            .where(table.c.id > after, table.c.id <= up_to_id)
            .order_by(table.c.id)
            .limit(batch_size)
        ).all()
        if not rows:
            return
        yield from rows
        after = rows[-1].id


def _content(row: Any) -> dict[str, Any]:
    return {
        "created_at": row.created_at,
        "user_id": row.user_id,
        "action": row.action,
        "object_type": row.object_type,
        "object_id": row.object_id,
        "ip": row.ip,
        "details": row.details,
    }


def _link_problem(previous_id: int | None) -> str:
    if previous_id is None:
        return (
            "it does not start the chain (its prev_hash is not the genesis value): "
            "earlier events were removed"
        )
    return (
        f"its prev_hash does not match the hash of event {previous_id}, the one "
        "before it: an event between them was removed"
    )


def _mac_problem(row: Any, keyed_before: bool) -> str:
    """What is wrong with a row whose MAC does not verify."""
    if keyed_before and row.hash == legacy_event_hash(row.prev_hash, **_content(row)):
        return (
            "it is chained with plain SHA-256 after events chained with the audit key: "
            "it was written or computed again by someone without the key"
        )
    return (
        f"its content does not match its MAC (stored {row.hash[:12]}…): the row was "
        "changed after it was written, or the audit key (AUDIT_KEY or instance/audit_key) "
        "is not the one the trail was written with"
    )


def verify_chain(
    key: bytes, checkpoints: Sequence[Checkpoint] = (), batch_size: int = VERIFY_BATCH_SIZE
) -> ChainReport:
    """Recompute every event's MAC and follow the links, in id order; then the checkpoints.

    Events appended while the walk runs (after the head was read) are left
    for the next run. Ids may have gaps (a transaction rolled back after
    taking one): the links, not the ids, say whether an event is missing.
    """
    head = db.session.execute(
        select(AuditHead.last_id, AuditHead.last_hash).where(AuditHead.id == 1)
    ).first()
    if head is None:
        if db.session.scalar(select(func.count(AuditEvent.id))):
            return ChainReport(0, None, "the head row (audit_head) was removed")
        return ChainReport(0)
    expected = {checkpoint.event_id: checkpoint for checkpoint in checkpoints}
    expected_prev, previous_id, checked, legacy, keyed = GENESIS, None, 0, 0, False
    for row in _event_rows(head.last_id, batch_size):
        if row.prev_hash != expected_prev:
            return ChainReport(checked, row.id, _link_problem(previous_id))
        if hmac.compare_digest(row.hash, event_mac(key, row.prev_hash, **_content(row))):
            keyed = True
        elif not keyed and row.hash == legacy_event_hash(row.prev_hash, **_content(row)):
            legacy += 1
        else:
            return ChainReport(checked, row.id, _mac_problem(row, keyed))
        checkpoint = expected.pop(row.id, None)
        if checkpoint is not None and checkpoint.hash != row.hash:
            return ChainReport(
                checked,
                row.id,
                f"its MAC is not the one the checkpoint taken at {checkpoint.taken_at} "
                "recorded: the trail was rewritten from there on",
            )
        expected_prev, previous_id, checked = row.hash, row.id, checked + 1
    report = ChainReport(checked, None, "", previous_id, expected_prev, legacy)
    return _check_end(report, head.last_id, head.last_hash, keyed, expected.values())


def _check_end(
    report: ChainReport,
    head_id: int,
    head_hash: str,
    last_keyed: bool,
    unseen: Iterable[Checkpoint],
) -> ChainReport:
    """The walk's end against the head, the key and the checkpoints it did not meet."""
    last_id = report.last_id

    def broken(problem: str, broken_id: int | None = None) -> ChainReport:
        return ChainReport(report.checked, broken_id, problem, last_id, report.last_hash)

    if (last_id or 0) != head_id:
        return broken(
            f"the chain ends at event {last_id or 'none'}, but the head records "
            f"event {head_id}: the last events were removed"
        )
    if report.last_hash != head_hash:
        return broken(
            "its hash is not the one the head records: the row was changed and its "
            "hash computed again",
            last_id,
        )
    if report.checked and not last_keyed:
        return broken(
            "it is chained with plain SHA-256, not with the audit key, and no keyed event "
            "follows it: keyed events after it were removed and the trail computed again "
            "(or no event was recorded since keyed chaining began: sign in once and "
            "verify again)",
            last_id,
        )
    missing = min(unseen, key=lambda point: point.event_id, default=None)
    if missing is not None and missing.event_id > (last_id or 0):
        return broken(
            f"the chain ends at event {last_id or 'none'}, but the checkpoint taken at "
            f"{missing.taken_at} recorded event {missing.event_id}: the events after the "
            "end were removed and the head set back"
        )
    if missing is not None:
        return broken(
            f"event {missing.event_id}, recorded by the checkpoint taken at "
            f"{missing.taken_at}, is no longer in the chain: the trail was rewritten"
        )
    return report
