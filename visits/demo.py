"""Fictional demo data: places, this year's plan, visits in every state.

Everything here is invented, but written as a Kyrgyz NPM would write it:
places under their official names in Kyrgyz, Russian and English, and the
teams' notes, findings and interviews in Russian or Kyrgyz (visits
alternate), people under Cyrillic names. ``seed_demo_data`` runs once (it
does nothing when the demo places exist already) and needs the reference
data and the demo accounts in place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select

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
    FindingReview,
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

# The language a visit's team writes its notes in: Russian or Kyrgyz, as in the NPM.
Language = str


@dataclass(frozen=True)
class DemoPlace:
    """A place as the NPM's registry names it: Kyrgyz, Russian, English."""

    name_ky: str
    name_ru: str
    name_en: str
    place_type: str
    region: str
    authority: str
    capacity: int
    categories: tuple[str, ...]
    address: str


PLACES = (
    DemoPlace(
        "Бишкек ш. ИИББнын убактылуу кармоо жайы",
        "ИВС ГУВД г. Бишкек",
        "Temporary detention facility of the Bishkek City Police",
        "ivs",
        "bishkek",
        "mvd",
        40,
        ("men", "women", "juveniles"),
        "г. Бишкек, ул. Тоголок Молдо, 10",
    ),
    DemoPlace(
        "Ак-Суу райондук ИИБинин убактылуу кармоо жайы",
        "ИВС ОВД Ак-Суйского района",
        "Temporary detention facility, Ak-Suu district police",
        "ivs",
        "issyk_kul",
        "mvd",
        25,
        ("men", "women"),
        "Ак-Суу а., Ленин көчөсү, 52",
    ),
    DemoPlace(
        "Кочкор райондук ИИБинин убактылуу кармоо жайы",
        "ИВС ОВД Кочкорского района",
        "Temporary detention facility, Kochkor district police",
        "ivs",
        "naryn",
        "mvd",
        15,
        ("men",),
        "Кочкор а., Орозбеков көчөсү, 3",
    ),
    DemoPlace(
        "Бишкек ш. №1 тергөө абагы",
        "СИЗО-1 г. Бишкек",
        "Pre-trial detention centre No. 1, Bishkek",
        "sizo",
        "bishkek",
        "gsin",
        600,
        ("men", "women", "juveniles", "foreigners"),
        "г. Бишкек, ул. Фучика, 14",
    ),
    DemoPlace(
        "№47 түзөтүү колониясы",
        "Исправительная колония №47",
        "Penal colony No. 47",
        "colony",
        "chui",
        "gsin",
        900,
        ("men", "disabilities", "older"),
        "Чуйская обл., Аламудунский р-н",
    ),
    DemoPlace(
        "Аялдар үчүн №2 түзөтүү колониясы",
        "Исправительная колония №2 для женщин",
        "Women's penal colony No. 2",
        "colony",
        "chui",
        "gsin",
        300,
        ("women", "foreigners"),
        "Чүй облусу, Степное айылы",
    ),
    DemoPlace(
        "Республикалык психикалык саламаттык борбору",
        "Республиканский центр психического здоровья",
        "Republican Mental Health Centre",
        "psychiatric",
        "bishkek",
        "health",
        200,
        ("men", "women", "disabilities"),
        "г. Бишкек, ул. Байтик Баатыра, 1",
    ),
    DemoPlace(
        "Кара-Балта психоневрологиялык интернат үйү",
        "Карабалтинский психоневрологический дом-интернат",
        "Kara-Balta psycho-neurological care home",
        "psychoneuro",
        "chui",
        "labour",
        350,
        ("men", "women", "disabilities", "older"),
        "г. Кара-Балта, ул. Кирова, 200",
    ),
    DemoPlace(
        "Талас шаарындагы балдар үйү",
        "Детский дом г. Талас",
        "Children's home, Talas",
        "children",
        "talas",
        "education",
        80,
        ("juveniles", "disabilities"),
        "Талас ш., Сарыгулов көчөсү, 15",
    ),
    DemoPlace(
        "Жалал-Абад улгайган адамдар үчүн интернат үйү",
        "Джалал-Абадский дом-интернат для престарелых",
        "Home for older persons, Jalal-Abad",
        "elderly",
        "jalal_abad",
        "labour",
        120,
        ("older", "disabilities"),
        "Жалал-Абад ш., Токтогул көчөсү, 40",
    ),
    DemoPlace(
        "Ош шаардык сотунун конвой бөлмөсү",
        "Конвойное помещение Ошского городского суда",
        "Holding cells of the Osh City Court",
        "court_cells",
        "osh_city",
        "supreme_court",
        20,
        ("men", "women"),
        "г. Ош, ул. Ленина, 221",
    ),
    DemoPlace(
        "Баткен облустук ИИБинин убактылуу кармоо жайы",
        "ИВС УВД Баткенской области",
        "Temporary detention facility, Batken regional police",
        "ivs",
        "batken",
        "mvd",
        20,
        ("men", "women"),
        "Баткен ш., Мамасаляев көчөсү, 8",
    ),
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
# Each finding as a team writes it: (title, text) in Russian and in Kyrgyz.
FINDINGS = (
    (
        ThematicArea.MATERIAL_CONDITIONS,
        Severity.HIGH,
        Confidentiality.PUBLIC,
        SourceType.OBSERVATION,
        {
            "ru": (
                "Камеры без естественного освещения",
                "В камерах № 2–5 нет окон и вентиляции; в 11:00 воздух был спёртым, "
                "температура около тридцати градусов.",
            ),
            "ky": (
                "Табигый жарыгы жок камералар",
                "№ 2–5 камераларда терезе да, желдеткич да жок; саат 11:00дө аба бузулуп, "
                "температура отуз градус чамасында болду.",
            ),
        },
    ),
    (
        ThematicArea.PROTECTION,
        Severity.MEDIUM,
        Confidentiality.INTERNAL,
        SourceType.DOCUMENTS,
        {
            "ru": (
                "Пробелы в журнале учёта задержанных",
                "У троих доставленных в журнале не указано время доставления; "
                "у одного нет отметки об освобождении.",
            ),
            "ky": (
                "Кармалгандарды каттоо журналындагы кемчиликтер",
                "Журналда үч адамдын алып келинген убактысы көрсөтүлгөн эмес; "
                "бирөөнүн бошотулганы тууралуу белги жок.",
            ),
        },
    ),
    (
        ThematicArea.TORTURE,
        Severity.URGENT,
        Confidentiality.CONFIDENTIAL,
        SourceType.DETAINEE_INTERVIEW,
        {
            "ru": (
                "Сообщение об избиении во время допроса",
                "Содержащийся под стражей рассказал, что в первую ночь "
                "во время допроса его били по голове.",
            ),
            "ky": (
                "Суракта сабалгандыгы тууралуу билдирүү",
                "Кармалган адам биринчи түнү суракта башына урушканын айтып берди.",
            ),
        },
    ),
    (
        ThematicArea.HEALTH_CARE,
        Severity.GOOD_PRACTICE,
        Confidentiality.PUBLIC,
        SourceType.STAFF_INTERVIEW,
        {
            "ru": (
                "Медицинский осмотр при поступлении",
                "Каждого поступившего в течение двух часов осматривает фельдшер, "
                "телесные повреждения фиксируются в журнале.",
            ),
            "ky": (
                "Кабыл алууда медициналык кароо",
                "Ар бир келген адамды эки сааттын ичинде фельдшер карайт, "
                "дене жаракаттары журналга катталат.",
            ),
        },
    ),
)
# What a person held said of ill-treatment: what, when, by whom, medical evidence.
ALLEGATION = {
    "ru": (
        "Удары открытой ладонью по голове во время допроса.",
        "В первую ночь после задержания",
        "Двое сотрудников следственного отдела",
        "Кровоподтёк над левым ухом, зафиксирован врачом группы.",
    ),
    "ky": (
        "Суракта ачык алакан менен башка уруу.",
        "Кармалгандан кийинки биринчи түнү",
        "Тергөө бөлүмүнүн эки кызматкери",
        "Сол кулактын үстүндөгү көк жерди топтун дарыгери каттады.",
    ),
}


@dataclass(frozen=True)
class Written:
    """The free texts of a visit, in the language its team writes."""

    pseudonym: str
    names: tuple[str, str]
    notes: str
    checked: str
    purpose: str
    shortfall: str
    cancelled: str
    follow_up: str


TEXTS = {
    "ru": Written(
        pseudonym="Респондент",
        names=("Асанов Бакыт Маратович", "Иванова Ольга Сергеевна"),
        notes="Беседа наедине во дворе; рассказ спокойный и последовательный.",
        checked="Проверено вместе с дежурным.",
        purpose="Плановый визит по годовому плану.",
        shortfall="Большинство содержащихся в тот день были на судебных заседаниях.",
        cancelled="Учреждение закрыто на ремонт; визит перенесён на следующий квартал.",
        follow_up="Повторный визит и проверка на репрессалии.",
    ),
    "ky": Written(
        pseudonym="Маектеш",
        names=("Токтогулов Нурлан Асанович", "Сыдыкова Айгүл Бакытовна"),
        notes="Короодо жекеме-жеке сүйлөштүк; айтканы тынч жана ырааттуу.",
        checked="Кезекчи менен бирге текшерилди.",
        purpose="Жылдык пландагы пландуу баруу.",
        shortfall="Ошол күнү кармалгандардын көбү сот отурумдарында болушту.",
        cancelled="Мекеме оңдоого жабылып, баруу кийинки чейрекке жылдырылды.",
        follow_up="Кайра баруу жана куугунтукка текшерүү.",
    ),
}


def _language(index: int) -> Language:
    """Teams write in Russian and in Kyrgyz: visits alternate."""
    return "ru" if index % 2 == 0 else "ky"


def _by_code(model: type, code: str) -> object:
    row = db.session.scalar(select(model).where(model.code == code))  # type: ignore[attr-defined]
    if row is None:
        raise LookupError(f"reference row {model.__name__} {code!r} missing: run seed-reference")
    return row


def _make_places() -> list[Place]:
    places = []
    for spec in PLACES:
        place = Place(
            name_ky=spec.name_ky,
            name_ru=spec.name_ru,
            name_en=spec.name_en,
            place_type=_by_code(PlaceType, spec.place_type),
            region=_by_code(Region, spec.region),
            authority=_by_code(Authority, spec.authority),
            address=spec.address,
            capacity=spec.capacity,
            population_categories=list(spec.categories),
        )
        db.session.add(place)
        places.append(place)
    db.session.flush()
    return places


def _snapshot_checklist(visit: Visit, answered: bool, language: Language = "ru") -> None:
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
                note=TEXTS[language].checked if answered else "",
            )
        )


