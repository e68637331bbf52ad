"""The domain model: one module per aggregate."""

from visits.models.access import AccessKind, AccessRequest, RequestStatus
from visits.models.attachment import Attachment
from visits.models.audit import AuditEvent, AuditHead, AuditText
from visits.models.base import Base
from visits.models.checklist import (
    Answer,
    ChecklistAnswer,
    ChecklistItem,
    ChecklistKind,
    ThematicArea,
)
from visits.models.finding import (
    Confidentiality,
    Finding,
    FindingReview,
    ReviewState,
    Severity,
    SourceType,
)
from visits.models.interview import ConsentScope, Interview, InterviewKind
from visits.models.place import Place, PopulationCategory
from visits.models.plan import MonitoringPlan, PlannedVisit
from visits.models.recommendation import (
    AuthorityAnswer,
    Priority,
    QualityCriterion,
    Recommendation,
    RecommendationEvent,
    RecommendationLetter,
    RecommendationLevel,
    RecommendationResponse,
    RecommendationSource,
    RecommendationStatus,
    ResponseKind,
)
from visits.models.reference import Authority, PlaceType, Region
from visits.models.reprisal import (
    ReprisalCheck,
    ReprisalCheckOutcome,
    ReprisalOutcome,
    SetAsideBecause,
)
from visits.models.session import RecoveryCode, SignInFailure, UserSession
from visits.models.submission import FormSubmission
from visits.models.team import Team, TeamMember
from visits.models.user import Role, User
from visits.models.visit import (
    Expertise,
    Gender,
    Visit,
    VisitEvent,
    VisitMember,
    VisitStatus,
    VisitType,
)

__all__ = [
    "AccessKind",
    "AccessRequest",
    "Answer",
    "Attachment",
    "AuditEvent",
    "AuditHead",
    "AuditText",
    "Authority",
    "AuthorityAnswer",
    "Base",
    "ChecklistAnswer",
    "ChecklistItem",
    "ChecklistKind",
    "Confidentiality",
    "ConsentScope",
    "Expertise",
    "Finding",
    "FindingReview",
    "FormSubmission",
    "Gender",
    "Interview",
    "InterviewKind",
    "MonitoringPlan",
    "Place",
    "PlaceType",
    "PlannedVisit",
    "PopulationCategory",
    "Priority",
    "QualityCriterion",
    "Recommendation",
    "RecommendationEvent",
    "RecommendationLetter",
    "RecommendationLevel",
    "RecommendationResponse",
    "RecommendationSource",
    "RecommendationStatus",
    "RecoveryCode",
    "Region",
    "ReprisalCheck",
    "ReprisalCheckOutcome",
    "ReprisalOutcome",
    "RequestStatus",
    "ResponseKind",
    "ReviewState",
    "Role",
    "SetAsideBecause",
    "Severity",
    "SignInFailure",
    "SourceType",
    "Team",
    "TeamMember",
    "ThematicArea",
    "User",
    "UserSession",
    "Visit",
    "VisitEvent",
    "VisitMember",
    "VisitStatus",
    "VisitType",
]
