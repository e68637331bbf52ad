"""Forms of the interviews area."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from visits.forms import CreateForm, Form, VersionedForm, enum_choices
from visits.i18n import npm_today
from visits.interviews.services import InterviewInput
from visits.models import ConsentScope, InterviewKind


class InterviewForm(CreateForm, VersionedForm):
    """A new interview or a change to one (the version is ignored on creation)."""

    kind = SelectField(
        _l("Kind of interview"),
        choices=lambda: enum_choices(InterviewKind, blank=_l("Choose…")),
        validators=[DataRequired()],
    )
    people_count = IntegerField(
        _l("Number of people interviewed"),
        default=1,
        validators=[InputRequired(), NumberRange(min=1, max=10_000)],
    )
    conducted_on = DateField(_l("Date of the interview"), validators=[Optional()])
    consent_scope = SelectField(
        _l("Consent"),
        choices=lambda: enum_choices(ConsentScope, blank=_l("Choose…")),
        validators=[DataRequired()],
    )
    consent_date = DateField(_l("Date consent was given"), validators=[Optional()])
    real_name = StringField(_l("Real name"), validators=[Optional(), Length(max=200)])
    identifying_details = TextAreaField(
        _l("Identifying details"), validators=[Optional(), Length(max=5_000)]
    )
    reprisal_risk = BooleanField(_l("Risk of reprisals: check on the next visit to this place"))
    notes = TextAreaField(
        _l("Notes"), validators=[Optional(), Length(max=100_000)], render_kw={"rows": 10}
    )
    submit = SubmitField(_l("Save the interview"))

    def validate_people_count(self, field: IntegerField) -> None:
        if field.data and field.data > 1 and self.kind.data != InterviewKind.GROUP.value:
            raise ValidationError(_l("Only a group interview can have more than one person."))

    def validate_conducted_on(self, field: DateField) -> None:
        if field.data and field.data > npm_today():
            raise ValidationError(_l("This date is in the future."))

    def validate_consent_date(self, field: DateField) -> None:
        if field.data and field.data > npm_today():
            raise ValidationError(_l("This date is in the future."))

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        # Checked here: the Optional() of an empty date stops its own validators.
        scope = ConsentScope.parse(self.consent_scope.data)
        needs_date = scope is not None and scope is not ConsentScope.NONE
        if needs_date and self.consent_date.data is None and not self.consent_date.errors:
            self.consent_date.errors = [_l("Give the date the person consented.")]
            valid = False
        return valid

    def without_identity(self) -> InterviewForm:
        """For someone outside the visit's team: no identity to show or to change."""
        del self.real_name
        del self.identifying_details
        return self

    def _identity(self, name: str) -> str | None:
        field = self._fields.get(name)
        return None if field is None else (field.data or "").strip()

    def to_input(self) -> InterviewInput:
        """What the user typed, as the services take it (call after validation).

        Without the identity fields (``without_identity``) the identity is None:
        kept as it is.
        """
        return InterviewInput(
            kind=InterviewKind(self.kind.data),
            people_count=int(self.people_count.data or 1),
            conducted_on=self.conducted_on.data,
            consent_scope=ConsentScope(self.consent_scope.data),
            consent_date=self.consent_date.data,
            real_name=self._identity("real_name"),
            identifying_details=self._identity("identifying_details"),
            reprisal_risk=bool(self.reprisal_risk.data),
            notes=self.notes.data or "",
        )


class WithdrawConsentForm(Form):
    """Recording that the person withdrew consent: deliberate, so it is confirmed."""

    confirm = BooleanField(
        _l("The person withdrew their consent"),
        validators=[DataRequired(_l("Tick the box to confirm the withdrawal."))],
    )
    submit = SubmitField(_l("Record the withdrawal"))
