"""Review that leads somewhere: what blocks approval and who must act, where the
dashboard's counts lead, a finding's review history, and the letter that sends
the report."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.factories import make_finding, make_place, make_reference, make_visit
from tests.support import Account, AuthActions, counting_queries
from visits.extensions import db
from visits.i18n import npm_today
from visits.models import AuditEvent, Finding, ReviewState, Visit, VisitStatus

ClientAs = Callable[[Account | None], FlaskClient]


def text_of(response: Any) -> str:
    return str(response.get_data(as_text=True))


def visible_text(html: str) -> str:
    """The page as read: tags dropped, spaces folded."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def section(html: str, element_id: str, end: str = "</section>") -> str:
    """The element with ``id``, up to ``end``."""
    start = html.index(f'id="{element_id}"')
    return html[start : html.index(end, start)]


@pytest.fixture
def in_review(app: Flask, monitor: Account) -> dict[str, int]:
    """A visit under review: finding 1 returned, 2 submitted, 3 accepted."""
    with app.app_context():
        place = make_place(*make_reference())
        visit = make_visit(place, monitor.id, status=VisitStatus.IN_REVIEW)
        states = (ReviewState.RETURNED, ReviewState.SUBMITTED, ReviewState.ACCEPTED)
        ids = {"visit": visit.id}
        for number, state in enumerate(states, start=1):
            finding = make_finding(
                visit,
                monitor.id,
                number=number,
                review_state=state,
                title=f"Finding title {number}",
            )
            ids[state.value] = finding.id
        db.session.commit()
        return ids


def approve(chief: AuthActions, visit_id: int) -> Any:
    return chief.post(f"/visits/{visit_id}/transition", {"target": "approved"})


def test_a_returned_finding_blocks_approval_with_what_the_team_must_do(
    app: Flask, client_as: ClientAs, monitor: Account, supervisor: Account, in_review: dict
) -> None:
    team, chief = AuthActions(client_as(monitor)), AuthActions(client_as(supervisor))
    visit_id = in_review["visit"]

    refused = approve(chief, visit_id)

    assert refused.status_code == 409
    page = text_of(refused)
    said = visible_text(page)
    assert "2 findings of this visit are not accepted yet, so the visit cannot be approved." in said
    assert "Finding 1 is returned to the team: the team must revise it and submit it again." in said
    assert "Finding 2 is submitted for review: a supervisor accepts it or returns it." in said
    # The advice that led nowhere (a returned finding cannot be accepted) is gone.
    assert "accept it, or return it to the team" not in said
    # Next to the refusal, each finding that stands in the way, with a link to it.
    blocking = section(page, "before-approval", "</ul>")
    assert f'href="/findings/{in_review["returned"]}"' in blocking
    assert f'href="/findings/{in_review["submitted"]}"' in blocking
    assert f'href="/findings/{in_review["accepted"]}"' not in blocking
    # The team sees the same list on the visit page: it is theirs to act on.
    team_page = text_of(team.client.get(f"/visits/{visit_id}"))
    assert f'href="/findings/{in_review["returned"]}"' in section(
        team_page, "before-approval", "</ul>"
    )

    # What the refusal asked for is possible and is enough.
    returned_id = in_review["returned"]
    with app.app_context():
        version = db.session.get_one(Finding, returned_id).version
    revised = team.post(
        f"/findings/{returned_id}/edit",
        {
            "area": "treatment",
            "source_type": "observation",
            "severity": "high",
            "confidentiality": "internal",
            "title": "Finding title 1, revised",
            "text": "Now with a second source.",
            "version": str(version),
        },
    )
    assert revised.status_code == 302
    assert team.post(f"/findings/{returned_id}/submit").status_code == 302
    for finding_id in (returned_id, in_review["submitted"]):
        accepted = chief.post(f"/findings/{finding_id}/review", {"decision": "accept"})
        assert accepted.status_code == 302
    assert approve(chief, visit_id).status_code == 302
    with app.app_context():
        assert db.session.get_one(Visit, visit_id).status is VisitStatus.APPROVED


