"""Recording what happens: an append-only audit trail chained with a keyed MAC.

``record()`` adds an event to the current transaction, so that it is saved
with the change it describes (and not at all if that change is rolled
back). ``record_now()`` commits at once: for reads of confidential content,
sign-ins and other events with no change of their own.

Each event's MAC covers its content and the previous event's MAC, under the
audit key (``visits.audit.chain``). The single ``audit_head`` row is locked
while an event is appended, so that two workers never chain onto the same
predecessor.

Never put confidential values in ``details``: field names, counts and states
are fine; interview notes or names are not. What a person wrote in their own
words (a deletion's reason) goes in ``texts``: it is stored encrypted and
the details only refer to it (``visits.audit.texts``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import timedelta
from typing import Any, cast

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import Table, insert, inspect, select, update
from sqlalchemy.orm import ColumnProperty

from visits.audit.chain import GENESIS, event_mac
from visits.audit.key import audit_key
from visits.audit.texts import private_text
from visits.extensions import db
from visits.models import AuditEvent, AuditHead
from visits.models.base import utcnow

# Bookkeeping columns: never what a person changed.
_BOOKKEEPING = frozenset({"id", "version", "created_at", "updated_at", "row_key"})
# An encrypted field is mapped as ``<name>_encrypted`` (visits.crypto.fields).
_ENCRYPTED_SUFFIX = "_encrypted"


def object_type_of(obj: Any) -> str:
    return str(getattr(obj, "__tablename__", type(obj).__name__.lower()))


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
    texts: Mapping[str, str] | None = None,
    **details: Any,
) -> AuditEvent:
    """Append an event to the current transaction (the caller commits).

    ``texts`` holds free text a person wrote (``{"reason": reason}``): each
    is stored encrypted and its detail is a reference to it. Pending objects
    are flushed first, so that a new ``obj`` has its id.
    """
    for name, value in (texts or {}).items():
        if name in details:
            raise TypeError(f"{name!r} is given both as a detail and as a text")
        details[name] = private_text(value) if value else ""
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
    digest = event_mac(audit_key(), head.last_hash, **values)
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
    _commit_keeping_objects()
    return event


# How long one view of a record stands for the same person's further views.
VIEW_WINDOW = timedelta(minutes=5)


def record_view(action: str, obj: Any) -> bool:
    """Record that the signed-in person viewed ``obj`` and commit, unless they did
    within ``VIEW_WINDOW``; True when an event was recorded.

    For what a page shows again on every reload (a photo's thumbnail): one
    view stands for the next few minutes of looking. The head is locked
    before looking, so that two requests at once do not both record.
    """
    _locked_head()
    user_id = _acting_user_id()
    recent = db.session.scalar(
        select(AuditEvent.id)
        .where(
            AuditEvent.action == action,
            AuditEvent.object_type == object_type_of(obj),
            AuditEvent.object_id == obj.id,
            AuditEvent.user_id.is_(None) if user_id is None else AuditEvent.user_id == user_id,
            AuditEvent.created_at >= utcnow() - VIEW_WINDOW,
        )
        .limit(1)
    )
    if recent is None:
        record(action, obj)
    _commit_keeping_objects()
    return recent is None


def _commit_keeping_objects() -> None:
    """Commit; the objects the request already loaded stay loaded."""
    session = db.session()
    expire_on_commit = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire_on_commit


def record_many(action: str, objects: list[Any]) -> None:
    """Append one event per object, chained in order, in a fixed number of statements.

    For a page that shows many confidential records at once: the head is
    locked once and the events are inserted together, so the queries a page
    makes do not grow with what it shows. The caller commits.
    """
    if not objects:
        return
    head = _locked_head()
    created_at, user_id, ip = utcnow(), _acting_user_id(), _client_ip()
    key, previous, rows = audit_key(), head.last_hash, []
    for obj in objects:
        values: dict[str, Any] = {
            "created_at": created_at,
            "user_id": user_id,
            "action": action,
            "object_type": object_type_of(obj),
            "object_id": obj.id,
            "ip": ip,
            "details": "{}",
        }
        digest = event_mac(key, previous, **values)
        rows.append({**values, "prev_hash": previous, "hash": digest})
        previous = digest
    # One executemany; RETURNING in order would cost a statement per row on SQLite.
    db.session.execute(insert(cast(Table, AuditEvent.__table__)), rows)
    last_id = db.session.scalar(select(AuditEvent.id).where(AuditEvent.hash == previous))
    head.last_id = int(last_id or 0)
    head.last_hash = previous


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
