"""Forms of the interviews area."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
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

from visits.forms import CreateForm, DayField, Form, VersionedForm, enum_choices
from visits.i18n import npm_today, show_day
from visits.interviews.services import InterviewInput
from visits.models import ConsentScope, InterviewKind
from visits.visits.rules import founding_year


def check_day_past(day: date | None) -> None:
    """An interview's day: not in the future, not before the NPM began (a mistyped year)."""
    if day is None:
        return
    if day > npm_today():
        raise ValidationError(_l("This date is in the future."))
    if day.year < founding_year():
        raise ValidationError(
            _(
                "%(day)s is before %(year)d, when the NPM began its visits: check the year.",
                day=show_day(day),
                year=founding_year(),
            )
        )


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
    conducted_on = DayField(_l("Date of the interview"))
    consent_scope = SelectField(
        _l("Consent"),
        choices=lambda: enum_choices(ConsentScope, blank=_l("Choose…")),
        validators=[DataRequired()],
    )
    consent_date = DayField(_l("Date consent was given"))
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

    def validate_conducted_on(self, field: DayField) -> None:
        check_day_past(field.data)

    def validate_consent_date(self, field: DayField) -> None:
        check_day_past(field.data)

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
