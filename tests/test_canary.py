"""The canary: what a monitor types into a confidential field, or uploads, is
nowhere at rest in plain text.

A unique string goes, through the pages, into every encrypted field and an
uploaded document; then the raw bytes are searched: the SQLite database file
(or a ``pg_dump`` of the PostgreSQL test database) and every file under
``instance/attachments``. Each search also looks for a control string stored
in plain text (a finding's title), so that it cannot pass by searching the
wrong place; and the team still reads every canary on the pages, so that it
cannot pass by losing the data.

Guards: visits/crypto/fields.py ``Encrypted.__set__`` (fields), the
``crypto.encrypt_bytes`` call in visits/attachments/services.py
``_write_new_file`` (files).
"""

from __future__ import annotations

import io
import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from uuid import uuid4

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.engine import make_url

from tests.factories import build_world
from tests.support import Account, AuthActions
from visits.extensions import db
from visits.i18n import npm_today
from visits.models import Attachment, Finding, Interview, User

INTERVIEW_FIELDS = ("real_name", "identifying_details", "notes")
FINDING_FIELDS = (
    "text",
    "allegation_what",
    "allegation_when",
    "allegation_by_whom",
    "allegation_medical_evidence",
)


@dataclass(frozen=True)
class Planted:
    canaries: dict[str, str]
    control: str
    interview_id: int
    finding_id: int
    attachment_id: int
    team: FlaskClient


def plant_canaries(
    app: Flask, monitor: Account, client_as: Callable[[Account | None], FlaskClient]
) -> Planted:
    """Write a fresh canary into every encrypted field and a document, as the team does."""
    world = build_world(app, monitor.id)
    canaries = {name: uuid4().hex for name in (*INTERVIEW_FIELDS, *FINDING_FIELDS, "totp_secret")}
    canaries["attachment"] = uuid4().hex
    control = uuid4().hex
    team = AuthActions(client_as(monitor))
    with app.app_context():
        today = npm_today()

    created = team.post(
        f"/visits/{world.visit_id}/interviews/new",
        {
            "kind": "individual",
            "people_count": "1",
            "consent_scope": "named",
            "consent_date": today.isoformat(),
            **{name: canaries[name] for name in INTERVIEW_FIELDS},
        },
    )
    assert created.status_code == 302, created.get_data(as_text=True)
    interview_id = int(created.headers["Location"].rsplit("/", 1)[1])

    created = team.post(
        f"/visits/{world.visit_id}/findings/new",
        {
            "area": "treatment",
            "source_type": "detainee_interview",
            "severity": "high",
            "confidentiality": "confidential",
            "title": f"Control {control}",
            "alleges_ill_treatment": "y",
            **{name: canaries[name] for name in FINDING_FIELDS},
        },
    )
    assert created.status_code == 302, created.get_data(as_text=True)
    finding_id = int(created.headers["Location"].rsplit("/", 1)[1])

    document = b"%PDF-1.4\n" + canaries["attachment"].encode("ascii") + b"\n%%EOF"
    uploaded = team.post(
        f"/visits/{world.visit_id}/attachments",
        {"file": (io.BytesIO(document), "statement.pdf"), "caption": "Statement"},
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 302, uploaded.get_data(as_text=True)

    with app.app_context():
        user = db.session.get(User, monitor.id)
        assert user is not None
        user.totp_secret = canaries["totp_secret"]
        db.session.commit()
        attachment_id = db.session.scalars(
            select(Attachment.id).where(Attachment.original_name == "statement.pdf")
        ).one()
    return Planted(canaries, control, interview_id, finding_id, attachment_id, team.client)


def assert_the_team_still_reads_them(app: Flask, monitor: Account, p: Planted) -> None:
    # The same signed-in client: with a TOTP secret, a new sign-in asks for a code.
    team = p.team
    interview_page = team.get(f"/interviews/{p.interview_id}").get_data(as_text=True)
    finding_page = team.get(f"/findings/{p.finding_id}").get_data(as_text=True)
    for name in INTERVIEW_FIELDS:
        assert p.canaries[name] in interview_page, name
    for name in FINDING_FIELDS:
        assert p.canaries[name] in finding_page, name
    download = team.get(f"/attachments/{p.attachment_id}")
    assert download.status_code == 200
    assert p.canaries["attachment"].encode("ascii") in download.data
    with app.app_context():
        user = db.session.get(User, monitor.id)
        assert user is not None
        assert user.totp_secret == p.canaries["totp_secret"]
        interview = db.session.get(Interview, p.interview_id)
        finding = db.session.get(Finding, p.finding_id)
        assert interview is not None
        assert finding is not None
        assert interview.notes == p.canaries["notes"]
        assert finding.allegation_when == p.canaries["allegation_when"]


def occurrences(haystack: bytes, p: Planted) -> dict[str, int]:
    return {name: haystack.count(value.encode("ascii")) for name, value in p.canaries.items()}


def attachment_folder_bytes(app: Flask) -> bytes:
    folder = Path(app.instance_path) / "attachments"
    return b"".join(path.read_bytes() for path in sorted(folder.iterdir()) if path.is_file())


def check_attachment_folder(app: Flask, p: Planted) -> None:
    found = occurrences(attachment_folder_bytes(app), p)
    print(f"canary occurrences in instance/attachments: {sum(found.values())} {found}")
    assert sum(found.values()) == 0, found


def dialect(app: Flask) -> str:
    with app.app_context():
        return db.engine.dialect.name


def test_canary_is_nowhere_in_the_sqlite_file_or_the_attachments(
    app: Flask, monitor: Account, client_as: Callable[[Account | None], FlaskClient]
) -> None:
    if dialect(app) != "sqlite":
        pytest.skip("the SQLite half: the tests run on PostgreSQL (see the pg_dump test)")
    planted = plant_canaries(app, monitor, client_as)
    assert_the_team_still_reads_them(app, monitor, planted)

    with app.app_context():
        database = Path(str(db.engine.url.database))
        db.session.remove()
        db.engine.dispose()  # every connection closed: all that was written is in the file
    raw = b"".join(
        path.read_bytes()
        for path in (database, *database.parent.glob(f"{database.name}-*"))
        if path.is_file()
    )
    found = occurrences(raw, planted)
    print(f"canary occurrences in {database.name} ({len(raw)} bytes): {sum(found.values())}", found)
    assert raw.count(planted.control.encode("ascii")) >= 1, "the search reads the right file"
    assert sum(found.values()) == 0, found
    check_attachment_folder(app, planted)


def test_canary_is_nowhere_in_a_pg_dump_or_the_attachments(
    app: Flask, monitor: Account, client_as: Callable[[Account | None], FlaskClient]
) -> None:
    if dialect(app) != "postgresql":
        pytest.skip("the PostgreSQL half: set TEST_DATABASE_URL to run it")
    planted = plant_canaries(app, monitor, client_as)
    assert_the_team_still_reads_them(app, monitor, planted)

    with app.app_context():
        url = db.engine.url.set(drivername="postgresql")
    environment = {**os.environ}
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    dump = subprocess.run(  # noqa: S603 (fixed program, URL from the test configuration)
        ["pg_dump", "--no-owner", make_url(url).render_as_string(hide_password=True)],  # noqa: S607
        capture_output=True,
        check=True,
        env=environment,
        timeout=120,
    ).stdout
    found = occurrences(dump, planted)
    print(f"canary occurrences in pg_dump ({len(dump)} bytes): {sum(found.values())} {found}")
    assert dump.count(planted.control.encode("ascii")) >= 1, "the dump holds this database"
    assert sum(found.values()) == 0, found
    check_attachment_folder(app, planted)
