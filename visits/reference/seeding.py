"""Load the seed data of ``visits.reference_data`` into the database, once.

Rows are matched by code: a missing code is added, an existing row is left
as the NPM edited it. Checklist items have no code; they are added only to
an empty checklist, so that a checklist the NPM has shaped is never mixed
with the defaults again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from visits import reference_data
from visits.extensions import db
from visits.models import (
    Authority,
    ChecklistItem,
    ChecklistKind,
    PlaceType,
    QualityCriterion,
    Region,
)
from visits.models.recommendation import DOUBLE_SMART
from visits.reference.services import ReferenceModel

# Gaps between positions leave room to slot new rows in between.
POSITION_STEP = 10


@dataclass
class SeedReport:
    """What one run added: codes per kind, and the number of checklist items."""

    codes: dict[str, list[str]] = field(default_factory=dict)
    checklist_items: int = 0
    checklist_was_empty: bool = True


def _add_missing(model: ReferenceModel, rows: tuple[reference_data.CodedTexts, ...]) -> list[str]:
    existing = set(db.session.scalars(select(model.code)))
    added = []
    for index, (code, english, russian, kyrgyz) in enumerate(rows, start=1):
        if code in existing:
            continue
        db.session.add(
            model(
                code=code,
                name_en=english,
                name_ru=russian,
                name_ky=kyrgyz,
                position=index * POSITION_STEP,
            )
        )
        added.append(code)
    return added


def _checklist_items(place_type_ids: dict[str, int]) -> list[ChecklistItem]:
    items = [
        ChecklistItem(
            kind=ChecklistKind.PHASE,
            text_en=english,
            text_ru=russian,
            text_ky=kyrgyz,
            position=index * POSITION_STEP,
        )
        for index, (english, russian, kyrgyz) in enumerate(reference_data.PHASE_CHECKLIST, 1)
    ]
    for area, texts in reference_data.THEMATIC_CHECKLIST.items():
        items.extend(
            ChecklistItem(
                kind=ChecklistKind.THEMATIC,
                area=area,
                text_en=english,
                text_ru=russian,
                text_ky=kyrgyz,
                position=index * POSITION_STEP,
            )
            for index, (english, russian, kyrgyz) in enumerate(texts, 1)
        )
    for code, specific in reference_data.PLACE_TYPE_CHECKLIST.items():
        if code not in place_type_ids:
            continue
        # After the general items of the same area.
        items.extend(
            ChecklistItem(
                kind=ChecklistKind.THEMATIC,
                area=area,
                text_en=english,
                text_ru=russian,
                text_ky=kyrgyz,
                place_type_id=place_type_ids[code],
                position=100 * POSITION_STEP + index * POSITION_STEP,
            )
            for index, (area, english, russian, kyrgyz) in enumerate(specific, 1)
        )
    return items


def seed_reference_data() -> SeedReport:
    """Add the regions, place types, authorities and checklists that are missing."""
    report = SeedReport()
    report.codes["regions"] = _add_missing(Region, reference_data.REGIONS)
    report.codes["place types"] = _add_missing(PlaceType, reference_data.PLACE_TYPES)
    report.codes["authorities"] = _add_missing(Authority, reference_data.AUTHORITIES)
    report.codes["quality criteria"] = _add_missing(QualityCriterion, DOUBLE_SMART)
    db.session.flush()
    report.checklist_was_empty = not db.session.scalar(select(func.count(ChecklistItem.id)))
    if report.checklist_was_empty:
        place_type_ids = {
            code: type_id
            for code, type_id in db.session.execute(select(PlaceType.code, PlaceType.id))
        }
        items = _checklist_items(place_type_ids)
        db.session.add_all(items)
        report.checklist_items = len(items)
    db.session.flush()
    return report
