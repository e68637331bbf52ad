"""Objects for tests, made straight through the models (no HTTP, no services).

``build_world`` makes one small NPM: reference rows, a place, this year's
plan, a visit whose team is the ``monitor`` account, with an interview that
raised a reprisal risk, a finding, a checklist answer and an attachment,
plus a later visit to the same place by the same team, and the standing
team "North" that the ``monitor`` leads. To that later visit the lead has
added a newcomer from outside team North: an addition awaiting a
supervisor's approval. The access matrix and the IDOR tests request its
objects as every role.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select

from visits import crypto
from visits.crypto.fields import file_aad
from visits.extensions import db
from visits.i18n import npm_today
from visits.models import (
    AccessKind,
    AccessRequest,
    Answer,
    Attachment,
    Authority,
    ChecklistAnswer,
    ChecklistItem,
    ChecklistKind,
    Confidentiality,
    ConsentScope,
    Finding,
    Interview,
    InterviewKind,
    MonitoringPlan,
    Place,
    PlaceType,
    PlannedVisit,
    Priority,
    QualityCriterion,
    Recommendation,
    RecommendationLetter,
    RecommendationLevel,
    RecommendationSource,
    RecommendationStatus,
    Region,
    ReprisalCheck,
    Role,
    Severity,
    SourceType,
    Team,
    TeamMember,
    ThematicArea,
    User,
    Visit,
    VisitMember,
    VisitStatus,
    VisitType,
)
from visits.models.recommendation import DOUBLE_SMART

# A tiny valid PNG (1x1, white): enough for content checks and image views.
PNG_BYTES = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753"
    "de0000000c4944415408d763f8ffff3f0005fe02fea7d6a4f50000000049454e44ae426082"
)


def named(
    code: str, english: str, russian: str | None = None, kyrgyz: str | None = None
) -> dict[str, str]:
    return {
        "code": code,
        "name_en": english,
        "name_ru": russian or f"{english} (ru)",
        "name_ky": kyrgyz or f"{english} (ky)",
    }


def add(obj: Any) -> Any:
    db.session.add(obj)
    db.session.flush()
    return obj


def make_reference() -> tuple[Region, PlaceType, Authority]:
    region = add(Region(**named("chui", "Chüy Region", "Чуйская область", "Чүй облусу")))
    place_type = add(PlaceType(**named("ivs", "Temporary detention (IVS)", "ИВС", "УКЖ")))
    authority = add(Authority(**named("mvd", "Ministry of Internal Affairs", "МВД", "ИИМ")))
    return region, place_type, authority


def make_place(region: Region, place_type: PlaceType, authority: Authority, **fields: Any) -> Place:
    """A place; ``name`` is its English name (the others stay empty)."""
    if "name" in fields:
        fields["name_en"] = fields.pop("name")
    values: dict[str, Any] = {
        "name_en": "IVS of Sokuluk district",
        "address": "Sokuluk, Frunze street 1",
        "capacity": 40,
        "population_categories": ["men", "women"],
        **fields,
    }
    return add(Place(place_type=place_type, region=region, authority=authority, **values))


def make_visit(place: Place, lead_id: int, **fields: Any) -> Visit:
    start = fields.pop("start_date", npm_today() - timedelta(days=10))
    values: dict[str, Any] = {
        "visit_type": VisitType.COMPREHENSIVE,
        "status": VisitStatus.ANALYSIS,
        "start_date": start,
        "end_date": start + timedelta(days=1),
        "population_total": 30,
        "population_by_category": {"men": 27, "women": 3},
        **fields,
    }
    visit = add(Visit(place=place, created_by_id=lead_id, **values))
    add(VisitMember(visit=visit, user_id=lead_id, is_lead=True))
    return visit


def make_interview(visit: Visit, author_id: int, **fields: Any) -> Interview:
    number = fields.pop("number", 1)
    values: dict[str, Any] = {
        "kind": InterviewKind.INDIVIDUAL,
        "consent_scope": ConsentScope.ANONYMOUS,
        "consent_date": visit.start_date,
        "conducted_on": visit.start_date,
        "real_name": "Real Name Of Detainee",
        "notes": "Interview notes: beaten at arrest",
        **fields,
    }
    return add(
        Interview(
            visit=visit,
            number=number,
            pseudonym=f"{visit.reference}-I{number}",
            created_by_id=author_id,
            **values,
        )
    )


def make_finding(visit: Visit, author_id: int, **fields: Any) -> Finding:
    values: dict[str, Any] = {
        "number": 1,
        "area": ThematicArea.TREATMENT,
        "source_type": SourceType.DETAINEE_INTERVIEW,
        "severity": Severity.HIGH,
        "confidentiality": Confidentiality.CONFIDENTIAL,
        "title": "Beatings at arrest",
        "text": "Confidential finding text about beatings",
        **fields,
    }
    return add(Finding(visit=visit, created_by_id=author_id, **values))


def make_attachment(app: Flask, visit: Visit, author_id: int, **fields: Any) -> Attachment:
    """An attachment whose file holds ``PNG_BYTES``, encrypted as the app stores it."""
    stored_name = secrets.token_hex(16)
    folder = Path(app.instance_path) / "attachments"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / stored_name).write_bytes(crypto.encrypt_bytes(PNG_BYTES, file_aad(stored_name)))
    values: dict[str, Any] = {
        "original_name": "cell.png",
        "content_type": "image/png",
        "caption": "Cell 3",
        **fields,
    }
    return add(
        Attachment(
            visit=visit,
            stored_name=stored_name,
            size=len(PNG_BYTES),
            sha256="0" * 64,
            uploaded_by_id=author_id,
            **values,
        )
    )


def make_recommendation(visit: Visit | None, author_id: int, **fields: Any) -> Recommendation:
    """A draft recommendation, from ``visit`` (or standalone), to the place's authority."""
    place = visit.place if visit is not None else None
    values: dict[str, Any] = {
        "text": "Install daylight windows in every cell",
        "rationale": "Confidential rationale about cell conditions",
        "internal_note": "Internal note of the NPM",
        "authority_id": place.authority_id if place is not None else None,
        "place_id": place.id if place is not None else None,
        "area": ThematicArea.MATERIAL_CONDITIONS,
        "level": RecommendationLevel.FACILITY,
        "priority": Priority.HIGH,
        "source": RecommendationSource.VISIT_REPORT,
        **fields,
    }
    return add(Recommendation(visit=visit, created_by_id=author_id, **values))


