"""Reading the audit trail: labels, filters, and what a viewer may see of each event.

Recording lives in ``visits.audit.trail``, the CSV export in
``visits.audit.export``; this module only reads, and every query filters in
SQL. ``visible_details`` is the one rule, shared by the page and the CSV, for
what each viewer may see of an event's details.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum
from typing import Any

from flask_babel import get_timezone
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import selectinload

from visits.audit.labels import action_detail_label, value_label
from visits.audit.texts import referenced_key, texts_by_key
from visits.extensions import db
from visits.models import AuditEvent, User

# What each known action means, for the audit page; others show as recorded.
ACTION_LABELS: dict[str, LazyString] = {
    "auth.sign_in": _l("Signed in"),
    "auth.sign_in_failed": _l("Sign-in refused"),
    "auth.sign_out": _l("Signed out"),
    "auth.sign_out_everywhere": _l("Signed out on every device"),
    "auth.password_change": _l("Changed their own password"),
    "auth.password_change_failed": _l("Password change refused"),
    "auth.reauthenticate": _l("Confirmed their identity again"),
    "auth.reauthenticate_failed": _l("Identity confirmation refused"),
    "auth.recovery_code_use": _l("Recovery code used"),
    "auth.two_factor_enable": _l("Second factor turned on"),
    "auth.two_factor_disable": _l("Second factor turned off"),
    "auth.two_factor_disable_failed": _l("Turning off the second factor refused"),
    "user.create": _l("Account created"),
    "user.role_change": _l("Role changed"),
    "user.deactivate": _l("Account deactivated"),
    "user.reactivate": _l("Account reactivated"),
    "user.password_reset": _l("Password reset by an administrator"),
    "user.sessions_ended": _l("Account signed out on every device"),
    "user.two_factor_required": _l("Second factor requirement changed"),
    "user.two_factor_reset": _l("Second factor removed by an administrator"),
    "team.create": _l("Team created"),
    "team.update": _l("Team changed"),
    "team.member_add": _l("Added to a team"),
    "team.member_remove": _l("Removed from a team"),
    "visit.create": _l("Visit created"),
    "visit.update": _l("Visit details changed"),
    "visit.transition": _l("Visit moved to another stage"),
    "visit.member_add": _l("Visit team member added"),
    "visit.member_remove": _l("Visit team member removed"),
    "visit.checklist_save": _l("Checklist answers saved"),
    "visit.delete": _l("Visit deleted"),
    "visit.restore": _l("Visit restored"),
    "interview.create": _l("Interview recorded"),
    "interview.update": _l("Interview changed"),
    "interview.read": _l("Interview opened"),
    "interview.consent_withdraw": _l("Withdrawal of consent recorded"),
    "interview.delete": _l("Interview deleted"),
    "interview.restore": _l("Interview restored"),
    "reprisal_check.create": _l("Reprisal check raised for the next visit"),
    "reprisal_check.record": _l("Reprisal check outcome recorded"),
    "reprisal_check.outcome_read": _l("Reprisal check note opened"),
    "reprisal_check.reopen": _l(
        "Reprisal check reopened: the visit that recorded an outcome was cancelled or deleted"
    ),
    "reprisal_check.reinstate": _l("Reprisal check outcome stands again: its visit was restored"),
    "finding.create": _l("Finding recorded"),
    "finding.update": _l("Finding changed"),
    "finding.read": _l("Confidential finding opened"),
    "finding.submit": _l("Finding submitted for review"),
    "finding.review": _l("Finding reviewed"),
    "finding.delete": _l("Finding deleted"),
    "finding.restore": _l("Finding restored"),
    "attachment.create": _l("File uploaded"),
    "attachment.download": _l("File downloaded"),
    "attachment.delete": _l("File deleted"),
    "attachment.restore": _l("File restored"),
    "place.create": _l("Place added"),
    "place.update": _l("Place changed"),
    "place.deactivate": _l("Place deactivated"),
    "place.reactivate": _l("Place reactivated"),
    "plan_entry.create": _l("Visit planned"),
    "plan_entry.withdraw": _l("Planned visit withdrawn"),
    "reference.create": _l("Reference data added"),
    "reference.update": _l("Reference data changed"),
    "checklist_item.create": _l("Checklist item added"),
    "checklist_item.replace": _l("Checklist item replaced"),
    "checklist_item.retire": _l("Checklist item retired"),
    "audit.view": _l("Audit trail viewed"),
    "audit.export": _l("Audit trail exported"),
    "crypto.keys_rotated": _l("Encryption keys rotated"),
    "crypto.decryption_failed": _l("A stored value could not be decrypted"),
    "demo.seed": _l("Demo data created"),
    "access.request": _l("Access request made"),
    "access.approve": _l("Access request approved"),
    "access.refuse": _l("Access request refused"),
    "access.withdraw": _l("Access request withdrawn"),
    "attachment.view": _l("Photo viewed"),
}

# What the objects of the events are, by table name.
OBJECT_LABELS: dict[str, LazyString] = {
    "reprisal_check_outcomes": _l("Reprisal check outcome"),
    "users": _l("Account"),
    "teams": _l("Team"),
    "visits": _l("Visit"),
    "interviews": _l("Interview"),
    "findings": _l("Finding"),
    "attachments": _l("File"),
    "reprisal_checks": _l("Reprisal check"),
    "places": _l("Place"),
    "planned_visits": _l("Plan entry"),
    "regions": _l("Region"),
    "place_types": _l("Place type"),
    "authorities": _l("Authority"),
    "checklist_items": _l("Checklist item"),
}

# What the keys of the events' details mean; others show as recorded.
DETAIL_LABELS: dict[str, LazyString] = {
    "fields": _l("Fields"),
    "from": _l("From"),
    "to": _l("To"),
    "decision": _l("Decision"),
    "reason": _l("Reason"),
    "role": _l("Role"),
    "member_user_id": _l("Person (number)"),
    "is_lead": _l("Lead"),
    "answers_changed": _l("Answers changed"),
    "outcome": _l("Outcome"),
    "visit_id": _l("Visit (number)"),
    # Translators: in the audit trail, why a reprisal check's outcome no longer stands.
    "because": _l("Why"),
    "from_status": _l("Status before"),
    "to_status": _l("Status after"),
    "deletion_reason": _l("Reason for the deletion"),
    "second_factor": _l("Second factor"),
    "required": _l("Required"),
    "active": _l("Active"),
    "name": _l("Name"),
    "places": _l("Places"),
    "planned_visits": _l("Planned visits"),
    "visits": _l("Visits"),
    "interviews": _l("Interviews"),
    "findings": _l("Findings"),
    "page": _l("Page"),
    "filters": _l("Filters"),
    "user_id": _l("Person (number)"),
    "action": _l("Action"),
    "object_type": _l("Object"),
    "object_id": _l("Object number"),
    "date_from": _l("From"),
    "date_to": _l("To"),
    "finding_id": _l("Finding (number)"),
    "interview_id": _l("Interview (number)"),
    "request_id": _l("Request (number)"),
    "kind": _l("Kind of request"),
    "confidentiality": _l("Confidentiality"),
    "content_type": _l("File type"),
    "size": _l("Size in bytes"),
    "inline": _l("Shown in the page"),
    "replaces": _l("Replaces item (number)"),
    "year": _l("Year"),
    "left": _l("Recovery codes left"),
    "key_id": _l("Key"),
    "values": _l("Values re-encrypted"),
    "files": _l("Files re-encrypted"),
    "sent_on": _l("Day the report was sent"),
    "letter_reference": _l("Outgoing reference of the letter"),
}


def action_label(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def object_label(object_type: str) -> str:
    label = OBJECT_LABELS.get(object_type)
    return str(label) if label is not None else object_type


def detail_label(name: str, action: str = "") -> str:
    label = action_detail_label(action, name) or DETAIL_LABELS.get(name)
    return str(label) if label is not None else name


def npm_midnight(day: date) -> datetime:
    """The start of ``day`` in the NPM's time zone, as a UTC time."""
    zone: Any = get_timezone()
    local = datetime.combine(day, time.min)
    aware = zone.localize(local) if hasattr(zone, "localize") else local.replace(tzinfo=zone)
    return aware.astimezone(UTC)


