"""Rules of a visit, tested without HTTP: creation, details, team, life cycle,
checklist answers and reprisal checks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from tests.factories import World, add, build_world, make_finding, make_interview, make_visit
from tests.support import Account
from visits import reprisals
from visits.access.roles import can
from visits.access.rules import can_edit_content, can_record_shortfall
from visits.checklists import services as checklist_services
from visits.errors import Invalid, NotFound, WrongState
from visits.extensions import db
from visits.i18n import npm_today
from visits.models import (
    Answer,
    ChecklistAnswer,
    ChecklistItem,
    ChecklistKind,
    Expertise,
    Gender,
    InterviewKind,
    Place,
    PlaceType,
    PlannedVisit,
    ReprisalCheck,
    ReprisalOutcome,
    ReviewState,
    Role,
    TeamMember,
    ThematicArea,
    User,
    Visit,
    VisitEvent,
    VisitStatus,
    VisitType,
)
from visits.visits import services
from visits.visits.lifecycle import RULES

S = VisitStatus
TODAY = datetime.now(UTC).date()


@pytest.fixture
def ctx(app: Flask) -> Iterator[None]:
    with app.test_request_context():
        yield


@pytest.fixture
def world(app: Flask, monitor: Account, ctx: None) -> Iterator[object]:
    return build_world(app, monitor.id)


def user(account: Account) -> User:
    found = db.session.get(User, account.id)
    assert found is not None
    return found


def visit_in(status: VisitStatus, lead: Account, **fields: object) -> Visit:
    place = db.session.scalars(select(Place).order_by(Place.id)).first()
    assert place is not None
    visit = make_visit(place, lead.id, status=status, **fields)
    db.session.commit()
    return visit


def events_of(visit: Visit) -> list[VisitEvent]:
    return list(
        db.session.scalars(
            select(VisitEvent).where(VisitEvent.visit_id == visit.id).order_by(VisitEvent.id)
        )
    )


def new_visit(creator: Account, place: Place, **fields: object) -> Visit:
    values: dict[str, object] = {
        "visit_type": VisitType.COMPREHENSIVE,
        "announced": False,
        "joint_with": "",
        "start_date": TODAY,
        "end_date": TODAY + timedelta(days=1),
        "purpose": "Routine visit",
        **fields,
    }
    return services.create_visit(user(creator), place, **values)  # type: ignore[arg-type]


def first_place() -> Place:
    place = db.session.scalars(select(Place).order_by(Place.id)).first()
    assert place is not None
    return place


# --- Creation ------------------------------------------------------------------------


def test_creator_leads_a_planned_visit_with_todays_checklist(
    world: object, monitor: Account
) -> None:
    place = first_place()
    other_type = add(PlaceType(code="sizo", name_en="SIZO", name_ru="СИЗО", name_ky="ТКЖ"))
    for text, place_type_id, active in [
        ("Everywhere", None, True),
        ("Only in IVS", place.place_type_id, True),
        ("Only in SIZO", other_type.id, True),
        ("Retired", None, False),
    ]:
        add(
            ChecklistItem(
                kind=ChecklistKind.PHASE,
                text_en=text,
                text_ru=text,
                text_ky=text,
                place_type_id=place_type_id,
                active=active,
            )
        )
    db.session.commit()

    visit = new_visit(monitor, place)

    assert visit.status is VisitStatus.PLANNED
    assert visit.lead is not None
    assert visit.lead.id == monitor.id
    assert visit.members[0].expertise is Expertise.GENERAL
    texts = {answer.item.text_en for answer in visit.answers}
    # The world's own item is asked everywhere too.
    assert texts == {"Cells have daylight", "Everywhere", "Only in IVS"}
    assert all(answer.answer is None for answer in visit.answers)
    assert [(e.from_status, e.to_status) for e in events_of(visit)] == [(None, S.PLANNED)]


def test_visit_from_plan_entry_is_linked_to_it(world: object, monitor: Account) -> None:
    entry = db.session.scalars(select(PlannedVisit)).one()
    visit = new_visit(monitor, entry.place, entry=entry)
    assert entry.visit_id == visit.id


def test_plan_entry_already_started_or_withdrawn_is_refused(
    world: object, monitor: Account
) -> None:
    entry = db.session.scalars(select(PlannedVisit)).one()
    new_visit(monitor, entry.place, entry=entry)
    with pytest.raises(WrongState, match="already started"):
        new_visit(monitor, entry.place, entry=entry)

    entry.visit_id = None
    entry.withdrawn = True
    db.session.commit()
    with pytest.raises(WrongState, match="withdrawn"):
        new_visit(monitor, entry.place, entry=entry)


def test_plan_entry_for_another_place_is_refused(world: object, monitor: Account) -> None:
    entry = db.session.scalars(select(PlannedVisit)).one()
    with pytest.raises(Invalid) as refused:
        new_visit(monitor, first_place(), entry=entry)
    assert refused.value.field == "place_id"


def test_inactive_place_is_refused_and_nothing_is_written(world: object, monitor: Account) -> None:
    place = first_place()
    place.active = False
    db.session.commit()
    before = db.session.scalar(select(func.count(Visit.id)))
    with pytest.raises(Invalid, match="no longer in use"):
        new_visit(monitor, place)
    db.session.rollback()
    assert db.session.scalar(select(func.count(Visit.id))) == before


def test_last_day_before_first_day_is_refused(world: object, monitor: Account) -> None:
    with pytest.raises(Invalid) as refused:
        new_visit(monitor, first_place(), end_date=TODAY - timedelta(days=1))
    assert refused.value.field == "end_date"


def test_administrator_cannot_create_a_visit(
    world: object, admin: Account, monitor: Account, supervisor: Account
) -> None:
    assert not can(user(admin), "create_visit")
    assert can(user(monitor), "create_visit")
    assert can(user(supervisor), "create_visit")


# --- Checklist versions ------------------------------------------------------------


def test_visit_keeps_its_checklist_wording_after_the_item_is_replaced(
    world: object, monitor: Account
) -> None:
    place = first_place()
    started = new_visit(monitor, place)
    old_item = db.session.scalars(select(ChecklistItem)).one()
    checklist_services.replace_item(
        old_item,
        checklist_services.ItemText(
            kind=ChecklistKind.THEMATIC,
            area=ThematicArea.MATERIAL_CONDITIONS,
            place_type_id=None,
            position=0,
            text_en="Cells have daylight and fresh air",
            text_ru="Cells have daylight and fresh air (ru)",
            text_ky="Cells have daylight and fresh air (ky)",
        ),
    )
    later = new_visit(monitor, place)

    assert [a.item.text_en for a in started.answers] == ["Cells have daylight"]
    assert [a.item.text_en for a in later.answers] == ["Cells have daylight and fresh air"]
    assert later.answers[0].item.replaces_id == old_item.id
    assert not old_item.active


# --- Details and population --------------------------------------------------------


def details(visit: Visit, **changes: object) -> dict[str, object]:
    values: dict[str, object] = {
        "visit_type": visit.visit_type,
        "announced": visit.announced,
        "joint_with": visit.joint_with,
        "start_date": visit.start_date,
        "end_date": visit.end_date,
        "purpose": visit.purpose,
        "population_total": visit.population_total,
        "population_by_category": dict(visit.population_by_category),
        "interview_shortfall_reason": None,
        "seen_version": visit.version,
    }
    values.update(changes)
    return values


def world_visit() -> Visit:
    visit = db.session.scalars(select(Visit).order_by(Visit.id)).first()
    assert visit is not None
    return visit


def test_team_records_the_population_on_the_day(world: object, monitor: Account) -> None:
    visit = world_visit()
    services.update_visit(
        visit,
        user(monitor),
        **details(visit, population_total=40, population_by_category={"men": 35, "women": 5}),
    )
    db.session.expire_all()
    assert world_visit().population_total == 40
    assert world_visit().population_by_category == {"men": 35, "women": 5}


@pytest.mark.parametrize(
    ("total", "by_category", "field", "message"),
    [
        (-1, {}, "population_total", "negative"),
        (10, {"men": -2}, "population_men", "negative"),
        (10, {"men": 8, "women": 3}, "population_total", "more than the 10"),
        (None, {"men": 8}, "population_total", "total"),
        # The world's visit already interviewed one person held.
        (0, {}, "population_total", "already interviewed"),
    ],
)
def test_impossible_population_is_refused(
    world: object,
    monitor: Account,
    total: int | None,
    by_category: dict[str, int],
    field: str,
    message: str,
) -> None:
    visit = world_visit()
    with pytest.raises(Invalid, match=message) as refused:
        services.update_visit(
            visit,
            user(monitor),
            **details(visit, population_total=total, population_by_category=by_category),
        )
    assert refused.value.field == field
    db.session.rollback()
    assert world_visit().population_total == 30


def test_details_with_dates_in_the_wrong_order_are_refused(world: object, monitor: Account) -> None:
    visit = world_visit()
    with pytest.raises(Invalid) as refused:
        services.update_visit(
            visit, user(monitor), **details(visit, end_date=visit.start_date - timedelta(days=1))
        )
    assert refused.value.field == "end_date"


def test_only_the_lead_records_why_fewer_were_interviewed(
    world: object, monitor: Account, make_user: Callable[..., Account]
) -> None:
    visit = world_visit()
    colleague = make_user(Role.MONITOR)
    services.add_member(
        visit, colleague.id, Expertise.LAWYER, Gender.FEMALE, is_lead=False, added_by=user(monitor)
    )
    db.session.commit()
    assert not can_record_shortfall(user(colleague), visit)
    assert can_record_shortfall(user(monitor), visit)
    services.update_visit(
        visit, user(monitor), **details(visit, interview_shortfall_reason="Lockdown")
    )
    assert world_visit().interview_shortfall_reason == "Lockdown"


def test_outsider_and_approved_visits_cannot_be_changed(
    world: object, monitor: Account, outsider: Account
) -> None:
    visit = world_visit()
    assert not can_edit_content(user(outsider), visit)
    assert can_edit_content(user(monitor), visit)
    visit.status = VisitStatus.APPROVED
    db.session.commit()
    with pytest.raises(WrongState):
        services.update_visit(visit, user(monitor), **details(visit, purpose="Too late"))


# --- Team --------------------------------------------------------------------------


def test_new_lead_replaces_the_previous_one(
    world: World, monitor: Account, make_user: Callable[..., Account]
) -> None:
    visit = world_visit()
    doctor = make_user(Role.MONITOR, name="Dr Aida")
    add(TeamMember(team_id=world.team_id, user_id=doctor.id))
    member = services.add_member(
        visit, doctor.id, Expertise.DOCTOR, Gender.FEMALE, is_lead=True, added_by=user(monitor)
    )
    assert member.is_lead
    assert visit.lead is not None
    assert visit.lead.id == doctor.id
    assert [m.user_id for m in visit.members if m.is_lead] == [doctor.id]


@pytest.mark.parametrize(
    "who",
    ["already_member", "admin", "inactive", "nobody"],
)
def test_only_active_monitors_and_supervisors_join_once(
    world: object, monitor: Account, make_user: Callable[..., Account], who: str
) -> None:
    person_id = {
        "already_member": lambda: monitor.id,
        "admin": lambda: make_user(Role.ADMIN).id,
        "inactive": lambda: make_user(Role.MONITOR, active=False).id,
        "nobody": lambda: 999_999,
    }[who]()
    visit = world_visit()
    with pytest.raises(Invalid) as refused:
        services.add_member(
            visit,
            person_id,
            Expertise.GENERAL,
            Gender.UNSTATED,
            is_lead=False,
            added_by=user(monitor),
        )
    assert refused.value.field == "user_id"
    assert len(world_visit().members) == 1


def test_lead_cannot_be_removed_but_others_can(
    world: object, monitor: Account, supervisor: Account
) -> None:
    visit = world_visit()
    lead = visit.members[0]
    with pytest.raises(WrongState, match="leads this visit"):
        services.remove_member(visit, lead, removed_by=user(monitor))
    member = services.add_member(
        visit, supervisor.id, Expertise.LAWYER, Gender.MALE, is_lead=False, added_by=user(monitor)
    )
    services.remove_member(visit, member, removed_by=user(monitor))
    assert [m.user_id for m in world_visit().members] == [monitor.id]


# --- Life cycle --------------------------------------------------------------------


def test_a_visit_goes_through_its_whole_life(
    world: object, monitor: Account, supervisor: Account
) -> None:
    # Held last week: its report can be sent today.
    held = npm_today() - timedelta(days=7)
    visit = new_visit(
        monitor,
        first_place(),
        visit_type=VisitType.FOLLOW_UP,
        start_date=held,
        end_date=held + timedelta(days=1),
    )
    team, chief = user(monitor), user(supervisor)
    for target, person in [
        (S.PREPARING, team),
        (S.ON_SITE, team),
        (S.ANALYSIS, team),
        (S.IN_REVIEW, team),
        (S.ANALYSIS, chief),
        (S.IN_REVIEW, team),
        (S.APPROVED, chief),
        (S.SENT, chief),
        (S.CLOSED, chief),
    ]:
        letter = services.Letter(npm_today(), "01-12/345") if target is S.SENT else None
        services.transition(visit, target, person, "Needs more on health care", letter)
        assert visit.status is target

    history = [(e.from_status, e.to_status, e.user_id) for e in events_of(visit)]
    assert history[0] == (None, S.PLANNED, monitor.id)
    assert history[5] == (S.IN_REVIEW, S.ANALYSIS, supervisor.id)
    assert history[-1] == (S.SENT, S.CLOSED, supervisor.id)
    assert len(history) == 10


def test_visit_is_approved_only_once_every_finding_is_accepted(
    world: object, monitor: Account, supervisor: Account
) -> None:
    visit = visit_in(S.IN_REVIEW, monitor)
    submitted = make_finding(visit, monitor.id, review_state=ReviewState.SUBMITTED)
    make_finding(visit, monitor.id, number=2, review_state=ReviewState.ACCEPTED)
    db.session.commit()
    with pytest.raises(WrongState, match="1 finding of this visit is not accepted yet"):
        services.transition(visit, S.APPROVED, user(supervisor))
    assert visit.status is S.IN_REVIEW
    submitted.review_state = ReviewState.ACCEPTED
    db.session.commit()
    services.transition(visit, S.APPROVED, user(supervisor))
    assert visit.status is S.APPROVED


@pytest.mark.parametrize("start", [S.PLANNED, S.PREPARING, S.ON_SITE])
def test_team_cancels_early_with_a_reason(
    world: object, monitor: Account, start: VisitStatus
) -> None:
    visit = visit_in(start, monitor)
    with pytest.raises(Invalid, match="comment"):
        services.transition(visit, S.CANCELLED, user(monitor), "  ")
    services.transition(visit, S.CANCELLED, user(monitor), "Quarantine at the facility")
    assert visit.status is S.CANCELLED
    assert events_of(visit)[-1].comment == "Quarantine at the facility"


def test_every_move_outside_the_table_is_refused_as_a_wrong_state(
    world: object, monitor: Account, supervisor: Account
) -> None:
    visit = visit_in(S.PLANNED, monitor, visit_type=VisitType.FOLLOW_UP)
    chief = user(supervisor)
    refused = 0
    for source in VisitStatus:
        for target in VisitStatus:
            if (source, target) in RULES:
                continue
            visit.status = source
            db.session.commit()
            with pytest.raises(WrongState):
                services.transition(visit, target, chief, "A reason")
            assert visit.status is source
            refused += 1
    assert refused == len(VisitStatus) ** 2 - len(RULES)
    assert events_of(visit) == []


@pytest.mark.parametrize(
    ("source", "target"),
    [
        (S.IN_REVIEW, S.APPROVED),
        (S.IN_REVIEW, S.ANALYSIS),
        (S.APPROVED, S.SENT),
        (S.SENT, S.CLOSED),
    ],
)
def test_only_a_supervisor_approves_returns_sends_and_closes(
    world: object, monitor: Account, source: VisitStatus, target: VisitStatus
) -> None:
    visit = visit_in(source, monitor)
    step = services.rule_for(visit, target)
    assert not step.may(user(monitor), visit)
    assert "supervisor" in step.refusal


@pytest.mark.parametrize("who", ["outsider", "admin"])
def test_people_off_the_team_cannot_move_the_visit(
    world: object, monitor: Account, outsider: Account, admin: Account, who: str
) -> None:
    visit = visit_in(S.PREPARING, monitor)
    person = {"outsider": outsider, "admin": admin}[who]
    assert not services.rule_for(visit, S.ON_SITE).may(user(person), visit)
    assert services.allowed_transitions(user(person), visit) == []


def test_supervisor_moves_a_visit_on_without_being_on_the_team(
    world: object, monitor: Account, supervisor: Account
) -> None:
    visit = visit_in(S.PREPARING, monitor)
    services.transition(visit, S.ON_SITE, user(supervisor))
    assert visit.status is S.ON_SITE


def test_return_to_analysis_needs_a_comment(
    world: object, monitor: Account, supervisor: Account
) -> None:
    visit = visit_in(S.IN_REVIEW, monitor)
    with pytest.raises(Invalid) as refused:
        services.transition(visit, S.ANALYSIS, user(supervisor), "")
    assert refused.value.field == "comment"
    services.transition(visit, S.ANALYSIS, user(supervisor), "Add the medical findings")
    assert visit.status is S.ANALYSIS
    assert events_of(visit)[-1].comment == "Add the medical findings"


def test_comprehensive_visit_needs_a_third_of_those_held_interviewed(
    world: object, monitor: Account
) -> None:
    visit = visit_in(S.ANALYSIS, monitor, population_total=30)
    make_interview(visit, monitor.id, number=1, kind=InterviewKind.GROUP, people_count=8)
    make_interview(visit, monitor.id, number=2, kind=InterviewKind.STAFF, people_count=5)
    make_interview(visit, monitor.id, number=3)
    db.session.commit()

    with pytest.raises(WrongState) as refused:
        services.transition(visit, S.IN_REVIEW, user(monitor))
    assert "9 people held were interviewed" in refused.value.message
    assert "needs 10 (a third of 30)" in refused.value.message
    assert visit.status is S.ANALYSIS

    make_interview(visit, monitor.id, number=4)
    db.session.commit()
    services.transition(visit, S.IN_REVIEW, user(monitor))
    assert visit.status is S.IN_REVIEW


def test_third_is_rounded_up(world: object, monitor: Account) -> None:
    visit = visit_in(S.ANALYSIS, monitor, population_total=31)
    for number in range(1, 11):
        make_interview(visit, monitor.id, number=number)
    db.session.commit()
    quota = services.interview_quota(visit)
    assert (quota.interviewed, quota.needed, quota.met) == (10, 11, False)
    with pytest.raises(WrongState, match="needs 11"):
        services.transition(visit, S.IN_REVIEW, user(monitor))


def test_shortfall_reason_lets_the_visit_go_to_review(world: object, monitor: Account) -> None:
    visit = visit_in(
        S.ANALYSIS,
        monitor,
        population_total=300,
        interview_shortfall_reason="Most detainees were at court hearings that day.",
    )
    services.transition(visit, S.IN_REVIEW, user(monitor))
    assert visit.status is S.IN_REVIEW


def test_comprehensive_visit_needs_the_population_recorded(world: object, monitor: Account) -> None:
    visit = visit_in(S.ANALYSIS, monitor, population_total=None, population_by_category={})
    with pytest.raises(WrongState, match="how many people were held"):
        services.transition(visit, S.IN_REVIEW, user(monitor))


def test_other_kinds_of_visit_go_to_review_without_the_third(
    world: object, monitor: Account
) -> None:
    visit = visit_in(S.ANALYSIS, monitor, visit_type=VisitType.SPECIAL, population_total=100)
    services.transition(visit, S.IN_REVIEW, user(monitor))
    assert visit.status is S.IN_REVIEW


def test_buttons_offered_follow_the_table(
    world: object, monitor: Account, outsider: Account, supervisor: Account, admin: Account
) -> None:
    def offered(visit: Visit, account: Account) -> list[VisitStatus]:
        return [move.target for move in services.allowed_transitions(user(account), visit)]

    planned = visit_in(S.PLANNED, monitor)
    assert offered(planned, monitor) == [S.PREPARING, S.CANCELLED]
    assert offered(planned, outsider) == []
    assert offered(planned, admin) == []
    in_review = visit_in(S.IN_REVIEW, monitor)
    assert offered(in_review, monitor) == []
    assert offered(in_review, supervisor) == [S.APPROVED, S.ANALYSIS]
    moves = services.allowed_transitions(user(supervisor), in_review)
    assert [move.comment_required for move in moves] == [False, True]


# --- Checklist answers -------------------------------------------------------------


def test_team_answers_the_checklist(world: object, monitor: Account) -> None:
    visit = world_visit()
    answer = db.session.scalars(select(ChecklistAnswer)).one()
    changed = services.save_checklist(
        visit, user(monitor), {answer.id: (Answer.OBSERVED, " Window in cell 3 ")}
    )
    assert changed == 1
    assert (answer.answer, answer.note, answer.updated_by_id) == (
        Answer.OBSERVED,
        "Window in cell 3",
        monitor.id,
    )
    assert answer.updated_at is not None


def test_answers_of_another_visit_are_refused(world: object, monitor: Account) -> None:
    later = db.session.scalars(select(Visit).order_by(Visit.id.desc())).first()
    assert later is not None
    answer = db.session.scalars(select(ChecklistAnswer)).one()
    with pytest.raises(Invalid):
        services.save_checklist(later, user(monitor), {answer.id: (Answer.OBSERVED, "")})


# --- Reprisal checks (more in tests/test_reprisal_checks.py) -------------------------


def next_visit() -> Visit:
    visit = db.session.scalars(select(Visit).order_by(Visit.id.desc())).first()
    assert visit is not None
    return visit


def next_visit_on_site() -> Visit:
    visit = next_visit()
    visit.status = S.ON_SITE
    db.session.commit()
    return visit


def test_next_visit_on_site_records_no_sign_of_reprisals(world: object, monitor: Account) -> None:
    check = db.session.scalars(select(ReprisalCheck)).one()
    visit = next_visit_on_site()
    entry = reprisals.record(
        check, visit, user(monitor), ReprisalOutcome.NO_SIGNS, " Spoke to him alone "
    )
    assert check.current is entry
    assert (entry.visit_id, entry.recorded_by_id, entry.note) == (
        visit.id,
        monitor.id,
        "Spoke to him alone",
    )
    with pytest.raises(WrongState, match="already recorded"):
        reprisals.record(check, visit, user(monitor), ReprisalOutcome.NO_SIGNS, "")
    assert len(check.outcomes) == 1


def test_signs_of_reprisals_need_a_note(world: object, monitor: Account) -> None:
    check = db.session.scalars(select(ReprisalCheck)).one()
    with pytest.raises(Invalid) as refused:
        reprisals.record(
            check, next_visit_on_site(), user(monitor), ReprisalOutcome.SIGNS_FOUND, " "
        )
    assert refused.value.field == "note"
    assert check.outcomes == []


def test_the_visit_that_raised_the_check_does_not_record_it(
    world: object, monitor: Account
) -> None:
    check = db.session.scalars(select(ReprisalCheck)).one()
    with pytest.raises(NotFound):
        reprisals.record(check, world_visit(), user(monitor), ReprisalOutcome.NO_SIGNS, "")


def test_outsider_cannot_record_a_reprisal_check(world: object, outsider: Account) -> None:
    assert not can_edit_content(user(outsider), next_visit())