def test_the_visit_page_narrows_its_findings_to_one_review_state(
    client_as: ClientAs, supervisor: Account, in_review: dict
) -> None:
    chief = client_as(supervisor)
    visit_id = in_review["visit"]

    whole = text_of(chief.get(f"/visits/{visit_id}"))
    returned = text_of(chief.get(f"/visits/{visit_id}?review=returned"))

    nav = visible_text(whole.split('class="review-filter"', 1)[1].split("</nav>", 1)[0])
    assert "All (3)" in nav
    assert "Returned (1)" in nav
    assert "Submitted for review (1)" in nav
    assert f'href="/visits/{visit_id}?review=returned#findings"' in whole
    findings = section(returned, "findings")
    assert "Finding title 1" in findings
    assert "Finding title 2" not in findings
    assert "Finding title 3" not in findings


@pytest.fixture
def two_teams(app: Flask, monitor: Account, outsider: Account) -> dict[str, int]:
    """Each team's visit has a returned and a submitted finding; one more is deleted."""
    with app.app_context():
        place = make_place(*make_reference())
        ids = {}
        for lead, name in ((monitor, "ours"), (outsider, "theirs")):
            visit = make_visit(place, lead.id)
            for number, state in enumerate((ReviewState.RETURNED, ReviewState.SUBMITTED), 1):
                finding = make_finding(
                    visit, lead.id, number=number, review_state=state, title=f"{name} {state}"
                )
                ids[f"{name}_{state.value}"] = finding.id
            gone = make_finding(visit, lead.id, number=3, review_state=ReviewState.SUBMITTED)
            gone.deleted_at = visit.created_at
        db.session.commit()
        return ids


def dashboard_link(page: str, review: str) -> tuple[str, str]:
    """(href, text) of the dashboard's link to the findings in ``review``."""
    match = re.search(rf'<a href="(/findings\?review={review})">([^<]+)</a>', page)
    assert match, f"no link to the {review} findings"
    return match.group(1), match.group(2)


def test_the_dashboards_counts_lead_to_the_findings_they_count(
    client_as: ClientAs, monitor: Account, outsider: Account, supervisor: Account, two_teams: dict
) -> None:
    chief, team = client_as(supervisor), client_as(monitor)

    href, says = dashboard_link(text_of(chief.get("/")), "submitted")
    assert says == "2 findings submitted for review."
    listed = text_of(chief.get(href))
    assert "2 findings" in visible_text(listed)
    assert "ours submitted" in listed
    assert "theirs submitted" in listed
    assert "ours returned" not in listed

    href, says = dashboard_link(text_of(team.get("/")), "returned")
    assert says == "1 finding of your visits was returned with a comment."
    listed = text_of(team.get(href))
    assert "1 finding" in visible_text(listed)
    assert "ours returned" in listed
    assert f'href="/findings/{two_teams["ours_returned"]}"' in listed
    # Another team's findings are not this monitor's to see.
    assert "theirs" not in listed
    assert "ours returned" not in text_of(client_as(outsider).get(href))


def test_the_findings_list_refuses_an_administrator(client_as: ClientAs, admin: Account) -> None:
    assert client_as(admin).get("/findings").status_code == 403


def test_the_findings_list_queries_do_not_grow_with_the_findings(
    app: Flask, client_as: ClientAs, monitor: Account, supervisor: Account
) -> None:
    chief = client_as(supervisor)
    with app.app_context():
        place = make_place(*make_reference())
        visit = make_visit(place, monitor.id)
        make_finding(visit, monitor.id, review_state=ReviewState.SUBMITTED)
        db.session.commit()
    chief.get("/findings?review=submitted")
    with counting_queries(app) as few:
        assert chief.get("/findings?review=submitted").status_code == 200
    with app.app_context():
        for number in range(2, 8):
            other = make_visit(place, monitor.id)
            make_finding(other, monitor.id, number=number, review_state=ReviewState.SUBMITTED)
        db.session.commit()
    with counting_queries(app) as many:
        page = chief.get("/findings?review=submitted")
    assert "7 findings" in visible_text(text_of(page))
    assert len(many) == len(few)


