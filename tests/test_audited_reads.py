"""Every read of confidential content is audited, whichever page shows it.

The walk opens every GET page of the app (``app.url_map``) as the visit's
team and as a supervisor, plus the conflict pages of the edit forms, and
checks one thing per response: if the page shows an interview's notes or
identity, or a confidential finding's title or text, then this very request
recorded a read of that record in the audit trail. A page added later is
walked without anyone remembering to add it here.

Guard: ``visits.audit.reads`` (a listener of every decryption, and the
``after_request`` hook that records the reads).
"""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.support import AuthActions
from tests.test_sweeps import Scene, fresh_scene, methods_of, signed_in, url_for_route
from visits.extensions import db
from visits.models import AuditEvent, Finding, Interview

# What the world's records hold (tests.factories): shown only by decrypting.
INTERVIEW_SECRETS = ("Real Name Of Detainee", "Interview notes: beaten at arrest")
FINDING_SECRETS = ("Beatings at arrest", "Confidential finding text about beatings")


def last_event_id(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.max(AuditEvent.id))) or 0)


def reads_since(app: Flask, after: int) -> set[tuple[str, int | None]]:
    with app.app_context():
        rows = db.session.execute(
            select(AuditEvent.action, AuditEvent.object_id).where(
                AuditEvent.id > after, AuditEvent.action.like("%.read")
            )
        ).all()
    return {(action, object_id) for action, object_id in rows}


def check(
    app: Flask, scene: Scene, label: str, request: object, before: int, shown: dict[str, int]
) -> list[str]:
    """The problems of one response: content it shows without a read recorded."""
    body = request.get_data().decode("utf-8", "replace")  # type: ignore[attr-defined]
    reads = reads_since(app, before)
    problems = []
    if any(secret in body for secret in INTERVIEW_SECRETS):
        shown["interview"] += 1
        if ("interview.read", scene.world.interview_id) not in reads:
            problems.append(f"{label}: shows the interview, no interview.read recorded")
    if any(secret in body for secret in FINDING_SECRETS):
        shown["finding"] += 1
        if ("finding.read", scene.world.finding_id) not in reads:
            problems.append(f"{label}: shows the confidential finding, no finding.read recorded")
    return problems


def stale_version(app: Flask, model: type[Interview] | type[Finding], object_id: int) -> str:
    with app.app_context():
        record = db.session.get(model, object_id)
        assert record is not None
        return str(record.version - 1)


def conflict_pages(
    app: Flask, scene: Scene, client: FlaskClient, shown: dict[str, int]
) -> list[str]:
    """The 409 pages of the edit forms show what is saved now: checked like the others."""
    world, actions = scene.world, AuthActions(client)
    before = last_event_id(app)
    finding = actions.post(
        f"/findings/{world.finding_id}/edit",
        {
            "area": "treatment",
            "source_type": "observation",
            "severity": "high",
            "confidentiality": "confidential",
            "title": "Mine",
            "text": "Mine",
            "version": stale_version(app, Finding, world.finding_id),
        },
    )
    assert finding.status_code == 409
    problems = check(app, scene, "finding conflict", finding, before, shown)
    before = last_event_id(app)
    interview = actions.post(
        f"/interviews/{world.interview_id}/edit",
        {
            "kind": "individual",
            "people_count": "1",
            "consent_scope": "anonymous",
            "consent_date": "2020-01-01",
            "notes": "Mine",
            "version": stale_version(app, Interview, world.interview_id),
        },
    )
    assert interview.status_code == 409
    return problems + check(app, scene, "interview conflict", interview, before, shown)


def test_every_page_that_shows_confidential_content_records_the_read(app: Flask) -> None:
    scene = fresh_scene(app)
    problems: list[str] = []
    shown = {"interview": 0, "finding": 0}
    for role in ("monitor", "supervisor"):
        client = signed_in(app, role)
        for endpoint in methods_of(app, "GET"):
            before = last_event_id(app)
            response = client.get(url_for_route(app, endpoint, scene.values))
            problems += check(app, scene, f"{role} GET {endpoint}", response, before, shown)
        problems += [f"{role} {problem}" for problem in conflict_pages(app, scene, client, shown)]
    print(f"pages showing the interview: {shown['interview']}, the finding: {shown['finding']}")
    assert not problems, "\n".join(problems)
    # The walk saw the content where it lives: the interview, finding, visit
    # and edit pages, the conflict pages, for both roles.
    assert shown["interview"] >= 6
    assert shown["finding"] >= 10


def test_a_page_that_decrypts_nothing_records_no_read(app: Flask) -> None:
    scene = fresh_scene(app)
    client = signed_in(app, "monitor")
    before = last_event_id(app)
    assert client.get("/visits/").status_code == 200
    assert client.get(f"/places/{scene.world.place_id}").status_code == 200
    assert reads_since(app, before) == set()
