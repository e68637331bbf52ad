"""Recommendations to the authorities: the NPM's words, the authority's answer, the letter.

Four things are kept apart (DESIGN §4): the recommendation (its text, priority,
level and the findings it rests on), the authority's formal answer, the
authority's reported progress and the NPM's verified assessment. The text goes
to the authority and may be published, so it is a plain, searchable column;
the rationale and the internal note are visit content and encrypted.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Column,
    ColumnElement,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Select,
    String,
    Table,
    Text,
    and_,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship, selectinload

from visits.crypto.fields import Encrypted, RowKeyMixin
from visits.i18n import npm_today
from visits.models.base import Base, TimestampMixin, utcnow
from visits.models.checklist import ThematicArea
from visits.models.choices import Choice, enum_column, label_choices
from visits.models.finding import Finding
from visits.models.place import Place
from visits.models.reference import Authority, ReferenceMixin
from visits.models.user import User
from visits.models.visit import Visit


class RecommendationStatus(Choice):
    DRAFT = "draft"
    APPROVED = "approved"
    SENT = "sent"
    AWAITING_RESPONSE = "awaiting_response"
    RESPONSE_RECEIVED = "response_received"
    IMPLEMENTED = "implemented"
    PARTIALLY_IMPLEMENTED = "partially_implemented"
    IN_PROGRESS = "in_progress"
    NOT_IMPLEMENTED = "not_implemented"
    NO_LONGER_RELEVANT = "no_longer_relevant"


label_choices(
    RecommendationStatus,
    {
        RecommendationStatus.DRAFT: _l("Draft"),
        RecommendationStatus.APPROVED: _l("Approved"),
        RecommendationStatus.SENT: _l("Sent"),
        RecommendationStatus.AWAITING_RESPONSE: _l("Awaiting response"),
        RecommendationStatus.RESPONSE_RECEIVED: _l("Response received"),
        RecommendationStatus.IMPLEMENTED: _l("Implemented"),
        RecommendationStatus.PARTIALLY_IMPLEMENTED: _l("Partially implemented"),
        RecommendationStatus.IN_PROGRESS: _l("In progress"),
        RecommendationStatus.NOT_IMPLEMENTED: _l("Not implemented"),
        RecommendationStatus.NO_LONGER_RELEVANT: _l("No longer relevant"),
    },
)

RS = RecommendationStatus
# Sent, and no answer recorded yet: these can be overdue.
AWAITING_STATUSES = frozenset({RS.SENT, RS.AWAITING_RESPONSE})
# The NPM's assessment of what was done.
ASSESSED_STATUSES = frozenset(
    {
        RS.IMPLEMENTED,
        RS.PARTIALLY_IMPLEMENTED,
        RS.IN_PROGRESS,
        RS.NOT_IMPLEMENTED,
        RS.NO_LONGER_RELEVANT,
    }
)
# What a later recommendation on the same subject repeats: not done (yet).
NOT_IMPLEMENTED_STATUSES = frozenset(RS) - {RS.DRAFT, RS.IMPLEMENTED, RS.NO_LONGER_RELEVANT}


class AuthorityAnswer(Choice):
    NO_ANSWER = "no_answer"
    ACCEPTED = "accepted"
    PARTLY_ACCEPTED = "partly_accepted"
    REJECTED = "rejected"


label_choices(
    AuthorityAnswer,
    {
        AuthorityAnswer.NO_ANSWER: _l("No answer"),
        AuthorityAnswer.ACCEPTED: _l("Accepted"),
        AuthorityAnswer.PARTLY_ACCEPTED: _l("Partly accepted"),
        AuthorityAnswer.REJECTED: _l("Rejected"),
    },
)


class RecommendationLevel(Choice):
    FACILITY = "facility"
    MINISTRY = "ministry"
    LEGISLATION = "legislation"


label_choices(
    RecommendationLevel,
    {
        RecommendationLevel.FACILITY: _l("Facility"),
        RecommendationLevel.MINISTRY: _l("Ministry"),
        RecommendationLevel.LEGISLATION: _l("Legislation and policy"),
    },
)


class Priority(Choice):
    URGENT = "urgent"
    HIGH = "high"
    MEDIUM = "medium"


label_choices(
    Priority,
    {
        Priority.URGENT: _l("Urgent"),
        Priority.HIGH: _l("High"),
        Priority.MEDIUM: _l("Medium"),
    },
)


class RecommendationSource(Choice):
    VISIT_REPORT = "visit_report"
    THEMATIC_REPORT = "thematic_report"
    ANNUAL_REPORT = "annual_report"
    SPT_REPORT = "spt_report"
    OTHER = "other"


label_choices(
    RecommendationSource,
    {
        RecommendationSource.VISIT_REPORT: _l("Visit report"),
        RecommendationSource.THEMATIC_REPORT: _l("Thematic report"),
        RecommendationSource.ANNUAL_REPORT: _l("Annual report"),
        RecommendationSource.SPT_REPORT: _l("SPT report"),
        RecommendationSource.OTHER: _l("Other"),
    },
)


# The APT's "Double-SMART" criteria, as migration 0014 seeds them:
# (code, English, Russian, Kyrgyz).
DOUBLE_SMART = (
    ("specific", "Specific", "Конкретная", "Конкреттүү"),
    ("measurable", "Measurable", "Измеримая", "Өлчөнүүчү"),
    ("achievable", "Achievable", "Достижимая", "Аткарылуучу"),
    (
        "results_oriented",
        "Results-oriented",
        "Ориентированная на результат",
        "Натыйжага багытталган",
    ),
    ("time_bound", "Time-bound", "Ограниченная по срокам", "Мөөнөтү белгиленген"),
    ("solution_suggestive", "Solution-suggestive", "Предлагающая решение", "Чечим сунуштаган"),
    (
        "mindful_of_priorities",
        "Mindful of priorities",
        "Учитывающая приоритеты",
        "Артыкчылыктарды эске алган",
    ),
    ("argued", "Argued", "Обоснованная", "Негизделген"),
    (
        "root_cause_responsive",
        "Root-cause responsive",
        "Устраняющая коренные причины",
        "Негизги себептерге жооп берген",
    ),
    ("targeted", "Targeted", "Адресная", "Даректүү"),
)


class QualityCriterion(ReferenceMixin, Base):
    """One of the APT's "Double-SMART" criteria, kept as data (seeded by the migration)."""

    __tablename__ = "recommendation_criteria"


