"""The canary: whatever a person types into a visit's content, or uploads, is nowhere
at rest in plain text.

The test walks the forms as a person meets them. Each step opens a page
(new and edit pages, the visit page with its upload, transition and
reprisal-check forms, a finding's review form, the delete pages), reads
from the HTML the form that posts to the step's route, and fills EVERY field
a person types into, and the upload's file name and content, with a
distinct canary; other fields keep what the page offers, or the step's
choice. So a field added to one of these forms is covered without touching
this test; and a content route (visits, interviews, findings, attachments,
deletions) whose form takes typed text but has no step fails the coverage
check.

Then the raw bytes are searched: the SQLite database file and its journals
(or a ``pg_dump`` of the PostgreSQL test database), and every file under
``instance/attachments``: no canary. A control string stored in plain text
(the place's name) must be found there, so that the search provably reads
the right bytes; and the team still reads every canary on the pages, so
that the test cannot pass by losing what was typed.

Guards: visits/crypto/fields.py ``Encrypted`` (the models' encrypted
attributes), ``crypto.encrypt_bytes`` in visits/attachments/services.py
``_write_new_file`` (files).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.engine import make_url

from tests.factories import (
    build_world,
    make_attachment,
    make_finding,
    make_interview,
    make_visit,
)
from tests.html_forms import Step, Walk, open_page, post_forms, send
from tests.support import Account
from tests.test_access_matrix import route_methods
from visits.crypto.inventory import encrypted_columns
from visits.extensions import db
from visits.i18n import npm_today
from visits.models import (
    Attachment,
    Base,
    User,
    Visit,
    VisitMember,
    VisitStatus,
)

# The areas whose forms write a visit's content; every POST route of theirs is checked.
CONTENT_BLUEPRINTS = frozenset(
    {"visits", "interviews", "findings", "attachments", "deleted", "approvals", "recommendations"}
)
# What these write is stored and read through the models, but no page shows it:
# the second-factor secret (set through the model), and a refusal's reason (its
# reader is the account's owner, told once at their next sign-in).
SHOWN_ON_NO_PAGE = frozenset({"users", "approvals.refuse"})


FINDING_CHOICES = {
    "area": "treatment",
    "source_type": "observation",
    "severity": "high",
    "confidentiality": "confidential",
    "alleges_ill_treatment": "y",
}
# A recommendation's text goes to the authority and is searchable: plain, so typed
# here rather than planted; its rationale, internal note and comments are canaries.
RECOMMENDATION_CHOICES = {
    "text": "Provide daylight in every cell",
    "area": "material_conditions",
    "level": "facility",
    "priority": "high",
    "source": "visit_report",
    "source_symbol": "",
    "source_paragraph": "",
}
STEPS = (
    Step(
        "team",
        "/visits/new",
        "visits.new",
        {
            "place_id": "{place}",
            "visit_type": "special",
            "start_date": "{later}",
            "end_date": "{later}",
        },
        keep_as="new_visit",
    ),
    Step("team", "/visits/{visit}/edit", "visits.edit"),
    Step("team", "/visits/{visit}/checklist", "visits.checklist"),
    Step(
        "team",
        "/visits/{visit}/interviews/new",
        "interviews.new",
        {"kind": "individual", "consent_scope": "named"},
        keep_as="new_interview",
    ),
    Step("team", "/interviews/{interview}/edit", "interviews.edit"),
    Step(
        "team",
        "/visits/{visit}/findings/new",
        "findings.new",
        FINDING_CHOICES,
        keep_as="new_finding",
    ),
    Step("team", "/findings/{finding}/edit", "findings.edit", {"alleges_ill_treatment": "y"}),
    Step("team", "/visits/{visit}", "attachments.upload"),
    Step("team", "/findings/{finding}", "findings.submit"),
    Step("supervisor", "/findings/{finding}", "findings.review", {"decision": "return"}),
    Step("team", "/visits/{visit}", "visits.transition", press=("target", "in_review")),
    Step("supervisor", "/visits/{visit}", "visits.transition", press=("target", "analysis")),
    Step("team", "/visits/{new_visit}", "visits.transition", press=("target", "cancelled")),
    Step("team", "/visits/{next_visit}", "visits.transition", press=("target", "on_site")),
    Step("team", "/visits/{next_visit}", "visits.record_reprisal_check", {"status": "no_signs"}),
    Step("team", "/interviews/{spare_interview}/delete", "interviews.delete"),
    Step("team", "/findings/{spare_finding}/delete", "findings.delete"),
    Step("team", "/attachments/{spare_attachment}/delete", "attachments.delete"),
    Step("team", "/visits/{spare_visit}/delete", "visits.delete"),
    Step(
        "team",
        "/visits/{visit}/recommendations/new",
        "recommendations.new_from_visit",
        RECOMMENDATION_CHOICES,
        keep_as="new_recommendation",
    ),
    Step(
        "supervisor",
        "/recommendations/new",
        "recommendations.new",
        {
            **RECOMMENDATION_CHOICES,
            "authority_id": "{authority}",
            "place_id": "",
            "level": "legislation",
            "source": "spt_report",
            "source_symbol": "CAT/OP/KGZ/1",
            "source_paragraph": "12",
        },
        keep_as="standalone_recommendation",
    ),
    Step(
        "team",
        "/recommendations/{recommendation}/edit",
        "recommendations.edit",
        RECOMMENDATION_CHOICES,
    ),
    Step(
        "supervisor",
        "/recommendations/{recommendation}",
        "recommendations.transition",
        press=("target", "approved"),
    ),
    Step(
        "supervisor",
        "/recommendations/send?authority={authority}",
        "recommendations.send",
        {"reference": "NPM-2026/1"},
    ),
    # The authority's response to it; its reference number is printed on its letter
    # (plain), its text is content.
    Step(
        "supervisor",
        "/recommendations/{recommendation}/responses/new",
        "recommendations.new_response",
        {"reference": "MVD-7/1234", "kind": "response", "answer": "partly_accepted"},
    ),
    # The lead asked to add a newcomer to the next visit's team; a supervisor refuses.
    Step("supervisor", "/approvals/{access_request}/refuse", "approvals.refuse"),
)
# Where the team (and, for deleted records, a supervisor) reads what was typed.
READING_PAGES = (
    ("team", "/visits/{visit}"),
    ("team", "/visits/{new_visit}"),
    ("team", "/visits/{next_visit}"),
    ("team", "/interviews/{interview}"),
    ("team", "/interviews/{new_interview}"),
    ("team", "/findings/{finding}"),
    ("team", "/findings/{new_finding}"),
    ("supervisor", "/deleted/"),
    ("team", "/recommendations/{recommendation}"),
    ("team", "/recommendations/{new_recommendation}"),
    ("supervisor", "/recommendations/{standalone_recommendation}"),
)


@dataclass
class Planted(Walk):
    """The walk, with the downloads read back and the plain-text control value."""

    downloads: list[bytes] = field(default_factory=list)
    control: str = field(default_factory=lambda: uuid4().hex)


def make_scene(
    app: Flask, monitor: Account, colleague: Account, planted: Planted
) -> dict[str, Any]:
    """The world (tests.factories) led by ``monitor``, and spare records to delete."""
    world = build_world(app, monitor.id)
    with app.app_context():
        visit = db.session.get(Visit, world.visit_id)
        assert visit is not None
        visit.place.name_en = planted.control  # plain text: the search's control
        # A member who is not the lead: the team table offers to remove them.
        db.session.add(VisitMember(visit=visit, user_id=colleague.id))
        spare_visit = make_visit(
            visit.place,
            monitor.id,
            status=VisitStatus.PREPARING,
            start_date=npm_today() + timedelta(days=40),
        )
        ids = {
            "place": world.place_id,
            "visit": world.visit_id,
            "next_visit": world.next_visit_id,
            "interview": world.interview_id,
            "finding": world.finding_id,
            "spare_interview": make_interview(visit, monitor.id, number=9).id,
            "spare_finding": make_finding(visit, monitor.id, number=9).id,
            "spare_attachment": make_attachment(app, visit, monitor.id).id,
            "spare_visit": spare_visit.id,
            "access_request": world.access_request_id,
            "recommendation": world.recommendation_id,
            "authority": world.authority_id,
            "default_date": visit.start_date.isoformat(),
            "later": (npm_today() + timedelta(days=30)).isoformat(),
        }
        db.session.commit()
    return ids


def plant_canaries(
    app: Flask,
    monitor: Account,
    supervisor: Account,
    client_as: Callable[[Account | None], FlaskClient],
) -> Planted:
    """Every step as the team and a supervisor take it; then the team reads it all back."""
    planted = Planted()
    ids = make_scene(app, monitor, supervisor, planted)
    clients = {"team": client_as(monitor), "supervisor": client_as(supervisor)}
    # The pending approvals, before a step decides one: their forms are checked too.
    open_page(app, clients["supervisor"], "/approvals/", planted)
    for step in STEPS:
        send(app, clients, step, ids, planted)
    planted.pages.clear()  # what counts is what the pages show once every step is done
    for role, page in READING_PAGES:
        open_page(app, clients[role], page.format(**ids), planted)
    with app.app_context():
        uploads = db.session.scalars(
            select(Attachment).where(Attachment.visit_id == ids["visit"], Attachment.live())
        ).all()
        names = {attachment.original_name: attachment.id for attachment in uploads}
        user = db.session.get(User, monitor.id)
        assert user is not None
        user.totp_secret = planted.new("users", "totp_secret")
        db.session.commit()
    uploaded = names[f"{planted.texts[('attachments.upload', 'file name')]}.pdf"]
    download = clients["team"].get(f"/attachments/{uploaded}")
    assert download.status_code == 200
    planted.downloads.append(download.data)
    return planted


def assert_every_content_form_was_filled(app: Flask, planted: Planted) -> None:
    content = {
        endpoint
        for endpoint, method in route_methods(app)
        if method == "POST" and endpoint.split(".")[0] in CONTENT_BLUEPRINTS
    }
    stepped = {step.endpoint for step in STEPS}
    unseen = sorted(content - stepped - set(planted.forms_seen))
    assert not unseen, f"no page the canary opens shows a form for {unseen}: add a step"
    forms = {endpoint: planted.forms_seen[endpoint] for endpoint in sorted(content - stepped)}
    untyped = {
        e: f.typed_fields + f.file_fields
        for e, f in forms.items()
        if f.typed_fields or f.file_fields
    }
    assert untyped == {}, f"forms that take typed text but have no step: {untyped}"


def stored_plaintexts(app: Flask) -> set[str]:
    """Every value of every row as the models read it, encrypted ones decrypted."""
    encrypted: dict[str, list[str]] = {}
    for location in encrypted_columns():
        encrypted.setdefault(location.table, []).append(location.attribute)
    values: set[str] = set()
    with app.app_context():
        for mapper in Base.registry.mappers:
            names = [*mapper.column_attrs.keys(), *encrypted.get(mapper.local_table.name, [])]
            for obj in db.session.scalars(select(mapper.class_)):
                values.update(str(getattr(obj, name)) for name in names)
    return values


def assert_the_team_still_reads_them(app: Flask, planted: Planted) -> None:
    shown = "\n".join(planted.pages)
    downloaded = b"".join(planted.downloads)
    stored = stored_plaintexts(app)
    unread = {}
    for (where, name), value in planted.texts.items():
        if where in SHOWN_ON_NO_PAGE:
            readable = value in stored
        else:
            readable = value in shown or value.encode() in downloaded
        if not readable:
            unread[(where, name)] = value
    assert not unread, f"canaries lost or not shown: {unread}"


def count_canaries(haystack: bytes, app: Flask, planted: Planted) -> dict[str, int]:
    found = {
        f"{where}:{name}": haystack.count(value.encode())
        for (where, name), value in planted.texts.items()
    }
    return {label: count for label, count in found.items() if count}


def check_attachment_store(app: Flask, planted: Planted) -> None:
    folder = Path(app.instance_path) / "attachments"
    files = b"".join(path.read_bytes() for path in sorted(folder.iterdir()) if path.is_file())
    found = count_canaries(files, app, planted)
    print(f"canaries in instance/attachments ({len(files)} bytes): {found}")
    assert found == {}


def dialect(app: Flask) -> str:
    with app.app_context():
        return db.engine.dialect.name


def plant_and_check(
    app: Flask,
    monitor: Account,
    supervisor: Account,
    client_as: Callable[[Account | None], FlaskClient],
) -> Planted:
    planted = plant_canaries(app, monitor, supervisor, client_as)
    assert_every_content_form_was_filled(app, planted)
    assert_the_team_still_reads_them(app, planted)
    print(f"{len(planted.texts)} canaries planted: {sorted(planted.texts)}")
    return planted


def test_no_canary_in_the_sqlite_file_or_the_attachments(
    app: Flask,
    monitor: Account,
    supervisor: Account,
    client_as: Callable[[Account | None], FlaskClient],
) -> None:
    if dialect(app) != "sqlite":
        pytest.skip("the SQLite half: the tests run on PostgreSQL (see the pg_dump test)")
    planted = plant_and_check(app, monitor, supervisor, client_as)

    with app.app_context():
        database = Path(str(db.engine.url.database))
        db.session.remove()
        db.engine.dispose()  # every connection closed: all that was written is in the file
    raw = b"".join(
        path.read_bytes()
        for path in (database, *database.parent.glob(f"{database.name}-*"))
        if path.is_file()
    )
    found = count_canaries(raw, app, planted)
    print(f"canaries in {database.name} and its journals ({len(raw)} bytes): {found}")
    assert raw.count(planted.control.encode()) >= 1, "the search reads the right file"
    assert found == {}
    check_attachment_store(app, planted)


def test_no_canary_in_a_pg_dump_or_the_attachments(
    app: Flask,
    monitor: Account,
    supervisor: Account,
    client_as: Callable[[Account | None], FlaskClient],
) -> None:
    if dialect(app) != "postgresql":
        pytest.skip("the PostgreSQL half: set TEST_DATABASE_URL to run it")
    planted = plant_and_check(app, monitor, supervisor, client_as)

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
    found = count_canaries(dump, app, planted)
    print(f"canaries in pg_dump ({len(dump)} bytes): {found}")
    assert dump.count(planted.control.encode()) >= 1, "the dump holds this database"
    assert found == {}
    check_attachment_store(app, planted)


def test_the_walk_reads_every_field_of_a_form_from_its_html() -> None:
    html = """
    <form method="post" action="/visits/1/edit"><input type="hidden" name="csrf_token" value="t">
      <input name="joint_with"><textarea name="purpose">old</textarea>
      <input type="text" name="start_date" value="01.01.2026" data-date="DD.MM.YYYY">
      <select name="visit_type"><option value="special" selected>Special</option></select>
      <input type="file" name="file"><button type="submit" name="target" value="x">Go</button>
    </form><form method="get"><input name="q"></form>"""

    [form] = post_forms(html, "/visits/1/edit")

    assert form.action == "/visits/1/edit"
    assert form.typed_fields == ["joint_with", "purpose"]
    assert form.file_fields == ["file"]
    assert [c.kind for c in form.controls] == [
        "hidden",
        "text",
        "textarea",
        "date",
        "select",
        "file",
        "submit",
    ]
