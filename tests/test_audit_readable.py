"""An audit trail a person can read: labels in the reader's language, not codes; a
photo shown in a page is one view, not a download on every reload."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from tests.factories import World, build_world
from tests.support import Account, AuthActions
from visits import audit
from visits.extensions import db
from visits.i18n import npm_today
from visits.models import AuditEvent, Finding, Role, Visit, VisitStatus
from visits.models.base import utcnow

ClientAs = Callable[[Account | None], FlaskClient]

# A code as the trail stores it: in_review, finding_id, allegation_consent_to_transmit.
SNAKE_CASE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")


@pytest.fixture
def world(app: Flask, monitor: Account) -> World:
    return build_world(app, monitor.id)


def finding_form(**fields: str) -> dict[str, str]:
    return {
        "area": "treatment",
        "source_type": "detainee_interview",
        "severity": "high",
        "confidentiality": "confidential",
        "title": "Blows at arrest",
        "text": "Two people held described blows in the police car.",
        **fields,
    }


def live_a_visit(app: Flask, world: World, team: AuthActions, chief: AuthActions) -> None:
    """A finding alleging ill-treatment, reviewed twice; the visit approved and sent."""
    created = team.post(
        f"/visits/{world.visit_id}/findings/new",
        finding_form(
            alleges_ill_treatment="y",
            allegation_what="Kicked during questioning",
            allegation_consent_to_transmit="y",
        ),
    )
    assert created.status_code == 302, created.get_data(as_text=True)
    finding_id = int(created.headers["Location"].rsplit("/", 1)[1])
    for finding in (world.finding_id, finding_id):
        assert team.post(f"/findings/{finding}/submit").status_code == 302
    returned = chief.post(
        f"/findings/{finding_id}/review", {"decision": "return", "comment": "Date it."}
    )
    assert returned.status_code == 302
    with app.app_context():
        version = db.session.get_one(Finding, finding_id).version
    edited = team.post(
        f"/findings/{finding_id}/edit",
        finding_form(
            alleges_ill_treatment="y",
            allegation_what="Kicked during questioning",
            allegation_when="On the night of arrest",
            version=str(version),
        ),
    )
    assert edited.status_code == 302
    assert team.post(f"/findings/{finding_id}/submit").status_code == 302
    for finding in (world.finding_id, finding_id):
        assert chief.post(f"/findings/{finding}/review", {"decision": "accept"}).status_code == 302
    assert team.client.get(f"/attachments/{world.attachment_id}?inline=1").status_code == 200
    with app.app_context():
        visit = db.session.get_one(Visit, world.visit_id)
        visit.interview_shortfall_reason = "Most were at court"
        db.session.commit()
        today = npm_today().isoformat()
    for actor, data in (
        (team, {"target": "in_review"}),
        (chief, {"target": "approved"}),
        (chief, {"target": "sent", "sent_on": today, "letter_reference": "01-12/345"}),
    ):
        moved = actor.post(f"/visits/{world.visit_id}/transition", data)
        assert moved.status_code == 302, moved.get_data(as_text=True)


def audit_pages(client: FlaskClient) -> str:
    """Every page of the trail, one after the other."""
    pages, number = [], 1
    while True:
        page = client.get(f"/admin/audit?page={number}").get_data(as_text=True)
        if f"page={number + 1}" not in page:
            return "".join([*pages, page])
        pages.append(page)
        number += 1


def details_of(page: str) -> list[str]:
    return re.findall(r'<dl class="audit-details">(.*?)</dl>', page, flags=re.S)


def russian(app: Flask, text: Any) -> str:
    with app.test_request_context(headers={"Accept-Language": "ru"}):
        return str(text)


def test_the_russian_audit_page_of_a_visits_life_shows_labels_not_codes(
    app: Flask,
    client_as: ClientAs,
    make_user: Callable[..., Account],
    world: World,
    monitor: Account,
) -> None:
    reader = make_user(Role.SUPERVISOR, name="Сара Руководитель", preferred_locale="ru")
    team, chief = AuthActions(client_as(monitor)), AuthActions(client_as(reader))
    live_a_visit(app, world, team, chief)

    page = audit_pages(chief.client)

    details = details_of(page)
    assert len(details) > 10
    codes = sorted({code for block in details for code in SNAKE_CASE.findall(block)})
    assert codes == []
    shown = " ".join(details)
    for english in (
        _l("Status before"),
        _l("Status after"),
        VisitStatus.IN_REVIEW.label,
        VisitStatus.SENT.label,
        _l("Consent to transmit to the authorities"),
        _l("Allegation of torture or ill-treatment"),
        _l("Return to the team"),
        _l("Outgoing reference of the letter"),
    ):
        label = russian(app, english)
        assert label != str(english), f"{english} has no Russian translation"
        assert label in shown, label
    # A status change is not a period of dates.
    transitions = [
        row
        for row in page.split("<tr>")
        if '<code class="audit-table__code">visit.transition' in row
    ]
    assert len(transitions) == 3
    assert all(russian(app, _l("From")) not in row for row in transitions)


# --- Photos shown in a page ---------------------------------------------------------------


def events_named(app: Flask, action: str) -> list[AuditEvent]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_a_thumbnail_shown_again_within_minutes_is_one_view(
    app: Flask,
    client_as: ClientAs,
    world: World,
    monitor: Account,
    supervisor: Account,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    team = client_as(monitor)
    thumbnail = f"/attachments/{world.attachment_id}?inline=1"
    page = team.get(f"/visits/{world.visit_id}").get_data(as_text=True)
    assert f'src="{thumbnail}"' in page

    for _reload in range(3):
        assert team.get(thumbnail).status_code == 200

    views = events_named(app, "attachment.view")
    assert [(view.user_id, view.object_id) for view in views] == [(monitor.id, world.attachment_id)]
    assert events_named(app, "attachment.download") == []
    # Someone else looking is their own view.
    assert client_as(supervisor).get(thumbnail).status_code == 200
    assert len(events_named(app, "attachment.view")) == 2
    # Later, looking again is a new view.
    later = utcnow() + timedelta(minutes=6)
    monkeypatch.setattr(audit.trail, "utcnow", lambda: later)
    assert team.get(thumbnail).status_code == 200
    assert len(events_named(app, "attachment.view")) == 3


def test_each_download_of_a_file_is_recorded(
    app: Flask, client_as: ClientAs, world: World, monitor: Account
) -> None:
    team = client_as(monitor)
    for _twice in range(2):
        assert team.get(f"/attachments/{world.attachment_id}").status_code == 200
    assert len(events_named(app, "attachment.download")) == 2
    assert events_named(app, "attachment.view") == []


def test_every_field_of_every_record_has_a_label() -> None:
    """A field named in an event (``fields``) is shown as its forms name it, never as code."""
    from sqlalchemy.orm import ColumnProperty

    from visits.audit.labels import FIELD_LABELS
    from visits.audit.trail import _BOOKKEEPING, _field_name
    from visits.models import Base

    unlabelled = sorted(
        f"{mapper.class_.__tablename__}.{_field_name(prop.key)}"
        for mapper in Base.registry.mappers
        for prop in mapper.attrs
        if isinstance(prop, ColumnProperty)
        and prop.key not in _BOOKKEEPING
        and not prop.key.startswith("_")
        and _field_name(prop.key) not in FIELD_LABELS
        and mapper.class_.__tablename__ in AUDITED_WITH_FIELDS
    )
    assert unlabelled == []


# The tables whose events name the fields written (``audit.changed_fields`` and
# ``audit.filled_fields``).
AUDITED_WITH_FIELDS = frozenset(
    {
        "visits",
        "interviews",
        "findings",
        "attachments",
        "checklist_answers",
        "checklist_items",
        "places",
        "planned_visits",
        "regions",
        "place_types",
        "authorities",
        "teams",
    }
)


def test_accounts_and_sign_ins_read_as_words_too(
    app: Flask,
    client_as: ClientAs,
    make_user: Callable[..., Account],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reader = make_user(Role.SUPERVISOR, preferred_locale="ru")
    with app.app_context():
        audit.record(
            "user.role_change",
            object_type="users",
            object_id=reader.id,
            **{
                "from": "monitor",
                "to": "supervisor",
            },
        )
        audit.record("auth.sign_in_failed", object_type="users", reason="wrong_password")
        audit.record("access.request", object_type="users", kind="role_raised", request_id=1)
        db.session.commit()

    page = client_as(reader).get("/admin/audit").get_data(as_text=True)

    details = " ".join(details_of(page))
    assert SNAKE_CASE.findall(details) == []
    for english in (
        _l("Role before"),
        _l("Role after"),
        Role.SUPERVISOR.label,
        _l("Wrong password"),
    ):
        label = russian(app, english)
        assert label != str(english)
        assert label in details, label
    assert russian(app, _l("Access request made")) in page
