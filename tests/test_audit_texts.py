"""What a person writes as a reason is in the audit trail only encrypted.

A deletion's reason goes to ``audit_texts`` (encrypted like any confidential
field) and the event refers to it. The canary: a reason typed when deleting a
finding, then the finding restored (so that the record itself no longer
holds its reason and only the trail remembers it), is found 0 times in the
raw SQLite file or a ``pg_dump``; a supervisor still reads it on the audit
page, an administrator does not.

Guards: ``texts=`` in the ``record`` calls of visits/deleted/services.py, and
``private_text`` in visits/audit/texts.py.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from uuid import uuid4

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from tests.factories import build_world
from tests.support import Account, AuthActions
from tests.test_audit_chain import verify
from tests.test_audit_key import make_app  # noqa: F401  (the fixture)
from visits import audit, crypto
from visits.extensions import db
from visits.models import AuditEvent, AuditText, Role

ClientAs = Callable[[Account | None], FlaskClient]


def raw_database(app: Flask) -> bytes:
    """Every byte the database holds: the SQLite file, or a dump of the PostgreSQL one."""
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            with engine.begin() as connection:
                # Only live data: the pages SQLite freed may keep anything ever written,
                # such as the finding's own reason before it was restored.
                connection.exec_driver_sql("VACUUM")
            database = Path(str(engine.url.database))
            db.session.remove()
            engine.dispose()
            return b"".join(
                path.read_bytes()
                for path in (database, *database.parent.glob(f"{database.name}-*"))
                if path.is_file()
            )
        url = engine.url.set(drivername="postgresql")
    environment = {**os.environ}
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    return subprocess.run(  # noqa: S603 (fixed program, URL from the test configuration)
        ["pg_dump", "--no-owner", make_url(url).render_as_string(hide_password=True)],  # noqa: S607
        capture_output=True,
        check=True,
        env=environment,
        timeout=120,
    ).stdout


def test_a_deletion_reason_is_nowhere_in_plain_text_and_only_supervisors_read_it(
    app: Flask,
    make_user: Callable[..., Account],
    supervisor: Account,
    admin: Account,
    client_as: ClientAs,
) -> None:
    canary, control = uuid4().hex, uuid4().hex
    monitor = make_user(Role.MONITOR, name=f"Control {control}")
    world = build_world(app, monitor.id)
    team = AuthActions(client_as(monitor))
    deleted = team.post(f"/findings/{world.finding_id}/delete", {"reason": f"Why: {canary}"})
    assert deleted.status_code == 302, deleted.get_data(as_text=True)
    restored = AuthActions(client_as(supervisor)).post(
        f"/deleted/findings/{world.finding_id}/restore"
    )
    assert restored.status_code == 302, restored.get_data(as_text=True)

    supervisor_page = client_as(supervisor).get("/admin/audit").get_data(as_text=True)
    admin_page = client_as(admin).get("/admin/audit").get_data(as_text=True)
    # Deleted with this reason, and restored: both events remember it.
    assert supervisor_page.count(f"Why: {canary}") == 2
    assert canary not in admin_page

    raw = raw_database(app)
    print(
        f"canary occurrences in the raw database ({len(raw)} bytes): {raw.count(canary.encode())}"
    )
    assert raw.count(control.encode()) >= 1, "the search reads the right database"
    assert raw.count(canary.encode()) == 0


def test_an_event_holds_only_a_reference_to_its_text(app: Flask) -> None:
    with app.app_context():
        event = audit.record(
            "visit.delete", object_type="visits", object_id=1, texts={"reason": "Duplicate"}
        )
        db.session.commit()
        details = json.loads(event.details)
        stored = db.session.scalars(select(AuditText)).one()
        assert details == {"reason": {"text": stored.row_key}}
        assert stored.text == "Duplicate"
        assert stored.text_encrypted.startswith(f"{crypto.PREFIX}:")


def test_a_name_given_both_as_a_detail_and_as_a_text_is_refused(app: Flask) -> None:
    with app.app_context(), pytest.raises(TypeError, match="both as a detail and as a text"):
        audit.record("visit.delete", reason="plain", texts={"reason": "private"})


def test_the_database_refuses_to_delete_a_text_or_move_it_to_another_event(app: Flask) -> None:
    with app.app_context():
        audit.record_now("visit.delete", texts={"reason": "Duplicate"})
    statements = (
        "DELETE FROM audit_texts",
        "UPDATE audit_texts SET row_key = 'aaaabbbbccccddddeeeeffff00001111'",
        "UPDATE audit_texts SET id = id + 100",
    )
    with app.app_context(), db.engine.connect() as connection:
        for statement in statements:
            with pytest.raises(DBAPIError, match="append-only"):
                connection.execute(text(statement))
            connection.rollback()
    with app.app_context():
        assert [row.text for row in db.session.scalars(select(AuditText))] == ["Duplicate"]


def test_a_text_swapped_into_another_row_no_longer_reads(
    app: Flask, client_as: ClientAs, supervisor: Account
) -> None:
    """The ciphertext is bound to its row key, which the event's MAC covers."""
    with app.app_context():
        audit.record_now("visit.delete", object_type="visits", object_id=1, texts={"reason": "A"})
        audit.record_now("visit.delete", object_type="visits", object_id=2, texts={"reason": "B"})
        first, second = db.session.scalars(select(AuditText).order_by(AuditText.id)).all()
        moved = second.text_encrypted
        db.session.execute(
            text("UPDATE audit_texts SET text = :moved WHERE id = :id"),
            {"moved": moved, "id": first.id},
        )
        db.session.commit()
    page = client_as(supervisor).get("/admin/audit")
    assert page.status_code == 200
    assert "Cannot be read: removed or altered" in page.get_data(as_text=True)
    assert verify(app).exit_code == 0  # the events themselves are untouched


def test_key_rotation_reencrypts_the_texts_of_the_trail(
    app: Flask,
    make_app: Callable[..., Flask],  # noqa: F811
) -> None:
    old_id, old_key = crypto.new_key()
    first = make_app("keys", ENCRYPTION_KEYS=crypto.key_spec(old_id, old_key))
    with first.app_context():
        audit.record_now("visit.delete", texts={"reason": "Entered twice"})
    new_id, new_key = crypto.new_key()
    both = make_app(
        "keys",
        ENCRYPTION_KEYS=f"{crypto.key_spec(new_id, new_key)},{crypto.key_spec(old_id, old_key)}",
    )
    result = both.test_cli_runner().invoke(args=["keys", "rotate"])
    assert result.exit_code == 0, result.output
    assert "audit_texts.text 1" in {" ".join(line.split()) for line in result.output.splitlines()}
    only_new = make_app("keys", ENCRYPTION_KEYS=crypto.key_spec(new_id, new_key))
    with only_new.app_context():
        assert db.session.scalars(select(AuditText)).one().text == "Entered twice"
        assert db.session.scalar(select(AuditEvent.id)) is not None
    assert verify(only_new).exit_code == 0