def make_sent_recommendation(
    visit: Visit | None, author_id: int, sent_on: date, **fields: Any
) -> Recommendation:
    """A recommendation sent to its authority with a letter of ``sent_on``."""
    recommendation = make_recommendation(visit, author_id, **fields)
    letter = add(
        RecommendationLetter(
            authority_id=recommendation.authority_id,
            sent_on=sent_on,
            reference=f"NPM-{sent_on.year}/{recommendation.id}",
            sent_by_id=author_id,
        )
    )
    recommendation.letter_id = letter.id
    recommendation.status = RecommendationStatus.SENT
    recommendation.due_date = sent_on + timedelta(days=30)
    db.session.flush()
    return recommendation


def make_criteria() -> list[QualityCriterion]:
    """The Double-SMART criteria as migration 0014 seeds them (the tests empty every table)."""
    existing = list(db.session.scalars(select(QualityCriterion)))
    if existing:
        return existing
    return [
        add(QualityCriterion(code=code, name_en=en, name_ru=ru, name_ky=ky, position=position))
        for position, (code, en, ru, ky) in enumerate(DOUBLE_SMART, start=1)
    ]


def add_pending_newcomer(visit: Visit, lead_id: int) -> AccessRequest:
    """A monitor from no standing team, added to ``visit`` by its lead, awaiting approval."""
    newcomer = add(
        User(
            email="newcomer@world.example",
            display_name="Нурлан Жаңы",
            role=Role.MONITOR,
            password_hash="not a usable hash",
        )
    )
    add(VisitMember(visit=visit, user=newcomer, awaiting_approval=True))
    return add(
        AccessRequest(
            kind=AccessKind.TEAM_ADDITION,
            subject=newcomer,
            visit=visit,
            requested_by_id=lead_id,
        )
    )