recommendation_findings = Table(
    "recommendation_findings",
    Base.metadata,
    Column("recommendation_id", ForeignKey("recommendations.id"), primary_key=True),
    Column("finding_id", ForeignKey("findings.id"), primary_key=True),
)

# The criteria the approving supervisor found met.
recommendation_criteria_met = Table(
    "recommendation_criteria_met",
    Base.metadata,
    Column("recommendation_id", ForeignKey("recommendations.id"), primary_key=True),
    Column("criterion_id", ForeignKey("recommendation_criteria.id"), primary_key=True),
)

SYMBOL_MAX_LENGTH = 100
PARAGRAPH_MAX_LENGTH = 40
LETTER_REFERENCE_MAX_LENGTH = 100


class RecommendationLetter(TimestampMixin, Base):
    """A letter that sent one or more recommendations to their authority."""

    __tablename__ = "recommendation_letters"

    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"), index=True)
    sent_on: Mapped[date] = mapped_column(Date)
    # The NPM's outgoing reference number: printed on the letter, not confidential.
    reference: Mapped[str] = mapped_column(String(LETTER_REFERENCE_MAX_LENGTH))
    sent_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    authority: Mapped[Authority] = relationship()
    sent_by: Mapped[User] = relationship()


class Recommendation(RowKeyMixin, TimestampMixin, Base):
    __tablename__ = "recommendations"
    # The text search's index, on PostgreSQL only (``text_matches``).
    __table_args__ = (
        Index(
            "ix_recommendations_text_search",
            func.to_tsvector(literal_column("'simple'"), literal_column("text")),
            postgresql_using="gin",
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The visit it comes from; none for one from a thematic, annual or SPT report.
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id"), index=True)
    # Addressed to the authority and may be published: plain and searchable.
    text: Mapped[str] = mapped_column(Text)
    rationale_encrypted: Mapped[str] = mapped_column("rationale", Text, default="")
    rationale = Encrypted("rationale_encrypted")
    internal_note_encrypted: Mapped[str] = mapped_column("internal_note", Text, default="")
    internal_note = Encrypted("internal_note_encrypted")
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"), index=True)
    # None: a systemic recommendation.
    place_id: Mapped[int | None] = mapped_column(ForeignKey("places.id"), index=True)
    area: Mapped[ThematicArea] = mapped_column(enum_column(ThematicArea, "area"))
    level: Mapped[RecommendationLevel] = mapped_column(enum_column(RecommendationLevel, "level"))
    priority: Mapped[Priority] = mapped_column(enum_column(Priority, "priority"))
    source: Mapped[RecommendationSource] = mapped_column(
        enum_column(RecommendationSource, "source")
    )
    source_symbol: Mapped[str] = mapped_column(String(SYMBOL_MAX_LENGTH), default="")
    source_paragraph: Mapped[str] = mapped_column(String(PARAGRAPH_MAX_LENGTH), default="")
    repeats_id: Mapped[int | None] = mapped_column(ForeignKey("recommendations.id"), index=True)
    status: Mapped[RecommendationStatus] = mapped_column(
        enum_column(RecommendationStatus, "status"), default=RS.DRAFT, index=True
    )
    authority_answer: Mapped[AuthorityAnswer] = mapped_column(
        enum_column(AuthorityAnswer, "authority_answer"), default=AuthorityAnswer.NO_ANSWER
    )
    due_date: Mapped[date | None] = mapped_column(Date, index=True)
    letter_id: Mapped[int | None] = mapped_column(
        ForeignKey("recommendation_letters.id"), index=True
    )
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    visit: Mapped[Visit | None] = relationship()
    authority: Mapped[Authority] = relationship()
    place: Mapped[Place | None] = relationship()
    repeats: Mapped[Recommendation | None] = relationship(remote_side="Recommendation.id")
    letter: Mapped[RecommendationLetter | None] = relationship()
    findings: Mapped[list[Finding]] = relationship(
        secondary=recommendation_findings,
        secondaryjoin=lambda: and_(
            Finding.id == recommendation_findings.c.finding_id, Finding.live()
        ),
        order_by=Finding.number,
    )
    criteria_met: Mapped[list[QualityCriterion]] = relationship(
        secondary=recommendation_criteria_met, order_by=QualityCriterion.position
    )
    events: Mapped[list[RecommendationEvent]] = relationship(
        back_populates="recommendation", order_by="RecommendationEvent.id"
    )
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])

    # Reads of the rationale and the internal note are audited (visits.audit.reads).
    audited_read_action = "recommendation.read"

    @property
    def reference(self) -> str:
        return f"R-{self.id}"

    @property
    def is_draft(self) -> bool:
        return self.status is RS.DRAFT

    @hybrid_property
    def is_overdue(self) -> bool:
        """Sent, unanswered and past its due date (in the NPM's time zone); never stored."""
        return (
            self.status in AWAITING_STATUSES
            and self.due_date is not None
            and self.due_date < npm_today()
        )

    @is_overdue.inplace.expression
    @classmethod
    def _is_overdue_expression(cls) -> ColumnElement[bool]:
        return and_(
            cls.status.in_(AWAITING_STATUSES),
            cls.due_date.is_not(None),
            cls.due_date < npm_today(),
        )


