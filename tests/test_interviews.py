"""Interviews: pseudonyms, consent, identity kept apart, reprisal checks, locking."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask, render_template
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from tests.factories import (
    make_finding,
    make_interview,
    make_place,
    make_reference,
    make_visit,
)
from tests.support import Account, AuthActions, counting_queries
from visits.errors import ChangedMeanwhile
from visits.extensions import db
from visits.interviews import services
from visits.models import (
    ConsentScope,
    Interview,
    InterviewKind,
    Place,
    ReprisalCheck,
    Visit,
    VisitStatus,
)
from visits.web.boundary import commit

# Dates are the NPM's (Bishkek), as the app counts them.
TODAY = datetime.now(ZoneInfo("Asia/Bishkek")).date()


@pytest.fixture
def visit_id(app: Flask, monitor: Account) -> int:
    """A visit in analysis, led by ``monitor``, with 30 people held and no interview."""
    with app.app_context():
        visit = make_visit(make_place(*make_reference()), monitor.id)
        db.session.commit()
        return visit.id


@pytest.fixture
def team(client: FlaskClient, auth: AuthActions, monitor: Account) -> AuthActions:
    auth.login(monitor)
    return auth


def interview_data(**fields: Any) -> dict[str, Any]:
    return {
        "kind": "individual",
        "people_count": "1",
        "conducted_on": (TODAY - timedelta(days=2)).isoformat(),
        "consent_scope": "anonymous",
        "consent_date": (TODAY - timedelta(days=2)).isoformat(),
        "real_name": "Azamat Toktosunov",
        "identifying_details": "Cell 4, upper bunk, scar on the left hand",
        "notes": "Says he was kicked during the arrest.",
        **fields,
    }


def interviews_of(app: Flask, visit_id: int) -> list[Interview]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(Interview).where(Interview.visit_id == visit_id).order_by(Interview.number)
            )
        )


def reference_of(app: Flask, visit_id: int) -> str:
    with app.app_context():
        visit = db.session.get(Visit, visit_id)
        assert visit is not None
        return visit.reference


def set_status(app: Flask, visit_id: int, status: VisitStatus) -> None:
    with app.app_context():
        visit = db.session.get(Visit, visit_id)
        assert visit is not None
        visit.status = status
        db.session.commit()


def test_interviews_get_the_visits_next_pseudonym(
    app: Flask, team: AuthActions, visit_id: int
) -> None:
    first = team.post(f"/visits/{visit_id}/interviews/new", interview_data())
    second = team.post(
        f"/visits/{visit_id}/interviews/new", interview_data(kind="staff", real_name="")
    )

    assert first.status_code == 302
    assert second.status_code == 302
    reference = reference_of(app, visit_id)
    assert re.fullmatch(r"V-\d{4}-\d{4}", reference)
    assert [i.pseudonym for i in interviews_of(app, visit_id)] == [
        f"{reference}-I1",
        f"{reference}-I2",
    ]
    page = team.client.get(second.headers["Location"]).get_data(as_text=True)
    assert f"{reference}-I2" in page
    assert "Staff interview" in page


def test_team_sees_identity_apart_from_the_notes(
    client: FlaskClient, team: AuthActions, visit_id: int
) -> None:
    created = team.post(f"/visits/{visit_id}/interviews/new", interview_data())
    page = client.get(created.headers["Location"]).get_data(as_text=True)

    identity = page.index("Identity (team only)")
    assert page.index("Azamat Toktosunov") > identity
    assert "Cell 4, upper bunk" in page
    assert page.index("Says he was kicked during the arrest.") > page.index("Cell 4, upper bunk")


def test_interview_list_never_shows_names_or_notes(
    app: Flask, monitor: Account, visit_id: int
) -> None:
    with app.app_context():
        visit = db.session.get(Visit, visit_id)
        assert visit is not None
        make_interview(visit, monitor.id, reprisal_risk=True)
        make_interview(
            visit, monitor.id, number=2, consent_withdrawn_on=TODAY, kind=InterviewKind.GROUP
        )
        db.session.commit()
        with app.test_request_context():
            html = render_template(
                "visits/_interviews.html",
                visit=visit,
                interviews=interviews_of(app, visit_id),
                perms=SimpleNamespace(can_edit=True, can_record=True),
            )
    assert "Real Name Of Detainee" not in html
    assert "beaten at arrest" not in html
    assert f"{visit.reference}-I1" in html
    assert "Risk of reprisals" in html
    assert "Consent withdrawn" in html
    assert "Group interview" in html
    assert f"/visits/{visit_id}/interviews/new" in html


def test_only_group_interviews_count_several_people(team: AuthActions, visit_id: int) -> None:
    refused = team.post(f"/visits/{visit_id}/interviews/new", interview_data(people_count="4"))
    accepted = team.post(
        f"/visits/{visit_id}/interviews/new", interview_data(kind="group", people_count="4")
    )

    assert refused.status_code == 422
    assert "Only a group interview can have more than one person." in refused.get_data(as_text=True)
    assert accepted.status_code == 302


def test_consent_date_is_required_unless_no_consent_was_given(
    team: AuthActions, visit_id: int
) -> None:
    missing = team.post(f"/visits/{visit_id}/interviews/new", interview_data(consent_date=""))
    future = team.post(
        f"/visits/{visit_id}/interviews/new",
        interview_data(consent_date=(TODAY + timedelta(days=3)).isoformat()),
    )
    no_consent = team.post(
        f"/visits/{visit_id}/interviews/new",
        interview_data(consent_scope="none", consent_date=""),
    )

    assert missing.status_code == 422
    assert "Give the date the person consented." in missing.get_data(as_text=True)
    assert future.status_code == 422
    assert "This date is in the future." in future.get_data(as_text=True)
    assert no_consent.status_code == 302


def test_more_people_interviewed_than_held_is_refused(
    app: Flask, team: AuthActions, visit_id: int
) -> None:
    staff = team.post(
        f"/visits/{visit_id}/interviews/new", interview_data(kind="staff", real_name="")
    )
    group = team.post(
        f"/visits/{visit_id}/interviews/new", interview_data(kind="group", people_count="29")
    )
    too_many = team.post(
        f"/visits/{visit_id}/interviews/new", interview_data(kind="group", people_count="2")
    )

    assert staff.status_code == 302, "staff do not count against the population"
    assert group.status_code == 302
    assert too_many.status_code == 422
    page = too_many.get_data(as_text=True)
    assert "People held on the day: 30. Already interviewed: 29." in page
    assert len(interviews_of(app, visit_id)) == 2


def test_reprisal_risk_raises_one_check_for_the_place(
    app: Flask, client: FlaskClient, team: AuthActions, visit_id: int
) -> None:
    without = team.post(f"/visits/{visit_id}/interviews/new", interview_data())
    interview_id = int(without.headers["Location"].rsplit("/", 1)[1])
    edit_url = f"/interviews/{interview_id}/edit"

    def save_with_risk() -> int:
        page = client.get(edit_url).get_data(as_text=True)
        version = re.search(r'name="version" type="hidden" value="(\d+)"', page)
        assert version, "the edit form carries the version"
        data = interview_data(reprisal_risk="y", version=version.group(1))
        return team.post(edit_url, data).status_code

    assert save_with_risk() == 302
    assert save_with_risk() == 302

    with app.app_context():
        checks = db.session.scalars(select(ReprisalCheck)).all()
        visit = db.session.get(Visit, visit_id)
        assert visit is not None
        assert [(c.interview_id, c.place_id) for c in checks] == [(interview_id, visit.place_id)]
    page = client.get(f"/interviews/{interview_id}").get_data(as_text=True)
    assert "Reprisal check" in page
    assert "To be checked" in page


def test_reprisal_risk_on_creation_raises_the_check(
    app: Flask, team: AuthActions, visit_id: int
) -> None:
    team.post(f"/visits/{visit_id}/interviews/new", interview_data(reprisal_risk="y"))
    with app.app_context():
        assert db.session.scalar(select(func.count(ReprisalCheck.id))) == 1


def withdraw(team: AuthActions, interview_id: int, **data: Any) -> Any:
    return team.post(f"/interviews/{interview_id}/withdraw-consent", data)


def test_withdrawn_consent_hides_what_was_said_and_who_said_it(
    app: Flask, client: FlaskClient, team: AuthActions, visit_id: int
) -> None:
    created = team.post(f"/visits/{visit_id}/interviews/new", interview_data())
    interview_id = int(created.headers["Location"].rsplit("/", 1)[1])

    response = withdraw(team, interview_id, confirm="y")
    page = client.get(f"/interviews/{interview_id}").get_data(as_text=True)

    assert response.status_code == 302
    assert "The person withdrew their consent" in page
    assert "kept out of every report" in page
    for hidden in ("Azamat Toktosunov", "Cell 4, upper bunk", "kicked during the arrest"):
        assert hidden not in page
    assert f"{reference_of(app, visit_id)}-I1" in page
    assert "Individual interview" in page
    [interview] = interviews_of(app, visit_id)
    assert interview.consent_withdrawn_on == TODAY
    assert interview.usable_in_reports is False
    assert client.get(f"/interviews/{interview_id}/edit").status_code == 409
    edit = team.post(f"/interviews/{interview_id}/edit", interview_data(notes="New notes"))
    assert edit.status_code == 409
    assert "withdrew their consent" in edit.get_data(as_text=True)
    assert interviews_of(app, visit_id)[0].notes == "Says he was kicked during the arrest."


def test_withdrawal_must_be_confirmed(app: Flask, team: AuthActions, visit_id: int) -> None:
    created = team.post(f"/visits/{visit_id}/interviews/new", interview_data())
    interview_id = int(created.headers["Location"].rsplit("/", 1)[1])

    response = withdraw(team, interview_id)

    assert response.status_code == 422
    assert "Tick the box to confirm the withdrawal." in response.get_data(as_text=True)
    assert interviews_of(app, visit_id)[0].consent_withdrawn_on is None


def test_nothing_changes_once_the_visit_is_approved(
    app: Flask, client: FlaskClient, team: AuthActions, monitor: Account, visit_id: int
) -> None:
    with app.app_context():
        visit = db.session.get(Visit, visit_id)
        assert visit is not None
        interview_id = make_interview(visit, monitor.id).id
        visit.status = VisitStatus.APPROVED
        db.session.commit()

    assert client.get(f"/visits/{visit_id}/interviews/new").status_code == 409
    assert team.post(f"/visits/{visit_id}/interviews/new", interview_data()).status_code == 409
    edit = team.post(f"/interviews/{interview_id}/edit", interview_data(notes="Changed"))
    assert edit.status_code == 409
    assert "its content can no longer be changed" in edit.get_data(as_text=True)
    assert client.get(f"/interviews/{interview_id}").status_code == 200
    assert interviews_of(app, visit_id)[0].notes == "Interview notes: beaten at arrest"


def test_stale_edit_shows_both_versions_and_keeps_the_users_text(
    app: Flask,
    client: FlaskClient,
    client_as: Callable[[Account | None], FlaskClient],
    team: AuthActions,
    supervisor: Account,
    visit_id: int,
) -> None:
    created = team.post(f"/visits/{visit_id}/interviews/new", interview_data())
    interview_id = int(created.headers["Location"].rsplit("/", 1)[1])
    edit_url = f"/interviews/{interview_id}/edit"
    other = AuthActions(client_as(supervisor))
    assert (
        other.post(edit_url, interview_data(notes="Supervisor's wording", version="1")).status_code
        == 302
    )

    response = team.post(edit_url, interview_data(notes="My own careful wording", version="1"))

    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else saved this first" in page
    assert "Supervisor&#39;s wording" in page
    assert "My own careful wording" in page
    assert 'name="version" type="hidden" value="2"' in page
    assert f'data-draft="interview-{interview_id}"' in page
    assert interviews_of(app, visit_id)[0].notes == "Supervisor's wording"


def test_validation_error_keeps_every_field_typed(team: AuthActions, visit_id: int) -> None:
    data = interview_data(
        people_count="3", reprisal_risk="y", notes="Long notes typed in the car park"
    )
    response = team.post(f"/visits/{visit_id}/interviews/new", data)

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="Azamat Toktosunov"' in page
    assert "Cell 4, upper bunk, scar on the left hand</textarea>" in page
    assert "Long notes typed in the car park</textarea>" in page
    assert f'value="{data["consent_date"]}"' in page
    assert 'value="3"' in page
    assert re.search(
        r'<option selected value="anonymous">|<option value="anonymous" selected', page
    )
    assert re.search(r'id="reprisal_risk"[^>]*checked|checked[^>]*id="reprisal_risk"', page)


def test_expired_form_keeps_the_notes(
    app: Flask, client: FlaskClient, team: AuthActions, visit_id: int
) -> None:
    response = client.post(
        f"/visits/{visit_id}/interviews/new",
        data={"csrf_token": "expired", **interview_data(notes="Words I must not lose")},
    )

    assert response.status_code == 400
    assert "Words I must not lose</textarea>" in response.get_data(as_text=True)
    assert interviews_of(app, visit_id) == []


def test_interview_forms_keep_drafts_in_the_browser(
    client: FlaskClient, team: AuthActions, monitor: Account, app: Flask, visit_id: int
) -> None:
    with app.app_context():
        visit = db.session.get(Visit, visit_id)
        assert visit is not None
        interview_id = make_interview(visit, monitor.id).id
        db.session.commit()

    new_page = client.get(f"/visits/{visit_id}/interviews/new").get_data(as_text=True)
    edit_page = client.get(f"/interviews/{interview_id}/edit").get_data(as_text=True)

    assert f'data-draft="interview-new-{visit_id}"' in new_page
    assert f'data-draft="interview-{interview_id}"' in edit_page
    assert "A draft you typed earlier was restored." in edit_page


def interview_cited_by(app: Flask, place_id: int, author_id: int, findings: int) -> int:
    with app.app_context():
        place = db.session.get(Place, place_id)
        assert place is not None
        visit = make_visit(place, author_id)
        interview = make_interview(visit, author_id)
        for number in range(1, findings + 1):
            finding = make_finding(visit, author_id, number=number)
            finding.interviews.append(interview)
        db.session.commit()
        return interview.id


def test_interview_page_queries_do_not_grow_with_its_findings(
    app: Flask, client: FlaskClient, team: AuthActions, monitor: Account
) -> None:
    with app.app_context():
        place_id = make_place(*make_reference()).id
        db.session.commit()
    counts = {}
    for findings in (2, 10):
        interview_id = interview_cited_by(app, place_id, monitor.id, findings)
        with counting_queries(app) as statements:
            page = client.get(f"/interviews/{interview_id}").get_data(as_text=True)
        assert page.count("Beatings at arrest") == findings
        counts[findings] = len(statements)
    assert counts[2] == counts[10]


def test_a_save_racing_another_is_refused_not_lost(
    app: Flask, monitor: Account, visit_id: int
) -> None:
    with app.test_request_context():
        visit = db.session.get(Visit, visit_id)
        assert visit is not None
        interview = make_interview(visit, monitor.id)
        db.session.commit()
        # Another worker saves between this request's version check and its save.
        with db.engine.begin() as connection:
            connection.execute(
                update(Interview)
                .where(Interview.id == interview.id)
                .values(
                    notes=Interview.notes.ciphertext_for(interview, "Saved by the other worker"),
                    version=Interview.version + 1,
                )
            )
        data = services.InterviewInput(
            kind=InterviewKind.INDIVIDUAL,
            people_count=1,
            conducted_on=None,
            consent_scope=ConsentScope.ANONYMOUS,
            consent_date=TODAY,
            real_name="",
            identifying_details="",
            reprisal_risk=False,
            notes="Saved by this request",
        )

        with pytest.raises(ChangedMeanwhile):
            commit(services.update_interview, interview, data, interview.version)

        assert interview.notes == "Saved by the other worker"
