"""Soft deletion and restoring of visits and their content: nothing is ever erased.

Nothing a monitor recorded is ever erased from the database. A deletion hides
a visit, an interview, a finding or a file, with who deleted it, when and
why; every list, page and count leaves it out (the queries next to the
models filter on ``deleted_at``), and its pages answer 404 like a missing
record. Deleting a visit hides its content with it. A supervisor sees the
deleted records (``visits.deleted``) and restores them. Deletions and
restorations are audited, with the reason given (encrypted, as a text the
event refers to: ``visits.audit.texts``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_sqlalchemy.pagination import SelectPagination
from sqlalchemy import Select, literal, select, union_all
from sqlalchemy.orm import selectinload

from visits import reprisals
from visits.audit import record
from visits.errors import Invalid, WrongState
from visits.extensions import db
from visits.models import Attachment, Finding, Interview, User, Visit
from visits.models.base import DELETION_REASON_MAX_LENGTH, utcnow

SoftDeletable = Visit | Interview | Finding | Attachment

# The kinds, by the name they have in URLs (their table names).
KINDS: dict[str, type[SoftDeletable]] = {
    "visits": Visit,
    "interviews": Interview,
    "findings": Finding,
    "attachments": Attachment,
}
KIND_LABELS: dict[str, LazyString] = {
    "visits": _l("Visits"),
    "interviews": _l("Interviews"),
    "findings": _l("Findings"),
    "attachments": _l("Photos and documents"),
}
RECORD_LABELS: dict[str, LazyString] = {
    "visits": _l("Visit"),
    "interviews": _l("Interview"),
    "findings": _l("Finding"),
    "attachments": _l("Photo or document"),
}
# The object name in audit actions: "visit.delete", "interview.restore", ...
AUDIT_NAMES = {
    "visits": "visit",
    "interviews": "interview",
    "findings": "finding",
    "attachments": "attachment",
}


def kind_of(obj: SoftDeletable) -> str:
    return str(obj.__tablename__)


def soft_delete(obj: SoftDeletable, user: User, reason: str) -> None:
    """Hide ``obj`` from every list, page and count, saying who, when and why."""
    if obj.is_deleted:
        raise WrongState(
            _("This was already deleted. A supervisor can restore it from the deleted records.")
        )
    reason = reason.strip()
    if not reason:
        raise Invalid(
            _("Say why it is deleted: the reason is kept with the record."), field="reason"
        )
    if len(reason) > DELETION_REASON_MAX_LENGTH:
        # Refused, never cut: the reason is kept as the person wrote it.
        raise Invalid(
            _("Keep the reason under %(num)d characters.", num=DELETION_REASON_MAX_LENGTH),
            field="reason",
        )
    obj.deleted_at = utcnow()
    obj.deleted_by_id = user.id
    obj.deletion_reason = reason
    record(
        f"{AUDIT_NAMES[kind_of(obj)]}.delete",
        obj,
        user_id=user.id,
        texts={"reason": obj.deletion_reason},
    )
    db.session.flush()
    if isinstance(obj, Visit):
        reprisals.follow_visit(obj, user)


def restore(obj: SoftDeletable, user: User) -> None:
    """Bring a deleted record back where it was (a supervisor's decision)."""
    if not obj.is_deleted:
        raise WrongState(_("This record is not deleted: there is nothing to restore."))
    record(
        f"{AUDIT_NAMES[kind_of(obj)]}.restore",
        obj,
        user_id=user.id,
        texts={"deletion_reason": obj.deletion_reason},
    )
    obj.deleted_at = None
    obj.deleted_by_id = None
    obj.deletion_reason = ""
    db.session.flush()
    if isinstance(obj, Visit):
        reprisals.follow_visit(obj, user)


def load_any(kind: str, object_id: int) -> SoftDeletable | None:
    """A record of ``kind``, deleted or not (for restoring); None if there is none."""
    model = KINDS.get(kind)
    if model is None:
        return None
    return cast("SoftDeletable | None", db.session.get(model, object_id))


# --- The supervisors' list of deleted records ------------------------------------


class RowPagination(SelectPagination):
    """A page of plain rows (kind, id, time), not of ORM objects."""

    def _query_items(self) -> list[Any]:
        query = self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        return list(self._query_args["session"].execute(query).all())


def deleted_rows(kind: str | None = None) -> Select[Any]:
    """Deleted records of one kind or of all, the latest deletion first, in SQL."""
    parts = [
        select(
            literal(name).label("kind"),
            model.id.label("object_id"),
            model.deleted_at.label("deleted_at"),
        ).where(model.deleted_at.is_not(None))
        for name, model in KINDS.items()
        if kind in (None, name)
    ]
    rows = union_all(*parts).subquery()
    return select(rows.c.kind, rows.c.object_id, rows.c.deleted_at).order_by(
        rows.c.deleted_at.desc(), rows.c.kind, rows.c.object_id.desc()
    )


@dataclass(frozen=True)
class DeletedRecord:
    """One line of the list: the record, who deleted it, and its visit."""

    kind: str
    record: Any
    visit: Visit
    deleted_at: datetime
    deleted_by: User | None

    @property
    def kind_label(self) -> str:
        return str(RECORD_LABELS[self.kind])

    @property
    def hidden_with_visit(self) -> bool:
        """Content of a deleted visit stays hidden after its own restoring."""
        return self.kind != "visits" and self.visit.is_deleted


def records_of(page: SelectPagination) -> list[DeletedRecord]:
    """The page's deleted records with what the list shows, in a fixed number of queries."""
    ids: dict[str, list[int]] = {}
    for row in page.items:
        ids.setdefault(row.kind, []).append(row.object_id)
    loaded: dict[tuple[str, int], Any] = {}
    for name, object_ids in ids.items():
        model: Any = KINDS[name]
        query = select(model).where(model.id.in_(object_ids))
        if model is Visit:
            query = query.options(selectinload(Visit.place))
        else:
            query = query.options(selectinload(model.visit).selectinload(Visit.place))
        for obj in db.session.scalars(query):
            loaded[(name, obj.id)] = obj
    user_ids = {obj.deleted_by_id for obj in loaded.values() if obj.deleted_by_id}
    users = (
        {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(user_ids)))}
        if user_ids
        else {}
    )
    records = []
    for row in page.items:
        obj = loaded[(row.kind, row.object_id)]
        records.append(
            DeletedRecord(
                kind=row.kind,
                record=obj,
                visit=obj if row.kind == "visits" else obj.visit,
                deleted_at=obj.deleted_at,
                deleted_by=users.get(obj.deleted_by_id),
            )
        )
    return records