class RecommendationEvent(RowKeyMixin, Base):
    """One line of a recommendation's history: a status change, with its comment."""

    __tablename__ = "recommendation_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(ForeignKey("recommendations.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    from_status: Mapped[RecommendationStatus | None] = mapped_column(
        enum_column(RecommendationStatus, "from_status")
    )
    to_status: Mapped[RecommendationStatus] = mapped_column(
        enum_column(RecommendationStatus, "to_status")
    )
    comment_encrypted: Mapped[str] = mapped_column("comment", Text, default="")
    comment = Encrypted("comment_encrypted")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    recommendation: Mapped[Recommendation] = relationship(back_populates="events")
    user: Mapped[User] = relationship()


def text_matches(dialect: str, words: str) -> ColumnElement[bool]:
    """The text search: PostgreSQL full text (``simple``), else a LIKE on each word.

    PostgreSQL uses the GIN index of migration 0014 on
    ``to_tsvector('simple', text)``; SQLite scans (LIKE, case-insensitive for
    ASCII only), which is enough for the number of recommendations an NPM writes.
    """
    if dialect == "postgresql":
        return func.to_tsvector("simple", Recommendation.text).op("@@")(
            func.plainto_tsquery("simple", words)
        )
    conditions = []
    for word in words.split():
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conditions.append(Recommendation.text.ilike(f"%{escaped}%", escape="\\"))
    return and_(*conditions)


def visible_condition(
    *, everything_approved: bool, all_drafts: bool, team_visit_ids: Select[Any]
) -> ColumnElement[bool]:
    """The rows a reader may see, as SQL (the rule itself is ``visits.access.rules``)."""
    if not everything_approved:
        return Recommendation.id.is_(None)  # nobody's: never true
    if all_drafts:
        return Recommendation.id.is_not(None)
    return or_(
        Recommendation.status != RS.DRAFT,
        Recommendation.visit_id.in_(team_visit_ids),
    )


