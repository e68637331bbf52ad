"""Forms of the recommendations area."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import cast

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    widgets,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from visits.extensions import db
from visits.forms import (
    CreateForm,
    DayField,
    Form,
    IdField,
    VersionedForm,
    enum_choices,
    strip_text,
)
from visits.models import (
    Authority,
    AuthorityAnswer,
    Finding,
    Priority,
    QualityCriterion,
    Recommendation,
    RecommendationLevel,
    RecommendationSource,
    RecommendationStatus,
    ResponseKind,
    ThematicArea,
)
from visits.models.recommendation import (
    ASSESSED_STATUSES,
    LETTER_REFERENCE_MAX_LENGTH,
    PARAGRAPH_MAX_LENGTH,
    RESPONSE_REFERENCE_MAX_LENGTH,
    SYMBOL_MAX_LENGTH,
)
from visits.recommendations.responses import ResponseInput
from visits.recommendations.services import LetterInput, RecommendationInput
from visits.visits.forms import place_choices

BLANK = _l("Choose…")
TEXT_MAX_LENGTH = 10_000


def authority_choices(blank: object) -> list[SelectChoice]:
    return [
        SelectChoice("", blank),
        *(
            SelectChoice(str(authority.id), authority.name)
            for authority in db.session.scalars(Authority.ordered())
        ),
    ]


class CheckboxesField(SelectMultipleField):
    """Several choices as check boxes."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class RecommendationForm(VersionedForm):
    """A new recommendation or a change to a draft (the version is ignored on creation)."""

    text = TextAreaField(
        _l("Recommendation"),
        validators=[DataRequired(), Length(max=TEXT_MAX_LENGTH)],
        render_kw={"rows": 5},
    )
    authority_id = SelectField(
        _l("Addressed to"),
        choices=lambda: authority_choices(BLANK),
        validators=[DataRequired(_l("Choose the authority it is addressed to."))],
    )
    place_id = SelectField(_l("Place"), choices=[], validators=[Optional()])
    area = SelectField(
        _l("Thematic area"),
        choices=lambda: enum_choices(ThematicArea, blank=BLANK),
        validators=[DataRequired()],
    )
    level = SelectField(
        _l("Level"),
        choices=lambda: enum_choices(RecommendationLevel, blank=BLANK),
        validators=[DataRequired()],
    )
    priority = SelectField(
        _l("Priority"),
        choices=lambda: enum_choices(Priority, blank=BLANK),
        validators=[DataRequired()],
    )
    source = SelectField(
        _l("Source"),
        choices=lambda: enum_choices(RecommendationSource, blank=BLANK),
        validators=[DataRequired()],
    )
    source_symbol = StringField(
        _l("Document symbol"),
        filters=[strip_text],
        validators=[Optional(), Length(max=SYMBOL_MAX_LENGTH)],
    )
    source_paragraph = StringField(
        _l("Paragraph"),
        filters=[strip_text],
        validators=[Optional(), Length(max=PARAGRAPH_MAX_LENGTH)],
    )
    finding_ids = SelectMultipleField(
        _l("Findings it rests on"), coerce=int, choices=[], validators=[Optional()]
    )
    rationale = TextAreaField(
        _l("Rationale"), validators=[Length(max=TEXT_MAX_LENGTH)], render_kw={"rows": 4}
    )
    internal_note = TextAreaField(
        _l("Internal note"), validators=[Length(max=TEXT_MAX_LENGTH)], render_kw={"rows": 3}
    )
    repeats_id = IdField(
        _l("Repeats recommendation no."),
        validators=[Optional()],
        refusal=_l("Give the number of an earlier recommendation."),
    )
    submit = SubmitField(_l("Save the recommendation"))

    def offer(self, findings: Sequence[Finding]) -> None:
        """The places, and the findings of the source visit."""
        self.place_id.choices = [
            SelectChoice("", _l("None: a systemic recommendation")),
            *place_choices(active_only=False),
        ]
        self.finding_ids.choices = [
            SelectChoice(finding.id, f"{finding.reference} · {finding.title}")
            for finding in findings
        ]

    def to_input(self) -> RecommendationInput:
        """What the user typed, as the services take it (call after validation)."""
        return RecommendationInput(
            text=(self.text.data or "").strip(),
            rationale=self.rationale.data or "",
            internal_note=self.internal_note.data or "",
            finding_ids=tuple(self.finding_ids.data or ()),
            authority_id=int(self.authority_id.data),
            place_id=int(self.place_id.data) if self.place_id.data else None,
            area=ThematicArea(self.area.data),
            level=RecommendationLevel(self.level.data),
            priority=Priority(self.priority.data),
            source=RecommendationSource(self.source.data),
            source_symbol=self.source_symbol.data or "",
            source_paragraph=self.source_paragraph.data or "",
            repeats_id=self.repeats_id.data,
        )


class NewRecommendationForm(RecommendationForm, CreateForm):
    """A new draft: saved once per form shown (``commit_once``)."""


