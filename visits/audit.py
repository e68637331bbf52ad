"""Recording what happens: an append-only, hash-chained audit trail.

``record()`` adds an event to the current transaction, so that it is saved
with the change it describes (and not at all if that change is rolled
back). ``record_now()`` commits at once: for reads of confidential content,
sign-ins and other events with no change of their own.

Each event's hash covers its content and the previous event's hash. The
single ``audit_head`` row is locked while an event is appended, so that two
workers never chain onto the same predecessor. ``verify_chain()`` walks the
trail and names the first event that breaks it (``flask audit verify``).

Never put confidential values in ``details``: field names, counts, states
and the reason a person gave are fine; interview notes or names are not.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import inspect, select, update
from sqlalchemy.orm import ColumnProperty

from visits.extensions import db
from visits.models import AuditEvent, AuditHead
from visits.models.base import utcnow

GENESIS = "0" * 64

# Bookkeeping columns: never what a person changed.
_BOOKKEEPING = frozenset({"id", "version", "created_at", "updated_at", "row_key"})
# An encrypted field is mapped as ``<name>_encrypted`` (visits.encrypted).
_ENCRYPTED_SUFFIX = "_encrypted"


def object_type_of(obj: Any) -> str:
    return str(getattr(obj, "__tablename__", type(obj).__name__.lower()))


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


def _client_ip() -> str:
    return (request.remote_addr or "")[:45] if has_request_context() else ""


def _acting_user_id() -> int | None:
    if has_request_context() and current_user and current_user.is_authenticated:
        return int(current_user.id)
    return None


def _locked_head() -> AuditHead:
    """The head row, read fresh and locked until the transaction ends."""
    if db.session.get_bind().dialect.name == "sqlite":
        # SQLite ignores FOR UPDATE. Writing first takes the database's write
        # lock, so that no other process can read the same head meanwhile.
        db.session.execute(
            update(AuditHead).where(AuditHead.id == 1).values(last_id=AuditHead.last_id),
            execution_options={"synchronize_session": False},
        )
    head = db.session.scalar(
        select(AuditHead)
        .where(AuditHead.id == 1)
        .with_for_update()
        # A head loaded in an earlier transaction of this session is stale.
        .execution_options(populate_existing=True)
    )
    if head is None:  # a database made without the migration's first row
        head = AuditHead(id=1, last_id=0, last_hash=GENESIS)
        db.session.add(head)
    return head


def record(
    action: str,
    obj: Any = None,
    *,
    user_id: int | None = None,
    object_type: str | None = None,
    object_id: int | None = None,
    **details: Any,
) -> AuditEvent:
    """Append an event to the current transaction (the caller commits).

    Pending objects are flushed first, so that a new ``obj`` has its id.
    """
    head = _locked_head()
    created_at = utcnow()
    values: dict[str, Any] = {
        "created_at": created_at,
        "user_id": user_id if user_id is not None else _acting_user_id(),
        "action": action,
        "object_type": object_type or (object_type_of(obj) if obj is not None else ""),
        "object_id": object_id if object_id is not None else getattr(obj, "id", None),
        "ip": _client_ip(),
        "details": json.dumps(details, ensure_ascii=False, sort_keys=True, default=str),
    }
    digest = event_hash(head.last_hash, **values)
    event = AuditEvent(prev_hash=head.last_hash, hash=digest, **values)
    db.session.add(event)
    db.session.flush()
    head.last_id = event.id
    head.last_hash = digest
    return event


def record_now(action: str, obj: Any = None, **kwargs: Any) -> AuditEvent:
    """Append an event and commit it at once.

    The objects the request already loaded stay loaded (a page that records
    a read goes on rendering them without loading them again).
    """
    event = record(action, obj, **kwargs)
    session = db.session()
    expire_on_commit = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire_on_commit
    return event


def changed_fields(obj: Any) -> list[str]:
    """Names of the mapped attributes of ``obj`` changed in this session (not their values).

    Call it before anything flushes the session (a query does): a flush
    makes the changes part of the transaction and forgets which they were.
    """
    state = inspect(obj)
    return sorted(
        _field_name(attribute.key)
        for attribute in state.attrs
        if attribute.history.has_changes()
        and not attribute.key.startswith("_")
        and attribute.key not in _BOOKKEEPING
    )


def filled_fields(obj: Any) -> list[str]:
    """Names of the columns of a new ``obj`` that hold a value (not the values).

    Unlike ``changed_fields`` it still answers after a flush, for services
    that flush a new record before they commit it.
    """
    mapper = inspect(type(obj))
    return sorted(
        _field_name(prop.key)
        for prop in mapper.attrs
        if isinstance(prop, ColumnProperty)
        and prop.key not in _BOOKKEEPING
        and not prop.key.startswith("_")
        and getattr(obj, prop.key) not in (None, "", [], {})
    )


def _field_name(key: str) -> str:
    """The name the code uses for an attribute (``notes``, not ``notes_encrypted``)."""
    return key.removesuffix(_ENCRYPTED_SUFFIX)


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
