"""What an audit event's details mean to a person: translated names and values.

Events store codes (``in_review``, ``finding_id``, ``allegation_consent_to_transmit``)
so that the trail and its MACs never depend on a language; the page shows
each as the label the rest of the app gives it (a visit's status as on the
visit page, a field as its form names it). The CSV export keeps the codes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from visits.models import (
    AccessKind,
    Answer,
    ChecklistKind,
    Confidentiality,
    ConsentScope,
    InterviewKind,
    ReprisalOutcome,
    ReviewState,
    Role,
    SetAsideBecause,
    Severity,
    SourceType,
    ThematicArea,
    VisitStatus,
    VisitType,
)
from visits.models.choices import Choice

# The fields of the audited records, as their forms and pages name them
# (``fields`` of a create or update event). Every column of every model has
# one (tests/test_audit_page.py holds it).
FIELD_LABELS: dict[str, LazyString] = {
    "active": _l("Active"),
    "address": _l("Address"),
    "allegation_by_whom": _l("By whom"),
    "allegation_consent_to_transmit": _l("Consent to transmit to the authorities"),
    "allegation_medical_evidence": _l("Medical evidence"),
    "allegation_what": _l("What was alleged"),
    "allegation_when": _l("When"),
    "alleges_ill_treatment": _l("Allegation of torture or ill-treatment"),
    "announced": _l("Announced to the authorities in advance"),
    "answer": _l("Answer"),
    "area": _l("Thematic area"),
    "authority_id": _l("Responsible authority"),
    "capacity": _l("Capacity"),
    "caption": _l("Caption"),
    "code": _l("Code"),
    "conducted_on": _l("Date of the interview"),
    "confidentiality": _l("Confidentiality"),
    "consent_date": _l("Date consent was given"),
    "consent_scope": _l("Consent"),
    "consent_withdrawn_on": _l("Consent withdrawn"),
    "content_type": _l("File type"),
    "created_by_id": _l("Recorded by"),
    "deactivation_reason": _l("Reason"),
    "deleted_at": _l("Deleted on"),
    "deleted_by_id": _l("Deleted by"),
    "deletion_reason": _l("Reason for the deletion"),
    "end_date": _l("Last day"),
    "finding_id": _l("Finding"),
    "identifying_details": _l("Identifying details"),
    "interview_shortfall_reason": _l("Why fewer than a third of the people held were interviewed"),
    "item_id": _l("Checklist item"),
    "joint_with": _l("Joint visit with"),
    "kind": _l("Kind"),
    "last_visited_on": _l("Last visited"),
    "lead_id": _l("Lead"),
    "letter_reference": _l("Outgoing reference of the letter"),
    "month": _l("Month"),
    "name": _l("Name"),
    "name_en": _l("Name in English"),
    "name_ky": _l("Name in Kyrgyz"),
    "name_ru": _l("Name in Russian"),
    "note": _l("Note"),
    "notes": _l("Notes"),
    "number": _l("Number"),
    "original_name": _l("File name"),
    "parent_id": _l("Parent authority"),
    "people_count": _l("Number of people interviewed"),
    "place_id": _l("Place"),
    "place_type_id": _l("Type of place"),
    "plan_id": _l("Plan"),
    "population_by_category": _l("By category"),
    "population_categories": _l("Categories of people held"),
    "population_total": _l("People held on the day"),
    "position": _l("Position in lists"),
    "pseudonym": _l("Pseudonym"),
    "purpose": _l("Purpose"),
    "real_name": _l("Real name"),
    "reason": _l("Reason"),
    "region_id": _l("Region"),
    "replaces_id": _l("Replaces"),
    "reprisal_risk": _l("Risk of reprisals"),
    "review_comment": _l("Comment from the review"),
    "review_state": _l("Review"),
    "reviewed_at": _l("Reviewed on"),
    "reviewed_by_id": _l("Reviewed by"),
    "sent_on": _l("Day the report was sent"),
    "severity": _l("Severity"),
    "sha256": _l("Checksum"),
    "size": _l("Size in bytes"),
    "source_type": _l("Source"),
    "start_date": _l("First day"),
    "status": _l("Status"),
    "stored_name": _l("Stored file"),
    "text": _l("Text"),
    "text_en": _l("Text in English"),
    "text_ky": _l("Text in Kyrgyz"),
    "text_ru": _l("Text in Russian"),
    "title": _l("Title"),
    "updated_by_id": _l("Changed by"),
    "uploaded_by_id": _l("Uploaded by"),
    "visit_id": _l("Visit"),
    "visit_type": _l("Type of visit"),
    "withdrawn": _l("Withdrawn"),
}

# Details whose name means something else in some events.
ACTION_DETAIL_LABELS: dict[tuple[str, str], LazyString] = {
    ("user.role_change", "from"): _l("Role before"),
    ("user.role_change", "to"): _l("Role after"),
}

# The codes that explain why something was refused or failed.
REASON_LABELS: dict[str, LazyString] = {
    "throttled": _l("Too many attempts"),
    "wrong_password": _l("Wrong password"),
    "unknown_account": _l("No account with this email"),
    "inactive": _l("Account deactivated"),
    "wrong_code": _l("Wrong code"),
    "wrong_recovery_code": _l("Wrong recovery code"),
    "reused_code": _l("Code already used"),
    "missing_key": _l("The key is missing"),
    "integrity_check_failed": _l("Integrity check failed"),
}

DECISION_LABELS: dict[str, LazyString] = {
    "accept": _l("Accept"),
    "return": _l("Return to the team"),
}

# Events whose ``reason`` is a code, not a person's words.
_CODED_REASONS = ("auth.", "crypto.")


def _choice(choice: type[Choice]) -> Callable[[str, Any], str | None]:
    def label(_action: str, value: Any) -> str | None:
        member = choice.parse(value)
        return str(member.label) if member is not None else None

    return label


def _status(action: str, value: Any) -> str | None:
    """A finding's review state, or a visit's status."""
    choice: type[Choice] = ReviewState if action.startswith("finding.") else VisitStatus
    return _choice(choice)(action, value)


def _from_table(table: dict[str, LazyString]) -> Callable[[str, Any], str | None]:
    def label(_action: str, value: Any) -> str | None:
        found = table.get(value) if isinstance(value, str) else None
        return str(found) if found is not None else None

    return label


def _reason(action: str, value: Any) -> str | None:
    return _from_table(REASON_LABELS)(action, value) if action.startswith(_CODED_REASONS) else None


def _fields(_action: str, value: Any) -> str | None:
    if not isinstance(value, list):
        return None
    return ", ".join(field_label(str(name)) for name in value)


VALUE_LABELS: dict[str, Callable[[str, Any], str | None]] = {
    "fields": _fields,
    "from_status": _status,
    "to_status": _status,
    "from": _choice(Role),
    "to": _choice(Role),
    "role": _choice(Role),
    "decision": _from_table(DECISION_LABELS),
    "outcome": _choice(ReprisalOutcome),
    "because": _choice(SetAsideBecause),
    "kind": _choice(AccessKind),
    "confidentiality": _choice(Confidentiality),
    "reason": _reason,
    "severity": _choice(Severity),
    "source_type": _choice(SourceType),
    "area": _choice(ThematicArea),
    "visit_type": _choice(VisitType),
    "consent_scope": _choice(ConsentScope),
    "interview_kind": _choice(InterviewKind),
    "checklist_kind": _choice(ChecklistKind),
    "answer": _choice(Answer),
}


def field_label(name: str) -> str:
    label = FIELD_LABELS.get(name)
    return str(label) if label is not None else name


def value_label(action: str, name: str, value: Any) -> str | None:
    """The translated label of a coded detail value, or None when it is no code."""
    labeller = VALUE_LABELS.get(name)
    return labeller(action, value) if labeller is not None else None


def action_detail_label(action: str, name: str) -> LazyString | None:
    return ACTION_DETAIL_LABELS.get((action, name))