@dataclass(frozen=True)
class AuditFilters:
    """What the audit page is narrowed to; every part optional."""

    user_id: int | None = None
    action: str = ""
    object_type: str = ""
    object_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None

    def as_details(self) -> dict[str, Any]:
        """The filters that were set, for the event that records a view or an export."""
        values = {
            "user_id": self.user_id,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
        }
        return {name: value for name, value in values.items() if value not in (None, "")}


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def conditions(filters: AuditFilters) -> list[ColumnElement[bool]]:
    """The WHERE clauses that select the events the filters ask for."""
    where: list[ColumnElement[bool]] = []
    if filters.user_id is not None:
        where.append(AuditEvent.user_id == filters.user_id)
    if filters.action:
        where.append(AuditEvent.action.like(f"{_escape_like(filters.action)}%", escape="\\"))
    if filters.object_type:
        where.append(AuditEvent.object_type == filters.object_type)
    if filters.object_id is not None:
        where.append(AuditEvent.object_id == filters.object_id)
    # UTC bounds: SQLite keeps UTC wall times (and compares them as text).
    if filters.date_from is not None:
        where.append(AuditEvent.created_at >= npm_midnight(filters.date_from))
    if filters.date_to is not None:
        where.append(AuditEvent.created_at < npm_midnight(filters.date_to + timedelta(days=1)))
    return where


def events(filters: AuditFilters) -> Select[AuditEvent]:
    """The events the filters select, newest first, with their users."""
    query = select(AuditEvent).options(selectinload(AuditEvent.user))
    return query.where(*conditions(filters)).order_by(AuditEvent.id.desc())