def recommendation_listing(
    visible: ColumnElement[bool],
    *,
    status: RecommendationStatus | None = None,
    authority_id: int | None = None,
    search: ColumnElement[bool] | None = None,
    overdue: bool = False,
) -> Select[Recommendation]:
    """Recommendations a reader may see, newest first, with what the list shows."""
    query = (
        select(Recommendation)
        .where(visible)
        # A deleted visit takes its recommendations out of the list (their page is a 404).
        .where(
            or_(
                Recommendation.visit_id.is_(None),
                Recommendation.visit_id.in_(select(Visit.id).where(Visit.live())),
            )
        )
        .options(
            selectinload(Recommendation.authority),
            selectinload(Recommendation.place),
        )
        .order_by(Recommendation.id.desc())
    )
    if status is not None:
        query = query.where(Recommendation.status == status)
    if authority_id is not None:
        query = query.where(Recommendation.authority_id == authority_id)
    if search is not None:
        query = query.where(search)
    if overdue:
        query = query.where(Recommendation.is_overdue)
    return query


def recommendations_of(visit_id: int) -> Select[Recommendation]:
    """A visit's recommendations, in the order they were drafted, with their authority."""
    return (
        select(Recommendation)
        .where(Recommendation.visit_id == visit_id)
        .options(joinedload(Recommendation.authority))
        .order_by(Recommendation.id)
    )


class ResponseKind(Choice):
    """What a recorded response is: the authority's formal answer, its later
    progress report, or the NPM's own assessment of what was done."""

    RESPONSE = "response"
    PROGRESS = "progress"
    ASSESSMENT = "assessment"


label_choices(
    ResponseKind,
    {
        ResponseKind.RESPONSE: _l("The authority's response"),
        ResponseKind.PROGRESS: _l("Progress report from the authority"),
        ResponseKind.ASSESSMENT: _l("The NPM's assessment"),
    },
)

RESPONSE_REFERENCE_MAX_LENGTH = 100

# The recommendations one response answers (all of the same letter).
response_recommendations = Table(
    "recommendation_response_items",
    Base.metadata,
    Column("response_id", ForeignKey("recommendation_responses.id"), primary_key=True),
    Column("recommendation_id", ForeignKey("recommendations.id"), primary_key=True, index=True),
)


class RecommendationResponse(RowKeyMixin, Base):
    """What came back (or what the NPM found): one record, for one or more
    recommendations of the same letter. The authority's answer and the NPM's
    implementation status are each kept in their own column, never one for the other."""

    __tablename__ = "recommendation_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ResponseKind] = mapped_column(enum_column(ResponseKind, "kind"))
    letter_id: Mapped[int] = mapped_column(ForeignKey("recommendation_letters.id"), index=True)
    # The day the authority's letter arrived (or the NPM assessed).
    received_on: Mapped[date] = mapped_column(Date)
    # The authority's own reference number of its letter.
    reference: Mapped[str] = mapped_column(String(RESPONSE_REFERENCE_MAX_LENGTH), default="")
    text_encrypted: Mapped[str] = mapped_column("text", Text, default="")
    text = Encrypted("text_encrypted")
    # A formal response's answer; None for progress reports and assessments.
    answer: Mapped[AuthorityAnswer | None] = mapped_column(enum_column(AuthorityAnswer, "answer"))
    # An assessment's implementation status; None otherwise.
    assessed_status: Mapped[RecommendationStatus | None] = mapped_column(
        enum_column(RecommendationStatus, "assessed_status")
    )
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    letter: Mapped[RecommendationLetter] = relationship()
    recorded_by: Mapped[User] = relationship()
    recommendations: Mapped[list[Recommendation]] = relationship(
        secondary=response_recommendations, order_by=Recommendation.id
    )

    # Reads of the text are audited (visits.audit.reads), like the rationale.
    audited_read_action = "recommendation_response.read"


def responses_to(recommendation_id: int) -> Select[RecommendationResponse]:
    """A recommendation's responses in the order received, with who recorded them and
    the other recommendations each answers: a fixed number of statements."""
    return (
        select(RecommendationResponse)
        .join(
            response_recommendations,
            response_recommendations.c.response_id == RecommendationResponse.id,
        )
        .where(response_recommendations.c.recommendation_id == recommendation_id)
        .options(
            selectinload(RecommendationResponse.recorded_by),
            selectinload(RecommendationResponse.recommendations),
        )
        .order_by(RecommendationResponse.received_on, RecommendationResponse.id)
    )