def _history(visit: Visit, user: User, language: Language = "ru") -> None:
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
                comment=TEXTS[language].cancelled,
            )
        )


def _content(visit: Visit, lead: User, supervisor: User, language: Language) -> None:
    """Interviews with every consent scope, findings at every level, in ``language``."""
    texts = TEXTS[language]
    for number, scope in enumerate(CONSENTS, start=1):
        db.session.add(
            Interview(
                visit=visit,
                number=number,
                pseudonym=f"{texts.pseudonym} {visit.id}-{number}",
                kind=InterviewKind.INDIVIDUAL if number < 3 else InterviewKind.GROUP,
                people_count=1 if number < 3 else 4,
                conducted_on=visit.start_date,
                consent_scope=scope,
                consent_date=visit.start_date if scope is not ConsentScope.NONE else None,
                real_name=("" if scope is ConsentScope.ANONYMOUS else texts.names[number % 2]),
                notes=texts.notes,
                created_by_id=lead.id,
            )
        )
    db.session.flush()
    reviewed = visit.status in (VisitStatus.APPROVED, VisitStatus.SENT, VisitStatus.CLOSED)
    for number, (area, severity, level, source, written) in enumerate(FINDINGS, start=1):
        title, text = written[language]
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
            (
                finding.allegation_what,
                finding.allegation_when,
                finding.allegation_by_whom,
                finding.allegation_medical_evidence,
            ) = ALLEGATION[language]
        db.session.add(finding)
        # Its review so far, as the history shows it.
        if state is not ReviewState.DRAFT:
            db.session.add(
                FindingReview(finding=finding, step=ReviewState.SUBMITTED, user_id=lead.id)
            )
        if reviewed:
            db.session.add(
                FindingReview(finding=finding, step=ReviewState.ACCEPTED, user_id=supervisor.id)
            )


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
            purpose=TEXTS[_language(index)].purpose,
            population_total=(place.capacity or 0) // 2 if status in PATH[2:] else None,
            created_by_id=lead.id,
        )
        if status in (VisitStatus.SENT, VisitStatus.CLOSED):
            # The report's letter: two weeks after the visit, with its outgoing number.
            visit.sent_on = min(start + timedelta(days=15), today)
            visit.letter_reference = f"01-12/{index + 101}"
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
        language = _language(index)
        _snapshot_checklist(visit, answered=visited, language=language)
        _history(visit, lead, language)
        if visited:
            visit.interview_shortfall_reason = TEXTS[language].shortfall
            _content(visit, lead, supervisor, language)
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
        purpose=TEXTS["ky"].follow_up,
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
        plan = MonitoringPlan(year=year, notes="Жылдык мониторинг планы. Годовой план мониторинга.")
        db.session.add(plan)
    reasons = (
        "Не посещалось более года.",
        "Өткөн жылдагы сунуштардын аткарылышын текшерүү.",
        "Поступили жалобы от родственников.",
        "Тематикалык баруу: кармоо жайларындагы аялдар.",
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
    first = PLACES[0]
    ours = and_(Place.name_ru == first.name_ru, Place.name_ky == first.name_ky)
    # Demo places from before they had official names ended in "(demo)".
    earlier = Place.name_en.endswith("(demo)")
    exists = db.session.scalar(select(Place.id).where(or_(ours, earlier)).limit(1))
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