class MoveForm(Form):
    """One step of the life cycle, with its comment, criteria or answer."""

    target = SelectField(
        _l("New status"),
        choices=lambda: enum_choices(RecommendationStatus),
        validators=[DataRequired()],
    )
    comment = TextAreaField(_l("Comment"), validators=[Length(max=TEXT_MAX_LENGTH)])
    criteria = CheckboxesField(
        _l("Quality check (Double-SMART): the criteria it meets"),
        coerce=int,
        choices=[],
        validators=[Optional()],
    )
    answer = SelectField(
        _l("The authority's answer"),
        choices=lambda: enum_choices(AuthorityAnswer),
        validators=[Optional()],
    )

    def offer_criteria(self, criteria: Sequence[QualityCriterion]) -> None:
        self.criteria.choices = [SelectChoice(c.id, c.name) for c in criteria]


class ListFilterForm(Form):
    """The filters above the list (a GET form: no CSRF token needed)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search the text"), filters=[strip_text], validators=[Length(max=200)])
    status = SelectField(
        _l("Status"),
        choices=lambda: enum_choices(RecommendationStatus, blank=_l("All statuses")),
        validators=[Optional()],
    )
    authority = SelectField(
        _l("Authority"),
        choices=lambda: authority_choices(_l("All authorities")),
        validators=[Optional()],
    )
    overdue = BooleanField(_l("Overdue only"))


class SendForm(CreateForm):
    """One letter that sends approved recommendations to their authority."""

    recommendation_ids = CheckboxesField(
        # The service refuses what is not (or no longer) sendable, with the reason.
        _l("Recommendations this letter sends"),
        coerce=int,
        choices=[],
        validate_choice=False,
    )
    sent_on = DayField(_l("Date of the letter"), required=True)
    reference = StringField(
        _l("Outgoing reference number"),
        filters=[strip_text],
        validators=[DataRequired(), Length(max=LETTER_REFERENCE_MAX_LENGTH)],
    )
    submit = SubmitField(_l("Record the letter and send"))

    def offer(self, recommendations: Sequence[Recommendation]) -> None:
        self.recommendation_ids.choices = [
            SelectChoice(r.id, f"{r.reference} · {r.priority.label} · {r.text[:120]}")
            for r in recommendations
        ]

    def to_input(self) -> LetterInput:
        # Required (validated before): a date, never None here.
        sent_on = cast(date, self.sent_on.data)
        return LetterInput(
            recommendation_ids=tuple(self.recommendation_ids.data or ()),
            sent_on=sent_on,
            reference=self.reference.data or "",
        )


def _answer_choices() -> list[SelectChoice]:
    return [
        SelectChoice("", BLANK),
        *(
            SelectChoice(answer.value, answer.label)
            for answer in AuthorityAnswer
            if answer is not AuthorityAnswer.NO_ANSWER
        ),
    ]


def _assessed_choices() -> list[SelectChoice]:
    return [
        SelectChoice("", BLANK),
        *(
            SelectChoice(status.value, status.label)
            for status in RecommendationStatus
            if status in ASSESSED_STATUSES
        ),
    ]


class ResponseForm(CreateForm):
    """The authority's response, a progress report, or the NPM's assessment."""

    kind = SelectField(
        _l("What it is"),
        choices=lambda: enum_choices(ResponseKind),
        validators=[DataRequired()],
    )
    received_on = DayField(_l("Date received"), required=True)
    reference = StringField(
        _l("The authority's reference number"),
        filters=[strip_text],
        validators=[Optional(), Length(max=RESPONSE_REFERENCE_MAX_LENGTH)],
    )
    text = TextAreaField(
        _l("What it says"), validators=[Length(max=TEXT_MAX_LENGTH)], render_kw={"rows": 5}
    )
    answer = SelectField(
        _l("The authority's answer"), choices=_answer_choices, validators=[Optional()]
    )
    assessed_status = SelectField(
        _l("Implementation status (the NPM's assessment)"),
        choices=_assessed_choices,
        validators=[Optional()],
    )
    also_ids = CheckboxesField(
        # The service refuses what is not of the same letter, with the reason.
        _l("It also answers these recommendations of the same letter"),
        coerce=int,
        choices=[],
        validate_choice=False,
    )
    submit = SubmitField(_l("Record"))

    def offer(self, companions: Sequence[Recommendation]) -> None:
        self.also_ids.choices = [
            SelectChoice(r.id, f"{r.reference} · {r.status.label} · {r.text[:120]}")
            for r in companions
        ]

    def to_input(self) -> ResponseInput:
        return ResponseInput(
            kind=ResponseKind(self.kind.data),
            # Required (validated before): a date, never None here.
            received_on=cast(date, self.received_on.data),
            reference=self.reference.data or "",
            text=self.text.data or "",
            answer=AuthorityAnswer(self.answer.data) if self.answer.data else None,
            assessed_status=(
                RecommendationStatus(self.assessed_status.data)
                if self.assessed_status.data
                else None
            ),
            also_ids=tuple(self.also_ids.data or ()),
        )
