"""The visit pages as people use them: list, new visit, visit page, details,
team, life cycle, checklist answers and reprisal checks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.factories import World, add, build_world, make_interview, make_place, make_visit
from tests.support import Account, AuthActions, counting_queries
from visits.extensions import db
from visits.i18n import npm_today
from visits.models import (
    Answer,
    ChecklistAnswer,
    ChecklistItem,
    ChecklistKind,
    Place,
    PlannedVisit,
    Region,
    ReprisalCheck,
    ReprisalOutcome,
    Role,
    TeamMember,
    User,
    Visit,
    VisitEvent,
    VisitMember,
    VisitStatus,
    VisitType,
)

TODAY = datetime.now(UTC).date()


@pytest.fixture
def world(app: Flask, monitor: Account) -> World:
    return build_world(app, monitor.id)


def text_of(response: Any) -> str:
    return response.get_data(as_text=True)


def set_status(app: Flask, visit_id: int, status: VisitStatus, **fields: Any) -> None:
    with app.app_context():
        visit = db.session.get(Visit, visit_id)
        assert visit is not None
        visit.status = status
        for name, value in fields.items():
            setattr(visit, name, value)
        db.session.commit()


def reference_of(app: Flask, visit_id: int) -> str:
    with app.app_context():
        visit = db.session.get(Visit, visit_id)
        assert visit is not None
        return visit.reference


def status_of(app: Flask, visit_id: int) -> VisitStatus:
    with app.app_context():
        visit = db.session.get(Visit, visit_id)
        assert visit is not None
        return visit.status


def new_visit_form(place_id: int, **changes: str) -> dict[str, str]:
    return {
        "place_id": str(place_id),
        "visit_type": "comprehensive",
        "start_date": TODAY.isoformat(),
        "end_date": (TODAY + timedelta(days=1)).isoformat(),
        "purpose": "Allegations of beatings in cell 4",
        **changes,
    }


def details_form(app: Flask, visit_id: int, **changes: Any) -> dict[str, Any]:
    with app.app_context():
        visit = db.session.get(Visit, visit_id)
        assert visit is not None
        data: dict[str, Any] = {
            "version": str(visit.version),
            "visit_type": visit.visit_type.value,
            "joint_with": visit.joint_with,
            "start_date": visit.start_date.isoformat(),
            "end_date": visit.end_date.isoformat(),
            "purpose": visit.purpose,
            "population_total": str(visit.population_total or ""),
        }
        for code, number in visit.population_by_category.items():
            data[f"population_{code}"] = str(number)
    data.update(changes)
    return data


# --- The list ------------------------------------------------------------------------


def test_everyone_signed_in_sees_the_list_of_visits(
    app: Flask, client: FlaskClient, auth: AuthActions, world: World, admin: Account
) -> None:
    auth.login(admin)
    page = text_of(client.get("/visits/"))
    assert reference_of(app, world.visit_id) in page
    assert "IVS of Sokuluk district" in page
    assert "Mira Monitor" in page
    assert "Analysis" in page
    assert "2 visits" in page


def test_visit_list_filters(
    app: Flask, client: FlaskClient, auth: AuthActions, world: World, supervisor: Account
) -> None:
    with app.app_context():
        region = add(
            Region(code="osh", name_en="Osh Region", name_ru="Osh (ru)", name_ky="Osh (ky)")
        )
        place = db.session.get(Place, world.place_id)
        assert place is not None
        other = make_place(region, place.place_type, place.authority, name="Osh colony 5")
        special = make_visit(
            other,
            supervisor.id,
            visit_type=VisitType.SPECIAL,
            status=VisitStatus.ON_SITE,
            start_date=TODAY - timedelta(days=100),
        )
        special_ref = special.reference
        db.session.commit()
    first_ref = reference_of(app, world.visit_id)
    auth.login(supervisor)

    def listed(query: str) -> str:
        response = client.get(f"/visits/?{query}")
        assert response.status_code == 200
        return text_of(response)

    assert special_ref in listed("status=on_site")
    assert first_ref not in listed("status=on_site")
    assert special_ref in listed("visit_type=special")
    assert first_ref not in listed("visit_type=special")
    assert special_ref in listed(f"region={region_id(app, 'osh')}")
    assert first_ref not in listed(f"region={region_id(app, 'osh')}")
    assert first_ref in listed(f"place={world.place_id}")
    assert special_ref not in listed(f"place={world.place_id}")
    assert special_ref in listed(f"member={supervisor.id}")
    assert first_ref not in listed(f"member={supervisor.id}")
    recent = listed(f"date_from={(TODAY - timedelta(days=30)).isoformat()}")
    assert first_ref in recent
    assert special_ref not in recent


def region_id(app: Flask, code: str) -> int:
    with app.app_context():
        found = db.session.scalar(select(Region.id).where(Region.code == code))
        assert found is not None
        return found


def test_period_ending_before_it_starts_is_a_400_with_the_filters(
    client: FlaskClient, auth: AuthActions, world: World, monitor: Account
) -> None:
    auth.login(monitor)
    response = client.get("/visits/?date_from=2026-05-01&date_to=2026-04-01")
    assert response.status_code == 400
    page = text_of(response)
    assert "The end of the period is before its start." in page
    assert 'value="2026-05-01"' in page


def test_unknown_filter_value_is_a_400(
    client: FlaskClient, auth: AuthActions, world: World, monitor: Account
) -> None:
    auth.login(monitor)
    assert client.get("/visits/?status=imaginary").status_code == 400


def test_visit_list_is_paginated(
    app: Flask, client: FlaskClient, auth: AuthActions, world: World, monitor: Account
) -> None:
    with app.app_context():
        place = db.session.get(Place, world.place_id)
        assert place is not None
        for days in range(30):
            make_visit(place, monitor.id, start_date=TODAY - timedelta(days=400 + days))
        db.session.commit()
    auth.login(monitor)
    first = text_of(client.get("/visits/"))
    second = text_of(client.get("/visits/?page=2"))
    assert "32 visits" in first
    assert first.count("/visits/") - second.count("/visits/") > 10
    assert 'href="/visits/?page=2"' in first


def test_list_makes_as_many_queries_for_ten_visits_as_for_two(
    app: Flask, client: FlaskClient, auth: AuthActions, world: World, make_user: Any
) -> None:
    auth.login(make_user(Role.SUPERVISOR))

    def queries() -> int:
        with counting_queries(app) as statements:
            assert client.get("/visits/").status_code == 200
        return len(statements)

    two = queries()
    with app.app_context():
        region = add(
            Region(code="naryn", name_en="Naryn", name_ru="Naryn (ru)", name_ky="Naryn (ky)")
        )
        place = db.session.get(Place, world.place_id)
        assert place is not None
        for number in range(8):
            other = make_place(region, place.place_type, place.authority, name=f"Place {number}")
            visit = make_visit(other, make_person(f"lead{number}").id)
            add(VisitMember(visit=visit, user_id=make_person(f"member{number}").id))
        db.session.commit()
    assert queries() == two


def make_person(name: str, role: Role = Role.MONITOR) -> User:
    return add(
        User(
            email=f"{name}@test.example",
            display_name=name.title(),
            role=role,
            password_hash="not-a-hash",
        )
    )


# --- A new visit -------------------------------------------------------------------


def test_monitor_creates_an_ad_hoc_special_visit_and_leads_it(
    app: Flask, client: FlaskClient, auth: AuthActions, world: World, outsider: Account
) -> None:
    auth.login(outsider)
    response = auth.post(
        "/visits/new", new_visit_form(world.place_id, visit_type="special", joint_with="Ombudsman")
    )
    assert response.status_code == 302
    page = text_of(client.get(response.headers["Location"]))
    assert "Visit V-" in page
    assert "created" in page
    assert "Special (reactive)" in page
    assert "Ombudsman" in page
    assert "Planned" in page
    with app.app_context():
        visit = db.session.scalars(select(Visit).order_by(Visit.id.desc())).first()
        assert visit is not None
        assert visit.lead is not None
        assert visit.lead.id == outsider.id
        assert [a.item_id for a in visit.answers] == [world.item_id]


def test_visit_from_the_plan_is_prefilled_and_linked(
    app: Flask, client: FlaskClient, auth: AuthActions, world: World, monitor: Account
) -> None:
    auth.login(monitor)
    form = text_of(client.get(f"/visits/new?entry={world.entry_id}"))
    assert "Not visited since 2024" in form
    with app.app_context():
        entry = db.session.get(PlannedVisit, world.entry_id)
        assert entry is not None
        planned_place_id = entry.place_id
    assert f'<option selected value="{planned_place_id}">' in form

    response = auth.post(f"/visits/new?entry={world.entry_id}", new_visit_form(planned_place_id))
    assert response.status_code == 302
    with app.app_context():
        entry = db.session.get(PlannedVisit, world.entry_id)
        assert entry is not None
        assert entry.visit_id is not None
    again = client.get(f"/visits/new?entry={world.entry_id}")
    assert again.status_code == 409
    assert "already started" in text_of(again)


def test_unknown_plan_entry_is_a_404(
    client: FlaskClient, auth: AuthActions, world: World, monitor: Account
) -> None:
    auth.login(monitor)
    assert client.get("/visits/new?entry=999999").status_code == 404
    assert client.get("/visits/new?entry=abc").status_code == 404


def test_dates_in_the_wrong_order_keep_what_was_typed_and_write_nothing(
    app: Flask, client: FlaskClient, auth: AuthActions, world: World, monitor: Account
) -> None:
    auth.login(monitor)
    response = auth.post(
        "/visits/new",
        new_visit_form(world.place_id, end_date=(TODAY - timedelta(days=3)).isoformat()),
    )
    assert response.status_code == 422
    page = text_of(response)
    assert "The last day cannot be before the first day." in page
    assert "Allegations of beatings in cell 4" in page
    with app.app_context():
        assert db.session.scalar(select(func.count(Visit.id))) == 2


def test_inactive_place_cannot_be_chosen(
    app: Flask, client: FlaskClient, auth: AuthActions, world: World, monitor: Account
) -> None:
    with app.app_context():
        place = db.session.get(Place, world.place_id)
        assert place is not None
        place.active = False
        db.session.commit()
    auth.login(monitor)
    assert f'value="{world.place_id}"' not in text_of(client.get("/visits/new"))
    response = auth.post("/visits/new", new_visit_form(world.place_id))
    assert response.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.count(Visit.id))) == 2


def test_administrator_cannot_create_visits(
    client: FlaskClient, auth: AuthActions, world: World, admin: Account
) -> None:
    auth.login(admin)
    assert client.get("/visits/new").status_code == 403
    assert auth.post("/visits/new", new_visit_form(world.place_id)).status_code == 403


# --- The visit page: who sees what -------------------------------------------------

CONTENT_MARKS = (
    "No window",  # a checklist note
    "Cells have daylight",  # a checklist item
    'id="checklist"',
    "Real Name Of Detainee",
    "Beatings at arrest",  # the finding's title
    'id="reprisal-checks"',
)


def add_history(app: Flask, visit_id: int, author_id: int) -> None:
    with app.app_context():
        add(
            VisitEvent(
                visit_id=visit_id,
                user_id=author_id,
                from_status=VisitStatus.IN_REVIEW,
                to_status=VisitStatus.ANALYSIS,
                comment="Internal review: the medical part is thin",
            )
        )
        db.session.commit()


@pytest.mark.parametrize("who", ["outsider", "admin"])
def test_outsiders_and_admins_see_metadata_but_no_content(
    app: Flask,
    client: FlaskClient,
    auth: AuthActions,
    world: World,
    monitor: Account,
    outsider: Account,
    admin: Account,
    who: str,
) -> None:
    add_history(app, world.visit_id, monitor.id)
    auth.login({"outsider": outsider, "admin": admin}[who])
    for visit_id in (world.visit_id, world.next_visit_id):
        response = client.get(f"/visits/{visit_id}")
        assert response.status_code == 200
        page = text_of(response)
        assert "IVS of Sokuluk district" in page
        assert "Comprehensive" in page
        assert "Mira Monitor" in page
        assert "Only the visit's team and supervisors see its" in page
        for mark in CONTENT_MARKS:
            assert mark not in page
        assert 'id="interviews"' not in page
        assert 'id="findings"' not in page
        assert 'action="/visits/' not in page  # no button to change anything
    page = text_of(client.get(f"/visits/{world.visit_id}"))
    assert "moved the visit from In review to Analysis" in page
    assert "the medical part is thin" not in page


def test_supervisor_sees_everything_of_a_visit(
    app: Flask,
    client: FlaskClient,
    auth: AuthActions,
    world: World,
    monitor: Account,
    supervisor: Account,
) -> None:
    add_history(app, world.visit_id, monitor.id)
    auth.login(supervisor)
    page = text_of(client.get(f"/visits/{world.visit_id}"))
    assert "No window" in page
    assert "Not observed" in page
    assert "Material conditions" in page
    assert "the medical part is thin" in page
    assert "1 interviewed of 30 held: 10 needed (one third)." in page
    assert "Only the visit's team and supervisors see its" not in page


def test_reprisal_check_heads_the_next_visit_page_for_its_team(
    app: Flask, client: FlaskClient, auth: AuthActions, world: World, monitor: Account
) -> None:
    auth.login(monitor)
    page = text_of(client.get(f"/visits/{world.next_visit_id}"))
    assert "To make on this visit" in page
    assert page.index('id="reprisal-checks"') < page.index("The visit</h2>")
    assert f"{reference_of(app, world.visit_id)}-I1" in page
    assert "Interview notes" not in page
    # The next visit is being prepared: the check is due, recorded once on site.
    assert "To check once the team is on site" in page
    assert "/reprisal-checks/" not in page
    # The visit that raised it does not check itself.
    assert 'id="reprisal-checks"' not in text_of(client.get(f"/visits/{world.visit_id}"))

    set_status(app, world.next_visit_id, VisitStatus.ON_SITE)
    page = text_of(client.get(f"/visits/{world.next_visit_id}"))
    assert f'action="/visits/{world.next_visit_id}/reprisal-checks/{world.check_id}"' in page
    assert "To check once the team is on site" not in page


def check_form(auth: AuthActions, check_id: int, **fields: str) -> dict[str, str]:
    prefix = f"check{check_id}-"
    data = {f"{prefix}csrf_token": auth.csrf_token()}
    data.update({f"{prefix}{name}": value for name, value in fields.items()})
    return data


def test_team_on_site_records_a_reprisal_check(
    app: Flask, client: FlaskClient, auth: AuthActions, world: World, monitor: Account
) -> None:
    set_status(app, world.next_visit_id, VisitStatus.ON_SITE)
    auth.login(monitor)
    url = f"/visits/{world.next_visit_id}/reprisal-checks/{world.check_id}"

    refused = auth.post(url, check_form(auth, world.check_id, status="signs_found", note=""))
    assert refused.status_code == 422
    assert "Describe the signs of reprisals that were found." in text_of(refused)

    response = auth.post(
        url, check_form(auth, world.check_id, status="no_signs", note="Seen alone; no fear")
    )
    assert response.status_code == 302
    page = text_of(client.get(f"/visits/{world.next_visit_id}"))
    assert "The reprisal check was recorded." in page
    assert "To make on this visit" not in page
    recorded = page.split("Recorded on this visit", 1)[1]
    assert "No sign of reprisals" in recorded
    assert "Seen alone; no fear" in recorded
    assert "/reprisal-checks/" not in page
    with app.app_context():
        check = db.session.get(ReprisalCheck, world.check_id)
        assert check is not None
        assert check.current is not None
        assert check.current.outcome is ReprisalOutcome.NO_SIGNS
        assert check.current.visit_id == world.next_visit_id

    again = auth.post(url, check_form(auth, world.check_id, status="no_signs"))
    assert again.status_code == 409
    assert "This visit already recorded this check." in text_of(again)


def test_reprisal_check_of_another_place_is_a_404(
    app: Flask, client: FlaskClient, auth: AuthActions, world: World, monitor: Account
) -> None:
    with app.app_context():
        entry = db.session.get(PlannedVisit, world.entry_id)
        assert entry is not None
        elsewhere = make_visit(entry.place, monitor.id, status=VisitStatus.PREPARING)
        elsewhere_id = elsewhere.id
        db.session.commit()
    auth.login(monitor)
    url = f"/visits/{elsewhere_id}/reprisal-checks/{world.check_id}"
    assert auth.post(url, check_form(auth, world.check_id, status="no_signs")).status_code == 404


def visit_with(app: Flask, world: World, lead_id: int, count: int) -> int:
    """A visit with ``count`` members, checklist answers and history lines."""
    with app.app_context():
        place = db.session.get(Place, world.place_id)
        assert place is not None
        visit = make_visit(place, lead_id, status=VisitStatus.ON_SITE)
        for number in range(count):
            person = make_person(f"visitor{count}x{number}")
            add(VisitMember(visit=visit, user_id=person.id))
            item = add(
                ChecklistItem(
                    kind=ChecklistKind.PHASE,
                    text_en=f"Step {number}",
                    text_ru=f"Step {number} (ru)",
                    text_ky=f"Step {number} (ky)",
                )
            )
            add(ChecklistAnswer(visit=visit, item=item, answer=Answer.OBSERVED, note="Seen"))
            reviewer = make_person(f"reviewer{count}x{number}", Role.SUPERVISOR)
            add(
                VisitEvent(
                    visit=visit,
                    user_id=reviewer.id,
                    from_status=VisitStatus.PREPARING,
                    to_status=VisitStatus.ON_SITE,
                    comment=f"Moved {number}",
                )
            )
        db.session.commit()
        return visit.id


@pytest.mark.parametrize("who", ["monitor", "supervisor", "outsider"])
def test_visit_page_makes_as_many_queries_for_ten_of_everything_as_for_two(
    app: Flask,
    client: FlaskClient,
    auth: AuthActions,
    world: World,
    monitor: Account,
    supervisor: Account,
    outsider: Account,
    who: str,
) -> None:
    small = visit_with(app, world, monitor.id, 2)
    large = visit_with(app, world, monitor.id, 10)
    auth.login({"monitor": monitor, "supervisor": supervisor, "outsider": outsider}[who])

    def queries(visit_id: int) -> int:
        with counting_queries(app) as statements:
            response = client.get(f"/visits/{visit_id}")
            assert response.status_code == 200
        return len(statements)

    page = text_of(client.get(f"/visits/{large}"))
    assert "Reviewer10X9" in page
    assert ("Step 9" in page) is (who != "outsider")
    assert queries(small) == queries(large)


# --- Details -----------------------------------------------------------------------


def test_team_saves_the_population_on_the_day(
    app: Flask, client: FlaskClient, auth: AuthActions, world: World, monitor: Account
) -> None:
    auth.login(monitor)
    url = f"/visits/{world.visit_id}/edit"
    assert client.get(url).status_code == 200
    response = auth.post(
        url,
        details_form(
            app, world.visit_id, population_total="42", population_men="30", population_women="12"
        ),
    )
    assert response.status_code == 302
    page = text_of(client.get(f"/visits/{world.visit_id}"))
    assert "Men: 30" in page
    assert "Women: 12" in page


def test_population_smaller_than_those_interviewed_is_refused(
    app: Flask, client: FlaskClient, auth: AuthActions, world: World, monitor: Account
) -> None:
    with app.app_context():
        visit = db.session.get(Visit, world.visit_id)
        assert visit is not None
        make_interview(visit, monitor.id, number=2, people_count=4)
        db.session.commit()
    auth.login(monitor)
    response = auth.post(
        f"/visits/{world.visit_id}/edit",
        details_form(
            app, world.visit_id, population_total="3", population_men="", population_women=""
        ),
    )
    assert response.status_code == 422
    assert "5 people held were already interviewed" in text_of(response)
    with app.app_context():
        visit = db.session.get(Visit, world.visit_id)
        assert visit is not None
        assert visit.population_total == 30


def test_details_saved_by_someone_else_meanwhile_give_a_conflict_keeping_the_text(
    app: Flask,
    client: FlaskClient,
    auth: AuthActions,
    world: World,
    monitor: Account,
    supervisor: Account,
    client_as: Callable[[Account | None], FlaskClient],
) -> None:
    mine = details_form(app, world.visit_id, purpose="My careful account of the purpose")
    other = client_as(supervisor)
    assert (
        AuthActions(other)
        .post(
            f"/visits/{world.visit_id}/edit",
            details_form(app, world.visit_id, purpose="The supervisor's purpose"),
        )
        .status_code
        == 302
    )
    auth.login(monitor)
    response = auth.post(f"/visits/{world.visit_id}/edit", mine)
    assert response.status_code == 409
    page = text_of(response)
    assert "My careful account of the purpose" in page
    assert "The supervisor&#39;s purpose" in page


def test_outsider_and_admin_cannot_edit_and_approved_visits_are_locked(
    app: Flask,
    client_as: Callable[[Account | None], FlaskClient],
    world: World,
    monitor: Account,
    outsider: Account,
    admin: Account,
) -> None:
    assert client_as(outsider).get(f"/visits/{world.visit_id}/edit").status_code == 403
    assert client_as(admin).get(f"/visits/{world.visit_id}/edit").status_code == 403
    set_status(app, world.visit_id, VisitStatus.APPROVED)
    response = client_as(monitor).get(f"/visits/{world.visit_id}/edit")
    assert response.status_code == 409
    assert "Approved" in text_of(response)


def test_only_the_lead_sees_the_shortfall_reason_field(
    app: Flask,
    client: FlaskClient,
    auth: AuthActions,
    world: World,
    make_user: Callable[..., Account],
) -> None:
    colleague = make_user(Role.MONITOR)
    with app.app_context():
        add(VisitMember(visit_id=world.visit_id, user_id=colleague.id))
        visit = db.session.get(Visit, world.visit_id)
        assert visit is not None
        visit.interview_shortfall_reason = "Court day"
        db.session.commit()
    auth.login(colleague)
    assert "interview_shortfall_reason" not in text_of(client.get(f"/visits/{world.visit_id}/edit"))
    response = auth.post(
        f"/visits/{world.visit_id}/edit",
        details_form(app, world.visit_id, interview_shortfall_reason="Overwritten"),
    )
    assert response.status_code == 302
    with app.app_context():
        visit = db.session.get(Visit, world.visit_id)
        assert visit is not None
        assert visit.interview_shortfall_reason == "Court day"


# --- Team --------------------------------------------------------------------------


def test_team_adds_and_removes_a_member(
    app: Flask,
    client: FlaskClient,
    auth: AuthActions,
    world: World,
    monitor: Account,
    make_user: Callable[..., Account],
) -> None:
    doctor = make_user(Role.MONITOR, name="Doctor Aida")
    with app.app_context():  # on the lead's standing team: no approval needed
        add(TeamMember(team_id=world.team_id, user_id=doctor.id))
        db.session.commit()
    auth.login(monitor)
    response = auth.post(
        f"/visits/{world.visit_id}/team",
        {"user_id": str(doctor.id), "expertise": "doctor", "gender": "female"},
    )
    assert response.status_code == 302
    page = text_of(client.get(f"/visits/{world.visit_id}"))
    assert "Doctor Aida joined the team." in page
    assert "<td>Doctor Aida" in page
    assert "Woman" in page
    with app.app_context():
        member_id = db.session.scalar(
            select(VisitMember.id).where(VisitMember.user_id == doctor.id)
        )
    removed = auth.post(f"/visits/{world.visit_id}/team/{member_id}/remove")
    assert removed.status_code == 302
    page = text_of(client.get(f"/visits/{world.visit_id}"))
    assert "Doctor Aida is no longer on the team." in page
    assert "<td>Doctor Aida" not in page


def test_the_lead_cannot_be_removed(
    client: FlaskClient, auth: AuthActions, world: World, monitor: Account
) -> None:
    auth.login(monitor)
    response = auth.post(f"/visits/{world.visit_id}/team/{world.member_id}/remove")
    assert response.status_code == 409
    assert "leads this visit" in text_of(response)


def test_adding_someone_already_on_the_team_is_a_form_error(
    client: FlaskClient, auth: AuthActions, world: World, monitor: Account
) -> None:
    auth.login(monitor)
    response = auth.post(
        f"/visits/{world.visit_id}/team",
        {"user_id": str(monitor.id), "expertise": "general", "gender": "unstated"},
    )
    assert response.status_code == 422
    assert "Not a valid choice" in text_of(response)


def test_member_of_another_visit_is_a_404(
    client: FlaskClient, auth: AuthActions, world: World, monitor: Account
) -> None:
    auth.login(monitor)
    response = auth.post(f"/visits/{world.next_visit_id}/team/{world.member_id}/remove")
    assert response.status_code == 404


# --- Life cycle --------------------------------------------------------------------


def move(auth: AuthActions, visit_id: int, target: str, comment: str = "", **more: Any) -> Any:
    data = {"target": target, "comment": comment, **more}
    if target == "sent":
        with auth.client.application.app_context():
            today = npm_today().isoformat()
        data = {"sent_on": today, "letter_reference": "01-12/345", **data}
    return auth.post(f"/visits/{visit_id}/transition", data)


def test_life_cycle_through_the_pages(
    app: Flask,
    client_as: Callable[[Account | None], FlaskClient],
    world: World,
    monitor: Account,
    supervisor: Account,
) -> None:
    team = AuthActions(client_as(monitor))
    chief = AuthActions(client_as(supervisor))
    visit_id = world.next_visit_id  # preparing, comprehensive, 30 held
    with app.app_context():
        first_day = npm_today() - timedelta(days=3)
    set_status(
        app,
        visit_id,
        VisitStatus.PLANNED,
        interview_shortfall_reason="Court day",
        start_date=first_day,
        end_date=first_day,
    )
    page = text_of(team.client.get(f"/visits/{visit_id}"))
    assert 'value="preparing"' in page
    assert 'value="cancelled"' in page

    for actor, target in [
        (team, "preparing"),
        (team, "on_site"),
        (team, "analysis"),
        (team, "in_review"),
        (chief, "approved"),
        (chief, "sent"),
        (chief, "closed"),
    ]:
        response = move(actor, visit_id, target)
        assert response.status_code == 302, (target, text_of(response))
        assert status_of(app, visit_id) is VisitStatus(target)

    page = text_of(chief.client.get(f"/visits/{visit_id}"))
    assert "The visit is now Closed." in page
    assert "moved the visit from Sent to Closed" in page
    assert 'name="target"' not in page


@pytest.mark.parametrize(
    ("status", "who", "target", "code"),
    [
        ("analysis", "monitor", "approved", 409),  # skips review
        ("planned", "supervisor", "closed", 409),
        ("closed", "supervisor", "analysis", 409),
        ("cancelled", "monitor", "planned", 409),
        ("in_review", "monitor", "approved", 403),
        ("in_review", "monitor", "analysis", 403),
        ("approved", "monitor", "sent", 403),
        ("sent", "monitor", "closed", 403),
        ("preparing", "outsider", "on_site", 403),
        ("preparing", "admin", "on_site", 403),
        ("in_review", "supervisor", "analysis", 422),  # a return needs a comment
        ("on_site", "monitor", "cancelled", 422),  # so does a cancellation
        ("analysis", "monitor", "nowhere", 422),
    ],
)
def test_refused_moves_answer_with_their_code(
    app: Flask,
    client_as: Callable[[Account | None], FlaskClient],
    world: World,
    monitor: Account,
    outsider: Account,
    supervisor: Account,
    admin: Account,
    status: str,
    who: str,
    target: str,
    code: int,
) -> None:
    set_status(app, world.visit_id, VisitStatus(status))
    person = {"monitor": monitor, "outsider": outsider, "supervisor": supervisor, "admin": admin}
    actor = AuthActions(client_as(person[who]))
    response = move(actor, world.visit_id, target, comment="  ")
    assert response.status_code == code
    assert status_of(app, world.visit_id) is VisitStatus(status)
    with app.app_context():
        assert db.session.scalar(select(func.count(VisitEvent.id))) == 0


def test_return_to_the_team_with_a_comment(
    app: Flask,
    client_as: Callable[[Account | None], FlaskClient],
    world: World,
    supervisor: Account,
) -> None:
    set_status(app, world.visit_id, VisitStatus.IN_REVIEW)
    chief = AuthActions(client_as(supervisor))
    refused = move(chief, world.visit_id, "analysis")
    assert refused.status_code == 422
    assert "it is required for this step" in text_of(refused)
    response = move(chief, world.visit_id, "analysis", "Findings on health care are missing")
    assert response.status_code == 302
    assert status_of(app, world.visit_id) is VisitStatus.ANALYSIS
    page = text_of(chief.client.get(f"/visits/{world.visit_id}"))
    assert "Findings on health care are missing" in page


def test_one_third_rule_on_the_page(
    app: Flask,
    client: FlaskClient,
    auth: AuthActions,
    world: World,
    monitor: Account,
) -> None:
    auth.login(monitor)
    refused = move(auth, world.visit_id, "in_review", "Ready for review")
    assert refused.status_code == 409
    page = text_of(refused)
    assert "1 person held was interviewed; a comprehensive visit needs 10 (a third of 30)" in page
    assert "Ready for review" in page  # the comment typed is kept
    assert '<a href="#life-cycle">Nothing was changed: see why below.</a>' in page
    assert status_of(app, world.visit_id) is VisitStatus.ANALYSIS

    response = auth.post(
        f"/visits/{world.visit_id}/edit",
        details_form(
            app, world.visit_id, interview_shortfall_reason="Most were at court that day."
        ),
    )
    assert response.status_code == 302
    assert move(auth, world.visit_id, "in_review").status_code == 302
    assert status_of(app, world.visit_id) is VisitStatus.IN_REVIEW


# --- Checklist answers -------------------------------------------------------------


def answer_id(app: Flask) -> int:
    with app.app_context():
        found = db.session.scalar(select(ChecklistAnswer.id))
        assert found is not None
        return found


def test_team_answers_the_checklist(
    app: Flask, client: FlaskClient, auth: AuthActions, world: World, monitor: Account
) -> None:
    auth.login(monitor)
    form = text_of(client.get(f"/visits/{world.visit_id}/checklist"))
    assert "Cells have daylight" in form
    assert "No window" in form
    answer = answer_id(app)
    response = auth.post(
        f"/visits/{world.visit_id}/checklist",
        {f"answer_{answer}": "observed", f"note_{answer}": "Window opened since last visit"},
    )
    assert response.status_code == 302
    page = text_of(client.get(f"/visits/{world.visit_id}"))
    assert "Window opened since last visit" in page
    assert "Observed" in page


def test_unknown_checklist_answer_is_a_422_keeping_the_notes(
    app: Flask, client: FlaskClient, auth: AuthActions, world: World, monitor: Account
) -> None:
    auth.login(monitor)
    answer = answer_id(app)
    response = auth.post(
        f"/visits/{world.visit_id}/checklist",
        {f"answer_{answer}": "maybe", f"note_{answer}": "A note worth keeping"},
    )
    assert response.status_code == 422
    assert "A note worth keeping" in text_of(response)
    with app.app_context():
        saved = db.session.get(ChecklistAnswer, answer)
        assert saved is not None
        assert saved.answer is Answer.NOT_OBSERVED


def test_checklist_of_an_approved_visit_cannot_change(
    app: Flask, client: FlaskClient, auth: AuthActions, world: World, monitor: Account
) -> None:
    set_status(app, world.visit_id, VisitStatus.APPROVED)
    auth.login(monitor)
    assert client.get(f"/visits/{world.visit_id}/checklist").status_code == 409
