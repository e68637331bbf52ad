"""What the visit itself yields: interviews and findings are recorded once the team is
on site, and an allegation of torture or ill-treatment is never a good practice."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.factories import make_finding, make_place, make_reference, make_visit
from tests.support import Account, AuthActions
from visits.errors import WrongState
from visits.extensions import db
from visits.findings import services as findings
from visits.interviews import services as interviews
from visits.models import (
    Confidentiality,
    ConsentScope,
    Finding,
    Interview,
    InterviewKind,
    Severity,
    SourceType,
    ThematicArea,
    User,
    Visit,
    VisitStatus,
)

S = VisitStatus


def visit_in(app: Flask, lead: Account, status: VisitStatus) -> int:
    with app.app_context():
        visit = make_visit(make_place(*make_reference()), lead.id, status=status)
        db.session.commit()
        return visit.id


def interview_data() -> dict[str, str]:
    day = (datetime.now(ZoneInfo("Asia/Bishkek")).date() - timedelta(days=1)).isoformat()
    return {
        "kind": "individual",
        "people_count": "1",
        "conducted_on": day,
        "consent_scope": "anonymous",
        "consent_date": day,
        "real_name": "Azamat Toktosunov",
        "notes": "Says he was kicked during the arrest.",
    }


def finding_data(**fields: str) -> dict[str, str]:
    return {
        "area": "treatment",
        "source_type": "detainee_interview",
        "severity": "high",
        "confidentiality": "confidential",
        "title": "Beatings during arrest",
        "text": "Two people held described blows to the head in the police car.",
        **fields,
    }


def count(app: Flask, model: Any) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


# --- On site or later ---------------------------------------------------------------


@pytest.mark.parametrize("status", [S.PLANNED, S.PREPARING])
def test_nothing_is_recorded_before_the_team_is_on_site(
    app: Flask, client: FlaskClient, auth: AuthActions, monitor: Account, status: VisitStatus
) -> None:
    visit_id = visit_in(app, monitor, status)
    auth.login(monitor)

    page = client.get(f"/visits/{visit_id}").get_data(as_text=True)
    assert f"/visits/{visit_id}/interviews/new" not in page
    assert f"/visits/{visit_id}/findings/new" not in page
    assert "Interviews are recorded once the team is on site." in page
    assert "Findings are recorded once the team is on site." in page

    for path, data in (("interviews", interview_data()), ("findings", finding_data())):
        opened = client.get(f"/visits/{visit_id}/{path}/new")
        assert opened.status_code == 409
        assert "Move the visit to “On site” first." in opened.get_data(as_text=True)
        sent = auth.post(f"/visits/{visit_id}/{path}/new", data)
        assert sent.status_code == 409
    assert count(app, Interview) == 0
    assert count(app, Finding) == 0


def test_services_refuse_before_the_team_is_on_site(app: Flask, monitor: Account) -> None:
    visit_id = visit_in(app, monitor, S.PREPARING)
    with app.app_context():
        visit = db.session.get(Visit, visit_id)
        author = db.session.get(User, monitor.id)
        assert visit is not None
        assert author is not None
        with pytest.raises(WrongState, match="once the team is on site"):
            findings.create_finding(visit, author, finding_input())
        with pytest.raises(WrongState, match="once the team is on site"):
            interviews.create_interview(visit, author, interview_input(visit))


def finding_input(**changes: Any) -> findings.FindingInput:
    values: dict[str, Any] = {
        "area": ThematicArea.TREATMENT,
        "source_type": SourceType.DETAINEE_INTERVIEW,
        "interview_ids": (),
        "severity": Severity.HIGH,
        "confidentiality": Confidentiality.CONFIDENTIAL,
        "title": "Beatings",
        "text": "Blows on arrest",
        "alleges_ill_treatment": False,
        "allegation_what": "",
        "allegation_when": "",
        "allegation_by_whom": "",
        "allegation_medical_evidence": "",
        "allegation_consent_to_transmit": False,
        **changes,
    }
    return findings.FindingInput(**values)


def interview_input(visit: Visit) -> interviews.InterviewInput:
    return interviews.InterviewInput(
        kind=InterviewKind.INDIVIDUAL,
        people_count=1,
        conducted_on=visit.start_date,
        consent_scope=ConsentScope.ANONYMOUS,
        consent_date=visit.start_date,
        real_name="Azamat Toktosunov",
        identifying_details="",
        reprisal_risk=False,
        notes="Kicked on arrest",
    )


@pytest.mark.parametrize("status", [S.ON_SITE, S.ANALYSIS, S.IN_REVIEW])
def test_the_team_records_on_site_and_after(
    app: Flask, client: FlaskClient, auth: AuthActions, monitor: Account, status: VisitStatus
) -> None:
    visit_id = visit_in(app, monitor, status)
    auth.login(monitor)
    page = client.get(f"/visits/{visit_id}").get_data(as_text=True)
    assert f"/visits/{visit_id}/interviews/new" in page
    assert f"/visits/{visit_id}/findings/new" in page
    assert "recorded once the team is on site" not in page
    assert auth.post(f"/visits/{visit_id}/interviews/new", interview_data()).status_code == 302
    assert auth.post(f"/visits/{visit_id}/findings/new", finding_data()).status_code == 302


# --- An allegation is never a good practice -------------------------------------------


def severity_error(html: str) -> str:
    found = re.search(r'id="severity-error"[^>]*>([^<]*)<', html)
    return found.group(1) if found else ""


def test_an_allegation_cannot_be_a_good_practice(
    app: Flask, client: FlaskClient, auth: AuthActions, monitor: Account
) -> None:
    visit_id = visit_in(app, monitor, S.ANALYSIS)
    auth.login(monitor)
    allegation = {
        "alleges_ill_treatment": "y",
        "allegation_what": "Blows with a baton on arrest",
    }
    refused = auth.post(
        f"/visits/{visit_id}/findings/new", finding_data(severity="good_practice", **allegation)
    )
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert severity_error(html).startswith(
        "A finding that alleges torture or ill-treatment cannot be a good practice"
    )
    assert "Blows with a baton on arrest" in html
    assert count(app, Finding) == 0

    # In Russian, the same refusal in Russian.
    assert auth.post("/language", {"locale": "ru"}).status_code == 302
    refused = auth.post(
        f"/visits/{visit_id}/findings/new", finding_data(severity="good_practice", **allegation)
    )
    assert severity_error(refused.get_data(as_text=True)).startswith(
        "Вывод, содержащий заявление о пытках"
    )
    assert auth.post("/language", {"locale": "en"}).status_code == 302

    # A good practice without an allegation, and an allegation of a concern, are fine.
    assert (
        auth.post(
            f"/visits/{visit_id}/findings/new", finding_data(severity="good_practice")
        ).status_code
        == 302
    )
    assert (
        auth.post(f"/visits/{visit_id}/findings/new", finding_data(**allegation)).status_code == 302
    )


def test_an_edit_cannot_turn_an_allegation_into_a_good_practice(
    app: Flask, auth: AuthActions, monitor: Account
) -> None:
    visit_id = visit_in(app, monitor, S.ANALYSIS)
    with app.app_context():
        visit = db.session.get(Visit, visit_id)
        assert visit is not None
        finding = make_finding(
            visit, monitor.id, alleges_ill_treatment=True, allegation_what="Kicked"
        )
        db.session.commit()
        finding_id, version = finding.id, finding.version
    auth.login(monitor)
    response = auth.post(
        f"/findings/{finding_id}/edit",
        finding_data(
            severity="good_practice",
            alleges_ill_treatment="y",
            allegation_what="Kicked",
            version=str(version),
        ),
    )
    assert response.status_code == 422
    assert "cannot be a good practice" in severity_error(response.get_data(as_text=True))
    with app.app_context():
        saved = db.session.get(Finding, finding_id)
        assert saved is not None
        assert saved.severity is not Severity.GOOD_PRACTICE
