"""Rules for the reference data: regions, place types and authorities.

Rows are never deleted (places, visits and recommendations point at them):
a row that no longer applies is deactivated, and forms stop offering it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import selectinload

from visits import audit
from visits.errors import Invalid, NotFound
from visits.extensions import db
from visits.models import Authority, PlaceType, QualityCriterion, Region

ReferenceModel = type[Region] | type[PlaceType] | type[Authority] | type[QualityCriterion]
ReferenceRow = Region | PlaceType | Authority | QualityCriterion


@dataclass(frozen=True)
class ReferenceKind:
    """One kind of reference data, as its pages name it."""

    slug: str
    model: ReferenceModel
    title: LazyString
    new_title: LazyString
    edit_title: LazyString

    @property
    def has_parent(self) -> bool:
        return self.model is Authority


KINDS: dict[str, ReferenceKind] = {
    kind.slug: kind
    for kind in (
        ReferenceKind("regions", Region, _l("Regions"), _l("New region"), _l("Edit region")),
        ReferenceKind(
            "place-types",
            PlaceType,
            _l("Place types"),
            _l("New place type"),
            _l("Edit place type"),
        ),
        ReferenceKind(
            "authorities",
            Authority,
            _l("Authorities"),
            _l("New authority"),
            _l("Edit authority"),
        ),
        # The quality check a supervisor makes before approving a recommendation.
        ReferenceKind(
            "quality-criteria",
            QualityCriterion,
            _l("Recommendation quality criteria"),
            _l("New quality criterion"),
            _l("Edit quality criterion"),
        ),
    )
}


@dataclass(frozen=True)
class KindCount:
    kind: ReferenceKind
    total: int
    active: int


@dataclass(frozen=True)
class RowValues:
    """What a form gives for a row; ``parent_id`` only means something for authorities."""

    code: str
    name_en: str
    name_ru: str
    name_ky: str
    active: bool
    position: int = 0
    parent_id: int | None = None


class CodeTaken(Invalid):
    """Another row of the same kind already has this code."""


class InvalidParent(Invalid):
    """The parent would be the authority itself or one below it."""


def kind_counts() -> list[KindCount]:
    """Each kind with its number of rows, all and active."""
    counts = []
    for kind in KINDS.values():
        total, active = db.session.execute(
            select(
                func.count(kind.model.id),
                func.coalesce(func.sum(case((kind.model.active.is_(True), 1), else_=0)), 0),
            )
        ).one()
        counts.append(KindCount(kind, int(total), int(active)))
    return counts


def rows_query(kind: ReferenceKind) -> Select[Any]:
    """Every row of ``kind``, deactivated ones included, in list order."""
    query = kind.model.ordered(include_inactive=True)
    if kind.has_parent:
        query = query.options(selectinload(Authority.parent))
    return query


def kind_or_404(slug: str) -> ReferenceKind:
    kind = KINDS.get(slug)
    if kind is None:
        raise NotFound
    return kind


def row_or_404(kind: ReferenceKind, row_id: int) -> ReferenceRow:
    row = cast(ReferenceRow | None, db.session.get(kind.model, row_id))
    if row is None:
        raise NotFound
    return row


def normalise_code(code: str) -> str:
    return code.strip().lower()


def code_is_taken(kind: ReferenceKind, code: str, row: ReferenceRow | None = None) -> bool:
    query = select(kind.model.id).where(kind.model.code == normalise_code(code))
    if row is not None:
        query = query.where(kind.model.id != row.id)
    return db.session.scalar(query) is not None


def allowed_parents(authority: Authority | None) -> list[Authority]:
    """Authorities that may be above ``authority``: not itself, nor any below it.

    The table holds a few dozen rows, so the tree is walked in memory.
    """
    everyone = list(db.session.scalars(Authority.ordered(include_inactive=True)))
    if authority is None:
        return everyone
    children: dict[int | None, list[int]] = {}
    for other in everyone:
        children.setdefault(other.parent_id, []).append(other.id)
    excluded = {authority.id}
    pending = [authority.id]
    while pending:
        for child in children.get(pending.pop(), []):
            if child not in excluded:
                excluded.add(child)
                pending.append(child)
    return [other for other in everyone if other.id not in excluded]


def save_row(kind: ReferenceKind, row: ReferenceRow | None, values: RowValues) -> ReferenceRow:
    """Create (``row`` None) or update a row; refuse a duplicate code or a parent loop."""
    code = normalise_code(values.code)
    if code_is_taken(kind, code, row):
        raise CodeTaken(_("Another row of this list already has this code."), field="code")
    if kind.has_parent and values.parent_id is not None:
        current = row if isinstance(row, Authority) else None
        if values.parent_id not in {parent.id for parent in allowed_parents(current)}:
            raise InvalidParent(_("An authority cannot be placed below itself."), field="parent_id")
    if row is None:
        row = kind.model()
        db.session.add(row)
    if isinstance(row, Authority):
        row.parent_id = values.parent_id
    row.code = code
    row.name_en = values.name_en.strip()
    row.name_ru = values.name_ru.strip()
    row.name_ky = values.name_ky.strip()
    row.active = values.active
    row.position = values.position
    action = "reference.create" if row.id is None else "reference.update"
    audit.record(action, row, fields=audit.changed_fields(row))
    return row
