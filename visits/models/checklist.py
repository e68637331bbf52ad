"""The visit methodology as data: phase and thematic checklists, and answers.

An item is never edited in place: a change makes a new item that replaces
the old one, so a visit keeps the wording it started with.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import DateTime, ForeignKey, Select, Text, UniqueConstraint, case, or_, select
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload

from visits.crypto.fields import Encrypted, RowKeyMixin
from visits.models.base import Base, TimestampMixin
from visits.models.choices import Choice, enum_column, label_choices
from visits.models.reference import PlaceType
from visits.models.user import User


class ChecklistKind(Choice):
    PHASE = "phase"
    THEMATIC = "thematic"


label_choices(
    ChecklistKind,
    {ChecklistKind.PHASE: _l("Visit phases"), ChecklistKind.THEMATIC: _l("Thematic checklist")},
)


class ThematicArea(Choice):
    """The thematic taxonomy shared by checklist items and findings."""

    TREATMENT = "treatment"
    PROTECTION = "protection"
    MATERIAL_CONDITIONS = "material_conditions"
    REGIME = "regime"
    HEALTH_CARE = "health_care"
    PERSONNEL = "personnel"
    ORDER_DISCIPLINE = "order_discipline"
    TORTURE = "torture"
    VULNERABLE_GROUPS = "vulnerable_groups"


label_choices(
    ThematicArea,
    {
        ThematicArea.TREATMENT: _l("Treatment"),
        ThematicArea.PROTECTION: _l("Protection measures"),
        ThematicArea.MATERIAL_CONDITIONS: _l("Material conditions"),
        ThematicArea.REGIME: _l("Regime and activities"),
        ThematicArea.HEALTH_CARE: _l("Health care"),
        ThematicArea.PERSONNEL: _l("Personnel"),
        ThematicArea.ORDER_DISCIPLINE: _l("Order and discipline"),
        ThematicArea.TORTURE: _l("Torture and ill-treatment"),
        ThematicArea.VULNERABLE_GROUPS: _l("Vulnerable groups"),
    },
)


class Answer(Choice):
    """What the team answers: a step of the visit is done or not, a thematic
    item observed or not; either may not apply (``ANSWERS_BY_KIND``)."""

    DONE = "done"
    NOT_DONE = "not_done"
    OBSERVED = "observed"
    NOT_OBSERVED = "not_observed"
    NOT_APPLICABLE = "not_applicable"


label_choices(
    Answer,
    {
        Answer.DONE: _l("Done"),
        Answer.NOT_DONE: _l("Not done"),
        Answer.OBSERVED: _l("Observed"),
        Answer.NOT_OBSERVED: _l("Not observed"),
        Answer.NOT_APPLICABLE: _l("Not applicable"),
    },
)

# The answers an item of each checklist offers: "the initial talk was held"
# is done or not done, "cells have daylight" observed or not observed.
ANSWERS_BY_KIND: dict[ChecklistKind, tuple[Answer, ...]] = {
    ChecklistKind.PHASE: (Answer.DONE, Answer.NOT_DONE, Answer.NOT_APPLICABLE),
    ChecklistKind.THEMATIC: (Answer.OBSERVED, Answer.NOT_OBSERVED, Answer.NOT_APPLICABLE),
}


class ChecklistItem(TimestampMixin, Base):
    __tablename__ = "checklist_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ChecklistKind] = mapped_column(enum_column(ChecklistKind, "kind"))
    area: Mapped[ThematicArea | None] = mapped_column(enum_column(ThematicArea, "area"))
    text_en: Mapped[str] = mapped_column(Text)
    text_ru: Mapped[str] = mapped_column(Text)
    text_ky: Mapped[str] = mapped_column(Text)
    # None: asked in every kind of place.
    place_type_id: Mapped[int | None] = mapped_column(ForeignKey("place_types.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True, index=True)
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("checklist_items.id"))

    place_type: Mapped[PlaceType | None] = relationship()

    @property
    def text(self) -> str:
        locale = str(get_locale() or "en")
        return str(getattr(self, f"text_{locale}", None) or self.text_en)

    @property
    def answers(self) -> tuple[Answer, ...]:
        """The answers this item offers."""
        return ANSWERS_BY_KIND[self.kind]

    @classmethod
    def current_for(cls, place_type_id: int) -> Select[ChecklistItem]:
        """The active items a visit to this kind of place starts with."""
        return (
            select(cls)
            .where(
                cls.active.is_(True),
                or_(cls.place_type_id.is_(None), cls.place_type_id == place_type_id),
            )
            .order_by(cls.kind, cls.area, cls.position, cls.id)
        )


class ChecklistAnswer(RowKeyMixin, Base):
    __tablename__ = "checklist_answers"
    __table_args__ = (UniqueConstraint("visit_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("checklist_items.id"))
    answer: Mapped[Answer | None] = mapped_column(enum_column(Answer, "answer"))
    # What the team saw: encrypted, like every free text of a visit.
    note_encrypted: Mapped[str] = mapped_column("note", Text, default="")
    note = Encrypted("note_encrypted")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    visit = relationship("Visit", back_populates="answers")
    item: Mapped[ChecklistItem] = relationship()
    updated_by: Mapped[User | None] = relationship()


# --- Queries of the checklists and visits pages --------------------------------

# The taxonomy's own order (treatment first), not the alphabet of the codes.
AREA_ORDER = case(
    {area: position for position, area in enumerate(ThematicArea)},
    value=ChecklistItem.area,
    else_=-1,
)


def answers_of(visit_id: int) -> Select[ChecklistAnswer]:
    """A visit's answers with their items, phase items first, then by area."""
    return (
        select(ChecklistAnswer)
        .join(ChecklistItem, ChecklistItem.id == ChecklistAnswer.item_id)
        .where(ChecklistAnswer.visit_id == visit_id)
        .options(selectinload(ChecklistAnswer.item))
        .order_by(ChecklistItem.kind, AREA_ORDER, ChecklistItem.position, ChecklistItem.id)
    )


def checklist_items(
    kind: ChecklistKind | None = None,
    area: ThematicArea | None = None,
    place_type_id: int | None = None,
    active: bool | None = True,
) -> Select[ChecklistItem]:
    """The methodology as supervisors browse it: by kind, area and kind of place."""
    query = (
        select(ChecklistItem)
        .outerjoin(PlaceType, PlaceType.id == ChecklistItem.place_type_id)
        .options(selectinload(ChecklistItem.place_type))
        .order_by(
            ChecklistItem.kind,
            AREA_ORDER,
            PlaceType.position.is_not(None),
            PlaceType.position,
            PlaceType.name_en,
            ChecklistItem.position,
            ChecklistItem.id,
        )
    )
    if kind is not None:
        query = query.where(ChecklistItem.kind == kind)
    if area is not None:
        query = query.where(ChecklistItem.area == area)
    if place_type_id:
        query = query.where(ChecklistItem.place_type_id == place_type_id)
    if active is not None:
        query = query.where(ChecklistItem.active.is_(active))
    return query
