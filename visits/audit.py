"""Recording what happens: an append-only, hash-chained audit trail.

``record()`` adds an event to the current transaction, so that it is saved
with the change it describes (and not at all if that change is rolled
back). ``record_now()`` commits at once: for reads of confidential content,
sign-ins and other events with no change of their own.

Each event's hash covers its content and the previous event's hash. The
single ``audit_head`` row is locked while an event is appended, so that two
workers never chain onto the same predecessor.

Never put confidential values in ``details``: field names, counts, states
and the reason a person gave are fine; interview notes or names are not.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import select

from visits.extensions import db
from visits.models import AuditEvent, AuditHead
from visits.models.base import utcnow

GENESIS = "0" * 64


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


def record(
    action: str,
    obj: Any = None,
    *,
    user_id: int | None = None,
    object_type: str | None = None,
    object_id: int | None = None,
    **details: Any,
) -> AuditEvent:
    """Append an event to the current transaction (the caller commits)."""
    head = db.session.scalar(select(AuditHead).where(AuditHead.id == 1).with_for_update())
    if head is None:  # a database made without the migration's first row
        head = AuditHead(id=1, last_id=0, last_hash=GENESIS)
        db.session.add(head)
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
    """Append an event and commit it at once."""
    event = record(action, obj, **kwargs)
    db.session.commit()
    return event


def changed_fields(obj: Any) -> list[str]:
    """Names of the mapped attributes of ``obj`` changed in this session (not their values)."""
    from sqlalchemy import inspect

    state = inspect(obj)
    return sorted(
        attribute.key
        for attribute in state.attrs
        if attribute.history.has_changes() and not attribute.key.startswith("_")
    )
