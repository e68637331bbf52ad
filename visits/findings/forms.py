"""Forms of the findings area."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from visits.findings.services import FindingInput, ReviewDecision
from visits.forms import CreateForm, Form, VersionedForm, enum_choices
from visits.models import (
    Confidentiality,
    Interview,
    ReviewState,
    Severity,
    SourceType,
    ThematicArea,
)
from visits.models.finding import TITLE_MAX_LENGTH

# Encrypted texts have no column limit: these keep a pasted document out.
TEXT_MAX_LENGTH = 100_000
ALLEGATION_MAX_LENGTH = 10_000

BLANK = _l("Choose…")


class FindingForm(CreateForm, VersionedForm):
    """A new finding or a change to one (the version is ignored on creation)."""

    area = SelectField(
        _l("Thematic area"),
        choices=lambda: enum_choices(ThematicArea, blank=BLANK),
        validators=[DataRequired()],
    )
    source_type = SelectField(
        _l("Source"),
        choices=lambda: enum_choices(SourceType, blank=BLANK),
        validators=[DataRequired()],
    )
    interview_ids = SelectMultipleField(
        _l("Interviews it rests on"), coerce=int, choices=[], validators=[Optional()]
    )
    severity = SelectField(
        _l("Severity"),
        choices=lambda: enum_choices(Severity, blank=BLANK),
        validators=[DataRequired()],
    )
    confidentiality = SelectField(
        _l("Confidentiality"),
        choices=lambda: enum_choices(Confidentiality, blank=BLANK),
        validators=[DataRequired()],
    )
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=TITLE_MAX_LENGTH)])
    text = TextAreaField(
        _l("What the team found"),
        validators=[DataRequired(), Length(max=TEXT_MAX_LENGTH)],
        render_kw={"rows": 10},
    )
    alleges_ill_treatment = BooleanField(_l("This finding alleges torture or ill-treatment"))
    # No Optional(): it would stop the check that an allegation says what it was.
    allegation_what = TextAreaField(
        _l("What was alleged"), validators=[Length(max=ALLEGATION_MAX_LENGTH)]
    )
    allegation_when = StringField(_l("When"), validators=[Optional(), Length(max=200)])
    allegation_by_whom = TextAreaField(
        _l("By whom"), validators=[Optional(), Length(max=ALLEGATION_MAX_LENGTH)]
    )
    allegation_medical_evidence = TextAreaField(
        _l("Medical evidence"), validators=[Optional(), Length(max=ALLEGATION_MAX_LENGTH)]
    )
    allegation_consent_to_transmit = BooleanField(
        _l("The person consents to the allegation being transmitted to the authorities")
    )
    submit = SubmitField(_l("Save the finding"))

    def offer_interviews(self, interviews: Sequence[Interview]) -> None:
        """The visit's own interviews are the only ones a finding may cite."""
        self.interview_ids.choices = [
            SelectChoice(interview.id, f"{interview.pseudonym} · {interview.kind.label}")
            for interview in interviews
        ]

    def validate_allegation_what(self, field: TextAreaField) -> None:
        if self.alleges_ill_treatment.data and not (field.data or "").strip():
            raise ValidationError(_l("Describe what was alleged."))

    def to_input(self) -> FindingInput:
        """What the user typed, as the services take it (call after validation)."""
        return FindingInput(
            area=ThematicArea(self.area.data),
            source_type=SourceType(self.source_type.data),
            interview_ids=tuple(self.interview_ids.data or ()),
            severity=Severity(self.severity.data),
            confidentiality=Confidentiality(self.confidentiality.data),
            title=(self.title.data or "").strip(),
            text=self.text.data or "",
            alleges_ill_treatment=bool(self.alleges_ill_treatment.data),
            allegation_what=self.allegation_what.data or "",
            allegation_when=(self.allegation_when.data or "").strip(),
            allegation_by_whom=self.allegation_by_whom.data or "",
            allegation_medical_evidence=self.allegation_medical_evidence.data or "",
            allegation_consent_to_transmit=bool(self.allegation_consent_to_transmit.data),
        )


class ReviewForm(Form):
    """A supervisor accepts a submitted finding or returns it with a comment."""

    decision = RadioField(
        _l("Decision"),
        choices=[
            SelectChoice(ReviewDecision.ACCEPT.value, _l("Accept")),
            SelectChoice(ReviewDecision.RETURN.value, _l("Return to the team")),
        ],
        validators=[DataRequired()],
    )
    comment = TextAreaField(_l("Comment"), validators=[Length(max=10_000)])
    submit = SubmitField(_l("Record the review"))

    def validate_comment(self, field: TextAreaField) -> None:
        if self.decision.data == ReviewDecision.RETURN.value and not (field.data or "").strip():
            raise ValidationError(_l("Say what the team should change."))


class FindingFilterForm(Form):
    """The filter above the list of findings (a GET form: no CSRF token needed)."""

    class Meta:
        csrf = False

    review = SelectField(
        _l("Review"),
        choices=lambda: enum_choices(ReviewState, blank=_l("Any review state")),
        validators=[Optional()],
    )
