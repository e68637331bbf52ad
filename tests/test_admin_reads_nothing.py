"""An administrator manages accounts and never reads confidential content (docs/architecture.md, 3).

Every confidential field of the world holds a unique canary string. The team
and a supervisor use the app (opening, editing, downloading, deleting), so
that the audit trail has something to show; then the administrator requests
every GET route of the app, with every sample value, and each list, filter,
export and report variant that exists. Not one canary may appear in any
response body or header.
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.factories import make_attachment
from tests.support import AuthActions
from tests.test_access_matrix import route_methods
from tests.test_sweeps import Scene, fresh_scene, signed_in, url_for_route
from visits.extensions import db
from visits.models import (
    Attachment,
    ChecklistAnswer,
    Finding,
    FindingReview,
    Interview,
    ReviewState,
    User,
    Visit,
)
from visits.models.base import utcnow

_RUN = secrets.token_hex(4)


def canary(field: str) -> str:
    return f"CANARY{_RUN}{field.replace('_', '')}"


CANARY_FIELDS = {
    Interview: ("real_name", "notes", "identifying_details"),
    Finding: (
        "title",
        "text",
        "allegation_what",
        "allegation_when",
        "allegation_by_whom",
        "allegation_medical_evidence",
        "review_comment",
    ),
    Attachment: ("caption", "original_name"),
    Visit: ("purpose", "interview_shortfall_reason"),
    ChecklistAnswer: ("note",),
    # The review's history: an earlier return, with its comment.
    FindingReview: ("comment",),
}
CANARIES = [
    *(
        canary(f"{model.__name__}{name}")
        for model, names in CANARY_FIELDS.items()
        for name in names
    ),
    canary("deletedfile"),
]


def plant_canaries(app: Flask, scene: Scene) -> None:
    world = scene.world
    with app.app_context():
        objects: dict[type, Any] = {
            Interview: db.session.get(Interview, world.interview_id),
            Finding: db.session.get(Finding, world.finding_id),
            Attachment: db.session.get(Attachment, world.attachment_id),
            Visit: db.session.get(Visit, world.visit_id),
            ChecklistAnswer: db.session.query(ChecklistAnswer)
            .filter_by(visit_id=world.visit_id)
            .one(),
        }
        objects[Finding].alleges_ill_treatment = True
        # Returned to the team: the comment is its current state, and its history.
        supervisor_id = scene.account_ids["supervisor"]
        objects[Finding].review_state = ReviewState.RETURNED
        objects[Finding].reviewed_by_id = supervisor_id
        objects[Finding].reviewed_at = utcnow()
        objects[FindingReview] = FindingReview(
            finding_id=world.finding_id, step=ReviewState.RETURNED, user_id=supervisor_id
        )
        db.session.add(objects[FindingReview])
        for model, names in CANARY_FIELDS.items():
            for name in names:
                value = canary(f"{model.__name__}{name}")
                if name == "original_name":
                    value += ".png"
                setattr(objects[model], name, value)
        # A second file, deleted: its name must not surface anywhere either.
        visit = objects[Visit]
        gone = make_attachment(
            app, visit, scene.account_ids["monitor"], original_name=f"{canary('deletedfile')}.png"
        )
        gone.deleted_at = visit.created_at
        gone.deleted_by_id = scene.account_ids["monitor"]
        gone.deletion_reason = "Blurred"
        db.session.commit()


def use_the_app(app: Flask, scene: Scene) -> dict[str, int]:
    """The team and a supervisor work: reads, an edit, a deletion (all audited).

    Returns how often those who may read content saw each canary (the
    supervisor, and the team for the interviewee's identity, which is the
    team's alone): the canaries are live.
    """
    world = scene.world
    seen = dict.fromkeys(CANARIES, 0)
    team_page = signed_in(app, "monitor").get(f"/interviews/{world.interview_id}")
    for name, count in occurrences(team_page).items():
        seen[name] += count
    supervisor = signed_in(app, "supervisor")
    for url in (
        f"/visits/{world.visit_id}",
        f"/visits/{world.visit_id}/checklist",
        f"/interviews/{world.interview_id}",
        f"/findings/{world.finding_id}",
        f"/attachments/{world.attachment_id}",
        "/deleted/",
    ):
        response = supervisor.get(url)
        assert response.status_code == 200, url
        for name, count in occurrences(response).items():
            seen[name] += count
    monitor = AuthActions(signed_in(app, "monitor"))
    with app.app_context():
        finding = db.session.get(Finding, world.finding_id)
        assert finding is not None
        version = finding.version
    edited = monitor.post(
        f"/findings/{world.finding_id}/edit",
        {
            "area": "treatment",
            "source_type": "observation",
            "severity": "high",
            "confidentiality": "confidential",
            "title": canary("Findingtitle"),
            "text": canary("Findingtext"),
            "alleges_ill_treatment": "y",
            "allegation_what": canary("Findingallegationwhat"),
            "version": str(version),
        },
    )
    assert edited.status_code == 302
    assert monitor.post(
        f"/interviews/{world.interview_id}/withdraw-consent", {"confirm": "y"}
    ).status_code in (302, 200)
    return seen


def occurrences(response: TestResponse) -> dict[str, int]:
    body = response.get_data().decode("utf-8", "replace")  # files are bytes
    headers = "\n".join(f"{name}: {value}" for name, value in response.headers.items())
    return {name: body.count(name) + headers.count(name) for name in CANARIES}


def admin_urls(app: Flask, scene: Scene) -> list[str]:
    """Every GET route with the world's values, and the variants lists and exports take."""
    world = scene.world
    urls = [
        url_for_route(app, endpoint, scene.values)
        for endpoint, method in route_methods(app)
        if method == "GET"
    ]
    for account_id in scene.account_ids.values():
        urls.append(f"/admin/users/{account_id}")
    urls += [
        f"/attachments/{world.attachment_id}?inline=1",
        f"/visits/?place={world.place_id}",
        f"/visits/?member={scene.account_ids['monitor']}",
        f"/places/{world.place_id}",
        f"/visits/{world.next_visit_id}",
        "/admin/users?q=monitor",
        "/admin/audit",
        "/admin/audit?object_type=findings",
        "/admin/audit?object_type=interviews",
        "/admin/audit?object_type=attachments",
        f"/admin/audit?user={scene.account_ids['monitor']}",
        "/admin/audit/export.csv",
        "/admin/audit/export.csv?object_type=findings",
        "/deleted/?kind=attachments",
    ]
    return urls


def test_admin_reads_no_confidential_string_on_any_route(app: Flask) -> None:
    scene = fresh_scene(app)
    plant_canaries(app, scene)
    seen_by_supervisor = use_the_app(app, scene)
    admin: FlaskClient = signed_in(app, "admin")
    with app.app_context():
        assert db.session.get(User, scene.account_ids["admin"]) is not None

    found: dict[str, list[str]] = {}
    statuses: dict[int, int] = {}
    urls = admin_urls(app, scene)
    for url in urls:
        response = admin.get(url)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        for name, count in occurrences(response).items():
            if count:
                found.setdefault(name, []).append(f"{url} ({count})")

    total = sum(len(places) for places in found.values())
    print(
        f"Admin reads nothing: {len(urls)} requests on "
        f"{len({url.split('?')[0] for url in urls})} paths, statuses {sorted(statuses.items())}, "
        f"{len(CANARIES)} canaries, {total} occurrences"
    )
    # The canaries are live: those who may read content saw each.
    assert all(seen_by_supervisor.values()), seen_by_supervisor
    assert statuses.get(200, 0) > 15  # the admin's pages answered
    assert found == {}
