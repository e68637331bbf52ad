"""The audit trail as CSV, streamed in batches.

A million events never sit in memory at once: each batch is one query of
plain rows (no ORM objects) keyed on the last id seen. Each batch also runs
in an application context of its own, opened and closed around its query,
so that the streamed response holds no context and no database connection
between two chunks, however slowly the browser reads them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from flask import Flask
from sqlalchemy import Select, select

from visits.audit.reading import AuditFilters, conditions
from visits.extensions import db
from visits.models import AuditEvent, User

BATCH_SIZE = 1000

COLUMNS = (
    "id",
    "time_utc",
    "user_id",
    "user_email",
    "action",
    "object_type",
    "object_id",
    "ip",
    "details",
    "prev_hash",
    "hash",
)
# The byte order mark tells spreadsheets that the file is UTF-8.
BYTE_ORDER_MARK = "\ufeff"


def cell(value: Any) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def _utc_text(moment: datetime) -> str:
    if moment.tzinfo is None:  # SQLite gives naive UTC times
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _lines(rows: Sequence[Any]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow(
            [
                cell(row.id),
                cell(_utc_text(row.created_at)),
                cell(row.user_id),
                cell(row.email),
                cell(row.action),
                cell(row.object_type),
                cell(row.object_id),
                cell(row.ip),
                cell(row.details),
                cell(row.prev_hash),
                cell(row.hash),
            ]
        )
    return buffer.getvalue()


def _query(filters: AuditFilters) -> Select[*tuple[Any, ...]]:
    columns = select(
        AuditEvent.id,
        AuditEvent.created_at,
        AuditEvent.user_id,
        User.email,
        AuditEvent.action,
        AuditEvent.object_type,
        AuditEvent.object_id,
        AuditEvent.ip,
        AuditEvent.details,
        AuditEvent.prev_hash,
        AuditEvent.hash,
    ).outerjoin(User, User.id == AuditEvent.user_id)
    return columns.where(*conditions(filters))


def csv_chunks(app: Flask, filters: AuditFilters) -> Iterator[str]:
    """The header, then the filtered events newest first, one chunk per batch.

    Call it during the request: the filters' dates become UTC bounds in the
    NPM's time zone now; the chunks are read later, as the response is sent.
    """
    query = _query(filters)
    batch_size = BATCH_SIZE

    def chunks() -> Iterator[str]:
        header = io.StringIO()
        csv.writer(header, lineterminator="\r\n").writerow(COLUMNS)
        yield BYTE_ORDER_MARK + header.getvalue()
        before: int | None = None
        while True:
            with app.app_context():
                batch = query if before is None else query.where(AuditEvent.id < before)
                rows = db.session.execute(
                    batch.order_by(AuditEvent.id.desc()).limit(batch_size)
                ).all()
            if not rows:
                return
            yield _lines(rows)
            before = rows[-1].id

    return chunks()
