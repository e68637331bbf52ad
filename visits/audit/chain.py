"""The audit trail's chain: each event's hash covers its content and its predecessor's.

``verify_chain()`` walks the trail and names the first event that breaks it
(``flask audit verify``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from visits.extensions import db
from visits.models import AuditEvent, AuditHead

GENESIS = "0" * 64


def event_hash(
    prev_hash: str,
    created_at: datetime,
    user_id: int | None,
    action: str,
    object_type: str,
    object_id: int | None,
    ip: str,
    details: str,
) -> str:
    """The SHA-256 that chains an event to its predecessor."""
    if created_at.tzinfo is not None:  # PostgreSQL gives aware times, SQLite naive UTC
        created_at = created_at.astimezone(UTC).replace(tzinfo=None)
    material = json.dumps(
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
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


# --- Verifying the chain ------------------------------------------------------------

VERIFY_BATCH_SIZE = 5000


@dataclass(frozen=True)
class ChainReport:
    """What ``verify_chain`` found: how many events it checked, and the first break."""

    checked: int
    broken_id: int | None = None
    problem: str = ""

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


def verify_chain(batch_size: int = VERIFY_BATCH_SIZE) -> ChainReport:
    """Recompute every event's hash and follow the links, in id order.

    Events appended while the walk runs (after the head was read) are left
    for the next run. Ids may have gaps (a transaction rolled back after
    taking one): the links, not the ids, say whether an event is missing.
    """
    head = db.session.execute(
        select(AuditHead.last_id, AuditHead.last_hash).where(AuditHead.id == 1)
    ).first()
    last_id, last_hash = (head.last_id, head.last_hash) if head else (0, GENESIS)
    expected_prev, previous_id, checked = GENESIS, None, 0
    for row in _event_rows(last_id, batch_size):
        if row.prev_hash != expected_prev:
            if previous_id is None:
                problem = (
                    "it does not start the chain (its prev_hash is not the genesis value): "
                    "earlier events were removed"
                )
            else:
                problem = (
                    f"its prev_hash does not match the hash of event {previous_id}, the one "
                    "before it: an event between them was removed"
                )
            return ChainReport(checked, row.id, problem)
        recomputed = event_hash(
            row.prev_hash,
            row.created_at,
            row.user_id,
            row.action,
            row.object_type,
            row.object_id,
            row.ip,
            row.details,
        )
        if recomputed != row.hash:
            return ChainReport(
                checked,
                row.id,
                f"its content does not match its hash (stored {row.hash[:12]}…, "
                f"recomputed {recomputed[:12]}…): the row was changed after it was written",
            )
        expected_prev, previous_id, checked = row.hash, row.id, checked + 1
    if (previous_id or 0) != last_id:
        return ChainReport(
            checked,
            None,
            f"the chain ends at event {previous_id or 'none'}, but the head records "
            f"event {last_id}: the last events were removed",
        )
    if expected_prev != last_hash:
        return ChainReport(
            checked,
            previous_id,
            "its hash is not the one the head records: the row was changed and its "
            "hash computed again",
        )
    return ChainReport(checked)
