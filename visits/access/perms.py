"""One permissions object per page: what its buttons and sections may offer.

A view builds it once (``VisitPerms.of(user, visit)``) and the template
reads ``perms.can_edit``, ``perms.can_see_identity``, ...; every answer comes
from ``visits.access.rules``, so a template never spells a rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from visits.access import rules
from visits.models import Finding, Interview, Recommendation, Visit


@dataclass(frozen=True)
class VisitPerms:
    can_see_content: bool
    can_edit: bool
    # Interviews and findings: once the team is on site (``check_fieldwork_started``).
    can_record: bool
    can_delete: bool
    can_delete_files: bool
    can_record_shortfall: bool

    @classmethod
    def of(cls, user: Any, visit: Visit) -> VisitPerms:
        return cls(
            can_see_content=rules.can_see_content(user, visit),
            can_edit=rules.can_edit_content(user, visit),
            can_record=rules.can_record_fieldwork(user, visit),
            can_delete=rules.can_delete_visit(user, visit),
            # Files of the visit itself (a finding's files are on the finding's page).
            can_delete_files=rules.can_see_content(user, visit)
            and (rules.is_supervisor(user) or not visit.is_locked),
            can_record_shortfall=rules.can_record_shortfall(user, visit),
        )


@dataclass(frozen=True)
class InterviewPerms:
    can_edit: bool
    can_delete: bool
    can_withdraw_consent: bool
    can_see_identity: bool

    @classmethod
    def of(cls, user: Any, interview: Interview) -> InterviewPerms:
        return cls(
            can_edit=rules.can_edit_interview(user, interview),
            can_delete=rules.can_delete_content(user, interview),
            can_withdraw_consent=rules.can_withdraw_consent(user, interview),
            can_see_identity=rules.can_see_identity(user, interview.visit),
        )


@dataclass(frozen=True)
class FindingPerms:
    can_edit: bool
    can_delete: bool
    can_submit: bool
    can_review: bool
    can_add_files: bool
    can_delete_files: bool

    @classmethod
    def of(cls, user: Any, finding: Finding) -> FindingPerms:
        may_delete = rules.can_delete_content(user, finding)
        return cls(
            can_edit=rules.can_edit_finding(user, finding),
            can_delete=may_delete,
            can_submit=rules.can_submit_finding(user, finding),
            can_review=rules.can_review_finding(user, finding),
            can_add_files=rules.can_edit_content(user, finding.visit),
            can_delete_files=may_delete,
        )


@dataclass(frozen=True)
class RecommendationPerms:
    can_see_rationale: bool
    can_edit: bool
    can_move: bool

    @classmethod
    def of(cls, user: Any, recommendation: Recommendation) -> RecommendationPerms:
        return cls(
            can_see_rationale=rules.can_see_recommendation_rationale(user, recommendation),
            can_edit=rules.can_edit_recommendation(user, recommendation),
            can_move=rules.can_move_recommendation(user, recommendation),
        )
