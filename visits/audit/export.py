"""The audit trail as CSV, streamed in batches.

A million events never sit in memory at once: each batch is one query of
plain rows (no ORM objects) keyed on the last id seen. Each batch also runs
in an application context of its own, opened and closed around its query,
so that the streamed response holds no context and no database connection
between two chunks, however slowly the browser reads them.

The details column holds what the exporting person may see of each event
(``reading.visible_details``, as on the page), as JSON: a withheld value
is the marker the page shows, a text the event refers to is the text. So
the details of an export are not those the MACs cover: ``flask audit
verify`` checks the trail itself.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from flask import Flask
from sqlalchemy import Select, select

from visits.audit.reading import (
    AuditFilters,
    Withheld,
    conditions,
    visible_details_of_rows,
)
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


def _details_text(shown: dict[str, Any], markers: dict[Withheld, str]) -> str:
    return json.dumps(
        shown,
        ensure_ascii=False,
        sort_keys=True,
        default=lambda value: markers[value] if isinstance(value, Withheld) else str(value),
    )


def _lines(rows: Sequence[Any], details: Sequence[str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row, shown in zip(rows, details, strict=True):
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
                cell(shown),
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


def csv_chunks(app: Flask, filters: AuditFilters, may_read_details: bool) -> Iterator[str]:
    """The header, then the filtered events newest first, one chunk per batch.

    Call it during the request: the filters' dates become UTC bounds in the
    NPM's time zone, and the markers of withheld values are translated, now;
    the chunks are read later, as the response is sent.
    """
    query = _query(filters)
    batch_size = BATCH_SIZE
    markers = {withheld: withheld.label for withheld in Withheld}

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
                shown = [
                    _details_text(details, markers)
                    for details in visible_details_of_rows(rows, may_read_details)
                ]
            if not rows:
                return
            yield _lines(rows, shown)
            before = rows[-1].id

    return chunks()