def test_a_resubmitted_finding_shows_its_return_as_history(
    app: Flask, client_as: ClientAs, monitor: Account, supervisor: Account, in_review: dict
) -> None:
    team, chief = AuthActions(client_as(monitor)), AuthActions(client_as(supervisor))
    finding_id = in_review["submitted"]
    first = chief.post(
        f"/findings/{finding_id}/review",
        {"decision": "return", "comment": "Name the second source, please."},
    )
    assert first.status_code == 302
    returned_page = text_of(team.client.get(f"/findings/{finding_id}"))
    returned_state = section(returned_page, "review-state", 'class="review-history"')
    assert "Name the second source, please." in returned_state

    assert team.post(f"/findings/{finding_id}/submit").status_code == 302
    page = text_of(team.client.get(f"/findings/{finding_id}"))

    # Under review again: the return is no longer its state ...
    state = section(page, "review-state", 'class="review-history"')
    assert "Submitted for review" in state
    assert "Name the second source, please." not in state
    assert "What the supervisor asks the team to change" not in state
    # ... but what was asked, and by whom, is its history.
    history = visible_text(section(page, "review-history"))
    assert "Sara Supervisor returned it to the team." in history
    assert "Name the second source, please." in history
    assert "Mira Monitor submitted it for review." in history

    second = chief.post(
        f"/findings/{finding_id}/review",
        {"decision": "return", "comment": "And date the medical report."},
    )
    assert second.status_code == 302
    history = visible_text(
        section(text_of(team.client.get(f"/findings/{finding_id}")), "review-history")
    )
    assert "Name the second source, please." in history
    assert "And date the medical report." in history


# --- The letter that sends the report ---------------------------------------------------


@pytest.fixture
def approved_visit(app: Flask, monitor: Account) -> int:
    with app.app_context():
        place = make_place(*make_reference())
        visit = make_visit(place, monitor.id, status=VisitStatus.APPROVED)
        db.session.commit()
        return visit.id


def send(chief: AuthActions, visit_id: int, **letter: str) -> Any:
    return chief.post(f"/visits/{visit_id}/transition", {"target": "sent", **letter})


def test_sending_the_report_records_the_day_and_the_letters_reference(
    app: Flask, client_as: ClientAs, supervisor: Account, approved_visit: int
) -> None:
    chief = AuthActions(client_as(supervisor))
    with app.app_context():
        today = npm_today()
    form = text_of(chief.client.get(f"/visits/{approved_visit}"))
    assert 'name="sent_on"' in form
    assert 'name="letter_reference"' in form

    missing = send(chief, approved_visit)
    assert missing.status_code == 422
    assert "Enter the day the report was sent." in text_of(missing)
    future = (today + timedelta(days=3)).isoformat()
    early = send(chief, approved_visit, sent_on=future, letter_reference="01-12/345")
    assert early.status_code == 422
    assert "cannot be in the future" in text_of(early)
    unnamed = send(chief, approved_visit, sent_on=today.isoformat())
    assert unnamed.status_code == 422
    assert "Enter the outgoing reference of the letter" in text_of(unnamed)

    sent = send(chief, approved_visit, sent_on=today.isoformat(), letter_reference="01-12/345")

    assert sent.status_code == 302
    with app.app_context():
        visit = db.session.get_one(Visit, approved_visit)
        assert (visit.status, visit.sent_on, visit.letter_reference) == (
            VisitStatus.SENT,
            today,
            "01-12/345",
        )
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "visit.transition")
        ).one()
        assert json.loads(event.details) == {
            "from_status": "approved",
            "to_status": "sent",
            "sent_on": today.isoformat(),
            "letter_reference": "01-12/345",
        }
    page = visible_text(text_of(chief.client.get(f"/visits/{approved_visit}")))
    assert "Report sent" in page
    assert "outgoing reference 01-12/345" in page
