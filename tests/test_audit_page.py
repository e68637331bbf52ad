"""The audit trail page and its CSV export, as supervisors and administrators use them."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import format_datetime
from sqlalchemy import select

from tests.support import Account, counting_queries, empty_database
from visits import audit
from visits.audit import export as audit_export
from visits.extensions import db
from visits.models import AuditEvent, Role

ClientAs = Callable[[Account | None], FlaskClient]


def add_event(
    app: Flask,
    monkeypatch: pytest.MonkeyPatch,
    action: str,
    at: datetime | None = None,
    **fields: object,
) -> int:
    with app.app_context(), monkeypatch.context() as patched:
        if at is not None:
            patched.setattr(audit.trail, "utcnow", lambda: at)
        return audit.record_now(action, **fields).id


def add_many(app: Flask, count: int) -> None:
    with app.app_context():
        for number in range(count):
            audit.record("test.event", object_type="visits", object_id=number + 1)
        db.session.commit()


def table_of(page: str) -> str:
    """The table of events (the action field's suggestions name every action)."""
    return page.split("<tbody>", 1)[1] if "<tbody>" in page else ""


def rows_of(page: str) -> int:
    return table_of(page).count("<tr>")


def recorded(app: Flask, action: str) -> list[dict[str, object]]:
    with app.app_context():
        query = select(AuditEvent.details).where(AuditEvent.action == action)
        return [json.loads(details) for details in db.session.scalars(query)]


def test_the_page_lists_events_newest_first_with_readable_labels(
    app: Flask, client_as: ClientAs, supervisor: Account, monitor: Account
) -> None:
    client = client_as(supervisor)
    with app.app_context():
        audit.record("visit.update", object_type="visits", object_id=42, user_id=monitor.id)
        audit.record("custom.thing", object_type="gadgets", object_id=7)
        db.session.commit()
    page = table_of(client.get("/admin/audit").get_data(as_text=True))
    assert "Visit details changed" in page
    assert "Mira Monitor" in page
    assert "Visit 42" in page
    # An action without a label shows as recorded.
    assert "custom.thing" in page
    assert page.index("custom.thing") < page.index("Visit details changed")


def test_viewing_the_trail_is_itself_recorded_with_its_filters(
    app: Flask, client_as: ClientAs, admin: Account
) -> None:
    client = client_as(admin)
    response = client.get("/admin/audit?action=visit.&object_type=visits&object_id=3&page=2")
    assert response.status_code == 200
    assert recorded(app, "audit.view") == [
        {"filters": {"action": "visit.", "object_type": "visits", "object_id": 3}, "page": 2}
    ]


def test_filters_by_person_action_prefix_and_object(
    app: Flask,
    monkeypatch: pytest.MonkeyPatch,
    client_as: ClientAs,
    supervisor: Account,
    monitor: Account,
) -> None:
    add_event(
        app, monkeypatch, "visit.create", object_type="visits", object_id=5, user_id=monitor.id
    )
    add_event(
        app, monkeypatch, "visit.update", object_type="visits", object_id=6, user_id=monitor.id
    )
    add_event(app, monkeypatch, "finding.read", object_type="findings", object_id=5)
    client = client_as(supervisor)

    def shown(query: str) -> str:
        response = client.get(f"/admin/audit?{query}")
        assert response.status_code == 200
        return table_of(response.get_data(as_text=True))

    by_person = shown(f"user={monitor.id}")
    assert "Visit created" in by_person
    assert "Visit details changed" in by_person
    assert "Confidential finding opened" not in by_person

    by_prefix = shown("action=visit.")
    assert "Visit created" in by_prefix
    assert "Visit details changed" in by_prefix
    assert "Confidential finding opened" not in by_prefix

    # "%" and "_" are letters here, not wildcards.
    assert "No event matches these filters." in client.get("/admin/audit?action=%25").get_data(
        as_text=True
    )

    by_object = shown("object_type=visits&object_id=5")
    assert "Visit created" in by_object
    assert "Visit details changed" not in by_object
    assert "Confidential finding opened" not in by_object


def test_dates_are_days_in_the_npms_time_zone(
    app: Flask, monkeypatch: pytest.MonkeyPatch, client_as: ClientAs, admin: Account
) -> None:
    # 20:30 UTC on 1 March is 02:30 on 2 March in Bishkek (UTC+6).
    late = datetime(2026, 3, 1, 20, 30, tzinfo=UTC)
    add_event(app, monkeypatch, "place.update", at=late, object_type="places", object_id=1)
    client = client_as(admin)

    on_second = client.get("/admin/audit?date_from=2026-03-02&date_to=2026-03-02")
    page = table_of(on_second.get_data(as_text=True))
    assert "Place changed" in page
    with app.test_request_context():
        assert format_datetime(late, "medium") in page
    assert "2:30:00" in page  # shown in Bishkek time, not UTC

    on_first = client.get("/admin/audit?date_from=2026-03-01&date_to=2026-03-01")
    assert "Place changed" not in table_of(on_first.get_data(as_text=True))


def test_a_period_that_ends_before_it_starts_is_refused_and_not_recorded(
    app: Flask, client_as: ClientAs, admin: Account
) -> None:
    response = client_as(admin).get("/admin/audit?date_from=2026-03-02&date_to=2026-03-01")
    assert response.status_code == 400
    assert "The end of the period is before its start." in response.get_data(as_text=True)
    assert recorded(app, "audit.view") == []


def test_an_unknown_person_is_refused(app: Flask, client_as: ClientAs, admin: Account) -> None:
    assert client_as(admin).get("/admin/audit?user=999999").status_code == 400


def test_the_page_is_paginated_newest_first(
    app: Flask, client_as: ClientAs, supervisor: Account
) -> None:
    add_many(app, 120)
    client = client_as(supervisor)
    first = client.get("/admin/audit?action=test.").get_data(as_text=True)
    assert rows_of(first) == 50
    assert "120 events" in first
    assert "Visit 120</td>" in first
    third = client.get("/admin/audit?action=test.&page=3").get_data(as_text=True)
    assert rows_of(third) == 20
    # The filters stay in the page links.
    assert "action=test." in third.split('aria-label="Pages"')[1]


def test_queries_per_page_do_not_grow_with_the_events(
    app: Flask, client_as: ClientAs, admin: Account, make_user: Callable[..., Account]
) -> None:
    client = client_as(admin)

    def queries_with(count: int) -> int:
        people = [make_user() for _ in range(count)]
        with app.app_context():
            for number, person in enumerate(people * 5):
                audit.record(
                    "test.event", object_type="visits", object_id=number, user_id=person.id
                )
            db.session.commit()
        with counting_queries(app) as statements:
            assert client.get("/admin/audit").status_code == 200
        return len(statements)

    assert queries_with(2) == queries_with(10)


# --- CSV export -------------------------------------------------------------------------


def test_export_is_a_csv_attachment_of_the_filtered_events_and_is_recorded(
    app: Flask,
    monkeypatch: pytest.MonkeyPatch,
    client_as: ClientAs,
    supervisor: Account,
    monitor: Account,
) -> None:
    add_event(
        app, monkeypatch, "visit.create", object_type="visits", object_id=5, user_id=monitor.id
    )
    add_event(app, monkeypatch, "finding.read", object_type="findings", object_id=9)
    response = client_as(supervisor).get("/admin/audit/export.csv?action=visit.")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="audit-')
    assert response.is_streamed
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [(row["action"], row["object_id"], row["user_email"]) for row in rows] == [
        ("visit.create", "5", monitor.email)
    ]
    assert recorded(app, "audit.export") == [{"filters": {"action": "visit."}}]


def test_export_reads_the_trail_in_batches(
    app: Flask, monkeypatch: pytest.MonkeyPatch, client_as: ClientAs, admin: Account
) -> None:
    add_many(app, 7)
    monkeypatch.setattr(audit_export, "BATCH_SIZE", 3)
    client = client_as(admin)
    with counting_queries(app) as statements:
        body = client.get("/admin/audit/export.csv?action=test.").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    assert [int(row["object_id"]) for row in rows] == [7, 6, 5, 4, 3, 2, 1]
    reads = [sql for sql in statements if "FROM audit_events" in sql and "LIMIT" in sql]
    # 3 + 3 + 1 rows, then a query that finds no more: never the whole trail at once.
    assert len(reads) == 4


def test_an_export_left_unread_leaves_no_signed_in_user_behind(
    app: Flask, client_as: ClientAs, make_user: Callable[..., Account]
) -> None:
    """A streamed export holds no request context between chunks (none at all unread).

    Holding one (``stream_with_context``) left the exporting administrator
    signed in for whatever request the same process served next.
    """
    first = make_user(Role.ADMIN)
    unread = client_as(first).get("/admin/audit/export.csv")  # kept open, never read
    empty_database(app)
    make_user(Role.MONITOR)  # so that the next administrator gets another id
    second = make_user(Role.ADMIN)
    assert client_as(second).get("/admin/audit").status_code == 200
    unread.close()
    with app.app_context():
        viewers = db.session.scalars(
            select(AuditEvent.user_id).where(AuditEvent.action == "audit.view")
        ).all()
    assert viewers == [second.id]


def test_export_cells_are_never_spreadsheet_formulas() -> None:
    assert audit_export.cell('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert audit_export.cell("-1") == "'-1"
    assert audit_export.cell('{"fields": []}') == '{"fields": []}'
    assert audit_export.cell(None) == ""