@dataclass(frozen=True)
class World:
    region_id: int
    place_type_id: int
    authority_id: int
    place_id: int
    year: int
    entry_id: int
    visit_id: int
    next_visit_id: int
    member_id: int
    item_id: int
    interview_id: int
    check_id: int
    finding_id: int
    attachment_id: int
    team_id: int
    team_member_id: int
    access_request_id: int
    recommendation_id: int

    def url_values(self) -> dict[str, Any]:
        """Sample values for every URL argument name the app uses."""
        return {
            "place_id": self.place_id,
            "year": self.year,
            "entry_id": self.entry_id,
            "visit_id": self.visit_id,
            "member_id": self.member_id,
            "item_id": self.item_id,
            "interview_id": self.interview_id,
            "check_id": self.check_id,
            "finding_id": self.finding_id,
            "attachment_id": self.attachment_id,
            "kind": "regions",
            "row_id": self.region_id,
            "team_id": self.team_id,
            "team_member_id": self.team_member_id,
            "request_id": self.access_request_id,
            "recommendation_id": self.recommendation_id,
            # A deleted record to restore: here a live one (kind is "regions").
            "object_id": self.visit_id,
        }


def build_world(app: Flask, team_member_id: int) -> World:
    """One NPM's worth of objects; ``team_member_id`` leads both visits."""
    with app.app_context():
        region, place_type, authority = make_reference()
        place = make_place(region, place_type, authority)
        year = npm_today().year
        plan = add(MonitoringPlan(year=year))
        planned_place = make_place(region, place_type, authority, name="SIZO-1 Bishkek")
        entry = add(
            PlannedVisit(
                plan=plan,
                place=planned_place,
                month=12,
                visit_type=VisitType.COMPREHENSIVE,
                reason="Not visited since 2024",
            )
        )
        visit = make_visit(place, team_member_id)
        item = add(
            ChecklistItem(
                kind=ChecklistKind.THEMATIC,
                area=ThematicArea.MATERIAL_CONDITIONS,
                text_en="Cells have daylight",
                text_ru="В камерах есть дневной свет",
                text_ky="Камераларда күндүзгү жарык бар",
            )
        )
        add(ChecklistAnswer(visit=visit, item=item, answer=Answer.NOT_OBSERVED, note="No window"))
        interview = make_interview(visit, team_member_id, reprisal_risk=True)
        check = add(ReprisalCheck(place=place, interview=interview))
        finding = make_finding(visit, team_member_id)
        finding.interviews.append(interview)
        attachment = make_attachment(app, visit, team_member_id)
        next_visit = make_visit(
            place,
            team_member_id,
            status=VisitStatus.PREPARING,
            start_date=npm_today() + timedelta(days=20),
        )
        member = visit.members[0]
        team = add(Team(name_en="North", lead_id=team_member_id))
        team_member = add(TeamMember(team=team, user_id=team_member_id))
        access_request = add_pending_newcomer(next_visit, team_member_id)
        recommendation = make_recommendation(visit, team_member_id)
        recommendation.findings.append(finding)
        db.session.commit()
        return World(
            region_id=region.id,
            place_type_id=place_type.id,
            authority_id=authority.id,
            place_id=place.id,
            year=year,
            entry_id=entry.id,
            visit_id=visit.id,
            next_visit_id=next_visit.id,
            member_id=member.id,
            item_id=item.id,
            interview_id=interview.id,
            check_id=check.id,
            finding_id=finding.id,
            attachment_id=attachment.id,
            team_id=team.id,
            team_member_id=team_member.id,
            access_request_id=access_request.id,
            recommendation_id=recommendation.id,
        )
