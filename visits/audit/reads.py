"""Reads of confidential content, recorded whichever page shows them.

Every decrypted value a request reads through its model passes
``note_read`` (a listener of ``visits.crypto.fields``). A record whose reads
are audited (``Interview``, a confidential ``Finding``: their
``audited_read_action``) is noted once per request; after the response is
built, ``record_reads`` appends one event per record read, in a fixed
number of statements, and commits them. So a new page, or a conflict page,
that shows such a record is audited without anyone remembering to: what
is audited follows what is decrypted, not where.

Responses streamed after the request ends (a file export) decrypt outside
this hook and must record their reads themselves.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, g, has_request_context

from visits.audit.trail import record_many
from visits.crypto.fields import READ_LISTENERS
from visits.extensions import db

_NOTED = "confidential_reads"


def note_read(instance: object, attribute: str) -> None:
    """Remember that this request read a protected value of ``instance``."""
    if not has_request_context():
        return
    action = getattr(instance, "audited_read_action", None)
    object_id = getattr(instance, "id", None)
    if action is None or object_id is None:
        return
    noted: dict[tuple[str, int], Any] = g.setdefault(_NOTED, {})
    noted.setdefault((action, object_id), instance)


def record_reads(response: Response) -> Response:
    """Append the request's reads to the audit trail and commit them (after_request)."""
    noted: dict[tuple[str, int], Any] | None = g.pop(_NOTED, None)
    if not noted:
        return response
    by_action: dict[str, list[Any]] = {}
    for (action, _object_id), instance in sorted(noted.items(), key=lambda item: item[0]):
        by_action.setdefault(action, []).append(instance)
    session = db.session()
    if session.in_transaction() and (session.new or session.dirty or session.deleted):
        # Never commit what a view left unsaved: the reads go in on their own.
        session.rollback()
    for action, instances in by_action.items():
        record_many(action, instances)
    expire_on_commit = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire_on_commit
    return response


def init_app(app: Flask) -> None:
    if note_read not in READ_LISTENERS:
        READ_LISTENERS.append(note_read)
    app.after_request(record_reads)
