"""Fictional demo data: places, this year's plan, visits in every state.

Everything here is invented. ``seed_demo_data`` runs once (it does nothing
when demo places exist already) and needs the reference data and the demo
accounts in place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from visits import audit
from visits.extensions import db
from visits.i18n import npm_today
from visits.models import (
    Authority,
    ChecklistAnswer,
    ChecklistItem,
    Confidentiality,
    ConsentScope,
    Expertise,
    Finding,
    Gender,
    Interview,
    InterviewKind,
    MonitoringPlan,
    Place,
    PlaceType,
    PlannedVisit,
    Region,
    ReprisalCheck,
    ReviewState,
    Severity,
    SourceType,
    ThematicArea,
    User,
    Visit,
    VisitEvent,
    VisitMember,
    VisitStatus,
    VisitType,
)

DEMO_MARK = "(demo)"


@dataclass(frozen=True)
class DemoPlace:
    name: str
    place_type: str
    region: str
    authority: str
    capacity: int
    categories: tuple[str, ...]


PLACES = (
    DemoPlace(
        "Temporary detention facility, Ala-Too district",
        "ivs",
        "bishkek",
        "mvd",
        40,
        ("men", "women", "juveniles"),
    ),
    DemoPlace(
        "Temporary detention facility, Ak-Suu district",
        "ivs",
        "issyk_kul",
        "mvd",
        25,
        ("men", "women"),
    ),
    DemoPlace(
        "Temporary detention facility, Kochkor district", "ivs", "naryn", "mvd", 15, ("men",)
    ),
    DemoPlace(
        "Pre-trial detention centre No. 9",
        "sizo",
        "chui",
        "gsin",
        600,
        ("men", "women", "juveniles", "foreigners"),
    ),
    DemoPlace(
        "Penal colony No. 31", "colony", "chui", "gsin", 900, ("men", "disabilities", "older")
    ),
    DemoPlace("Women's penal colony No. 5", "colony", "chui", "gsin", 300, ("women", "foreigners")),
    DemoPlace(
        "Regional psychiatric hospital, Kara-Suu",
        "psychiatric",
        "osh_region",
        "health",
        200,
        ("men", "women", "disabilities"),
    ),
    DemoPlace(
        "Psycho-neurological care home, Kara-Balta",
        "psychoneuro",
        "chui",
        "labour",
        350,
        ("men", "women", "disabilities", "older"),
    ),
    DemoPlace(
        "Children's home, Talas",
        "children",
        "talas",
        "education",
        80,
        ("juveniles", "disabilities"),
    ),
    DemoPlace(
        "Home for older persons, Jalal-Abad",
        "elderly",
        "jalal_abad",
        "labour",
        120,
        ("older", "disabilities"),
    ),
    DemoPlace(
        "Court cells, Osh city court",
        "court_cells",
        "osh_city",
        "supreme_court",
        20,
        ("men", "women"),
    ),
    DemoPlace("Temporary detention facility, Batken", "ivs", "batken", "mvd", 20, ("men", "women")),
)

# For each team: its monitor's email, the places it visits, visits in every state.
TEAMS = {
    "monitor1@npm.example": (0, 3, 4, 6, 7, 10),
    "monitor2@npm.example": (1, 5, 8, 9, 11, 3),
}
LIFE_CYCLE = (
    VisitStatus.CLOSED,
    VisitStatus.SENT,
    VisitStatus.APPROVED,
    VisitStatus.IN_REVIEW,
    VisitStatus.ANALYSIS,
    VisitStatus.ON_SITE,
    VisitStatus.PREPARING,
    VisitStatus.PLANNED,
    VisitStatus.CANCELLED,
)
PATH = (
    VisitStatus.PLANNED,
    VisitStatus.PREPARING,
    VisitStatus.ON_SITE,
    VisitStatus.ANALYSIS,
    VisitStatus.IN_REVIEW,
    VisitStatus.APPROVED,
    VisitStatus.SENT,
    VisitStatus.CLOSED,
)
CONSENTS = (ConsentScope.ANONYMOUS, ConsentScope.NAMED, ConsentScope.NONE)
FINDINGS = (
    (
        ThematicArea.MATERIAL_CONDITIONS,
        Severity.HIGH,
        Confidentiality.PUBLIC,
        SourceType.OBSERVATION,
        "Cells without daylight",
        "Cells 2 to 5 have no window and no ventilation; the air was stale at 11:00.",
    ),
    (
        ThematicArea.PROTECTION,
        Severity.MEDIUM,
        Confidentiality.INTERNAL,
        SourceType.DOCUMENTS,
        "Gaps in the custody register",
        "Three arrivals in the register have no time of arrival; one has no release entry.",
    ),
    (
        ThematicArea.TORTURE,
        Severity.URGENT,
        Confidentiality.CONFIDENTIAL,
        SourceType.DETAINEE_INTERVIEW,
        "Allegation of beating during questioning",
        "A person held described blows to the head during questioning on the first night.",
    ),
    (
        ThematicArea.HEALTH_CARE,
        Severity.GOOD_PRACTICE,
        Confidentiality.PUBLIC,
        SourceType.STAFF_INTERVIEW,
        "Medical examination on arrival",
        "Every arrival is examined by the feldsher within two hours and injuries are recorded.",
    ),
)


def _by_code(model: type, code: str) -> object:
    row = db.session.scalar(select(model).where(model.code == code))  # type: ignore[attr-defined]
    if row is None:
        raise LookupError(f"reference row {model.__name__} {code!r} missing: run seed-reference")
    return row


def _make_places() -> list[Place]:
    places = []
    for spec in PLACES:
        place = Place(
            name=f"{spec.name} {DEMO_MARK}",
            place_type=_by_code(PlaceType, spec.place_type),
            region=_by_code(Region, spec.region),
            authority=_by_code(Authority, spec.authority),
            address="",
            capacity=spec.capacity,
            population_categories=list(spec.categories),
        )
        db.session.add(place)
        places.append(place)
    db.session.flush()
    return places


def _snapshot_checklist(visit: Visit, answered: bool) -> None:
    items = db.session.scalars(ChecklistItem.current_for(visit.place.place_type_id)).all()
    for index, item in enumerate(items):
        answer = None
        if answered:
            answer = item.answers[index % 3]
        db.session.add(
            ChecklistAnswer(
                visit=visit,
                item=item,
                answer=answer,
                note="Checked with the duty officer." if answered else "",
            )
        )


def _history(visit: Visit, user: User) -> None:
    target = PATH.index(visit.status) if visit.status in PATH else 2
    previous = None
    for status in PATH[: target + 1]:
        db.session.add(
            VisitEvent(visit=visit, user_id=user.id, from_status=previous, to_status=status)
        )
        previous = status
    if visit.status is VisitStatus.CANCELLED:
        db.session.add(
            VisitEvent(
                visit=visit,
                user_id=user.id,
                from_status=previous,
                to_status=VisitStatus.CANCELLED,
                comment="Facility closed for renovation; visit moved to next quarter.",
            )
        )


def _content(visit: Visit, lead: User, supervisor: User) -> None:
    """Interviews with every consent scope, findings at every level."""
    for number, scope in enumerate(CONSENTS, start=1):
        db.session.add(
            Interview(
                visit=visit,
                number=number,
                pseudonym=f"{visit.reference}-I{number}",
                kind=InterviewKind.INDIVIDUAL if number < 3 else InterviewKind.GROUP,
                people_count=1 if number < 3 else 4,
                conducted_on=visit.start_date,
                consent_scope=scope,
                consent_date=visit.start_date if scope is not ConsentScope.NONE else None,
                real_name="" if scope is ConsentScope.ANONYMOUS else f"Demo Person {number}",
                notes="Spoke in private in the yard; calm, consistent account.",
                created_by_id=lead.id,
            )
        )
    db.session.flush()
    reviewed = visit.status in (VisitStatus.APPROVED, VisitStatus.SENT, VisitStatus.CLOSED)
    for number, (area, severity, level, source, title, text) in enumerate(FINDINGS, start=1):
        state = (
            ReviewState.ACCEPTED
            if reviewed
            else (
                ReviewState.SUBMITTED
                if visit.status is VisitStatus.IN_REVIEW
                else ReviewState.DRAFT
            )
        )
        finding = Finding(
            visit=visit,
            number=number,
            area=area,
            severity=severity,
            confidentiality=level,
            source_type=source,
            title=title,
            text=text,
            review_state=state,
            created_by_id=lead.id,
            reviewed_by_id=supervisor.id if reviewed else None,
        )
        if area is ThematicArea.TORTURE:
            finding.alleges_ill_treatment = True
            finding.allegation_what = "Blows to the head with an open hand during questioning."
            finding.allegation_when = "The first night after arrest"
            finding.allegation_by_whom = "Two officers of the investigation unit"
            finding.allegation_medical_evidence = (
                "Bruise above the left ear seen by the team's doctor."
            )
        db.session.add(finding)


def _visits_for(team_email: str, places: list[Place], supervisor: User) -> None:
    lead = db.session.scalar(select(User).where(User.email == team_email))
    if lead is None:
        return
    today = npm_today()
    place_indexes = TEAMS[team_email]
    for index, status in enumerate(LIFE_CYCLE):
        place = places[place_indexes[index % len(place_indexes)]]
        offset = 300 - index * 35
        start = today - timedelta(days=offset)
        visit = Visit(
            place=place,
            visit_type=VisitType.COMPREHENSIVE if index % 3 else VisitType.FOLLOW_UP,
            status=status,
            announced=index % 4 == 0,
            start_date=start,
            end_date=start + timedelta(days=1),
            purpose="Regular visit of the annual plan.",
            population_total=(place.capacity or 0) // 2 if status in PATH[2:] else None,
            created_by_id=lead.id,
        )
        db.session.add(visit)
        db.session.flush()
        db.session.add(
            VisitMember(
                visit=visit,
                user_id=lead.id,
                is_lead=True,
                expertise=Expertise.LAWYER,
                gender=Gender.FEMALE,
            )
        )
        db.session.add(
            VisitMember(
                visit=visit, user_id=supervisor.id, expertise=Expertise.DOCTOR, gender=Gender.MALE
            )
        )
        visited = status in PATH[2:]
        _snapshot_checklist(visit, answered=visited)
        _history(visit, lead)
        if visited:
            visit.interview_shortfall_reason = "Most people held were at court hearings on the day."
            _content(visit, lead, supervisor)
    db.session.flush()


def _reprisal_check(places: list[Place], monitor_email: str) -> None:
    """A pending check: an interview at a place the same team visits again soon."""
    lead = db.session.scalar(select(User).where(User.email == monitor_email))
    if lead is None:
        return
    place = places[TEAMS[monitor_email][0]]
    visited = db.session.scalars(
        select(Visit).where(Visit.place_id == place.id, Visit.status == VisitStatus.CLOSED)
    ).first()
    if visited is None:
        return
    interview = db.session.scalars(
        select(Interview).where(Interview.visit_id == visited.id).order_by(Interview.number)
    ).first()
    if interview is None:
        return
    interview.reprisal_risk = True
    db.session.add(ReprisalCheck(place=place, interview=interview))
    start = npm_today() + timedelta(days=14)
    upcoming = Visit(
        place=place,
        visit_type=VisitType.FOLLOW_UP,
        status=VisitStatus.PREPARING,
        start_date=start,
        end_date=start,
        purpose="Follow-up and reprisal check.",
        created_by_id=lead.id,
    )
    db.session.add(upcoming)
    db.session.flush()
    db.session.add(VisitMember(visit=upcoming, user_id=lead.id, is_lead=True))
    _snapshot_checklist(upcoming, answered=False)
    _history(upcoming, lead)


def _plan(places: list[Place]) -> None:
    year = npm_today().year
    plan = db.session.scalar(select(MonitoringPlan).where(MonitoringPlan.year == year))
    if plan is None:
        plan = MonitoringPlan(year=year, notes="Demo plan.")
        db.session.add(plan)
    reasons = (
        "Not visited for more than a year.",
        "Follow-up of last year's recommendations.",
        "Complaints received from relatives.",
        "Thematic focus on women in detention.",
    )
    for index, place in enumerate(places[:8]):
        db.session.add(
            PlannedVisit(
                plan=plan,
                place=place,
                month=(index * 3) % 12 + 1,
                visit_type=VisitType.COMPREHENSIVE if index % 2 else VisitType.THEMATIC,
                reason=reasons[index % len(reasons)],
            )
        )


def seed_demo_data() -> bool:
    """Create the demo places, plan and visits; False when they exist already."""
    exists = db.session.scalar(select(Place.id).where(Place.name.endswith(DEMO_MARK)).limit(1))
    if exists is not None:
        return False
    supervisor = db.session.scalar(select(User).where(User.email == "supervisor@npm.example"))
    if supervisor is None:
        return False
    places = _make_places()
    _plan(places)
    for email in TEAMS:
        _visits_for(email, places, supervisor)
    _reprisal_check(places, "monitor1@npm.example")
    counts: dict[str, Any] = {
        model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Place, PlannedVisit, Visit, Interview, Finding)
    }
    audit.record("demo.seed", **counts)
    return True