def user_choices() -> list[tuple[int, str]]:
    """(id, "name (email)") of every account, for the user filter."""
    query = select(User.id, User.display_name, User.email).order_by(User.display_name, User.id)
    return [(user_id, f"{name} ({email})") for user_id, name, email in db.session.execute(query)]


# --- What a viewer may see of an event's details ----------------------------------------

# Every detail of an event on these says something about visit content: which
# fields of an interview were written, whether a finding alleges ill-treatment,
# its confidentiality, a review's decision, which interview a reprisal check
# follows, which visit cleared it.
CONTENT_OBJECTS = frozenset({"interviews", "findings", "attachments", "reprisal_checks"})
CONTENT_ACTIONS = ("interview.", "finding.", "attachment.", "reprisal_check.")


class Withheld(Enum):
    """Shown in place of a detail's value."""

    HIDDEN = "hidden"
    UNREADABLE = "unreadable"

    @property
    def label(self) -> str:
        if self is Withheld.HIDDEN:
            # Translators: in the audit trail, in place of a detail the viewer's role may not see.
            return _("Hidden from your role")
        # Translators: in the audit trail, in place of a text removed or altered in the database.
        return _("Cannot be read: removed or altered")


def _is_content_event(action: str, object_type: str) -> bool:
    return object_type in CONTENT_OBJECTS or action.startswith(CONTENT_ACTIONS)


def _legacy_free_text(action: str, name: str) -> bool:
    """A reason events carried in plain details before they referred to an encrypted text."""
    if name == "reason":
        return action.endswith(".delete") or action == "place.deactivate"
    return name == "deletion_reason" and action.endswith(".restore")


def visible_details(
    action: str,
    object_type: str,
    details: dict[str, Any],
    may_read_details: bool,
    texts: Mapping[str, str | None],
) -> dict[str, Any]:
    """What a viewer may see of one event's details: the one rule, for the page and the CSV.

    A viewer who may not read details (``read_audit_details``: an
    administrator) sees none of an event on visit content and none of the
    free text any event refers to; the names stay, their values are
    ``Withheld.HIDDEN``. For the others, references to texts become the
    texts (``texts``: loaded for the page), or ``Withheld.UNREADABLE``.
    """
    content = _is_content_event(action, object_type)
    shown: dict[str, Any] = {}
    for name, value in details.items():
        key = referenced_key(value)
        if not may_read_details and (content or key is not None or _legacy_free_text(action, name)):
            shown[name] = Withheld.HIDDEN
        elif key is not None:
            text = texts.get(key)
            shown[name] = Withheld.UNREADABLE if text is None else text
        else:
            shown[name] = value
    return shown


def parsed_details(raw: str) -> dict[str, Any]:
    """An event's details as a mapping; anything else recorded is kept under ``""``."""
    try:
        parsed = json.loads(raw or "{}")
    except ValueError:
        return {"": raw}
    return parsed if isinstance(parsed, dict) else {"": parsed}


def visible_details_of_rows(rows: Sequence[Any], may_read_details: bool) -> list[dict[str, Any]]:
    """``visible_details`` of each event row, the texts they refer to read in one query."""
    details = [parsed_details(row.details) for row in rows]
    keys = {
        key
        for values in details
        for value in values.values()
        if (key := referenced_key(value)) is not None
    }
    texts = texts_by_key(keys) if may_read_details else {}
    return [
        visible_details(row.action, row.object_type, values, may_read_details, texts)
        for row, values in zip(rows, details, strict=True)
    ]


@dataclass(frozen=True)
class Detail:
    name: str
    value: str
    withheld: bool = False
    # The name as a person reads it, in their language.
    label: str = ""


def page_details(events: Sequence[AuditEvent], may_read_details: bool) -> dict[int, list[Detail]]:
    """Each event's visible details as labelled name/value pairs, in name order.

    Codes (states, roles, fields, decisions) are shown as their translated
    labels (``visits.audit.labels``); lists are joined.
    """
    return {
        event.id: [
            Detail(
                name,
                value.label if isinstance(value, Withheld) else _shown(event.action, name, value),
                withheld=isinstance(value, Withheld),
                label=detail_label(name, event.action),
            )
            for name, value in sorted(shown.items())
        ]
        for event, shown in zip(
            events, visible_details_of_rows(events, may_read_details), strict=True
        )
    }


def _shown(action: str, name: str, value: Any) -> str:
    """One detail's value as a person reads it."""
    if name == "action" and isinstance(value, str):
        return action_label(value)
    if name == "object_type" and isinstance(value, str):
        return object_label(value)
    label = value_label(action, name, value)
    if label is not None:
        return label
    if isinstance(value, list):
        return ", ".join(_shown(action, name, item) for item in value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if value is None:
        return "—"
    if isinstance(value, dict):
        return (
            "; ".join(
                f"{detail_label(inner_name, action)}: {_shown(action, inner_name, inner)}"
                for inner_name, inner in sorted(value.items())
            )
            or "—"
        )
    return str(value)
