"""Forms of the visit pages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from visits.extensions import db
from visits.forms import CreateForm, DayField, Form, VersionedForm, enum_choices
from visits.models import (
    Answer,
    ChecklistAnswer,
    Expertise,
    Gender,
    Place,
    PopulationCategory,
    Region,
    ReprisalOutcome,
    Role,
    User,
    VisitStatus,
    VisitType,
)
from visits.models.visit import JOINT_WITH_MAX_LENGTH, LETTER_REFERENCE_MAX_LENGTH

TEXT_LIMIT = 10_000


def place_choices(active_only: bool) -> list[SelectChoice]:
    query = select(Place.id, Place.name).order_by(func.lower(Place.name), Place.id)
    if active_only:
        query = query.where(Place.active.is_(True))
    return [SelectChoice(str(place_id), name) for place_id, name in db.session.execute(query)]


def region_choices() -> list[SelectChoice]:
    return [
        SelectChoice(str(region.id), region.name)
        for region in db.session.scalars(Region.ordered(include_inactive=True))
    ]


def people_choices() -> list[SelectChoice]:
    """Everyone who can be on a team, former members included."""
    query = (
        select(User.id, User.display_name)
        .where(User.role.in_([Role.MONITOR, Role.SUPERVISOR]))
        .order_by(func.lower(User.display_name), User.id)
    )
    return [SelectChoice(str(user_id), name) for user_id, name in db.session.execute(query)]


class VisitFilterForm(Form):
    """The filters above the visit list (a GET form: no CSRF token needed)."""

    class Meta:
        csrf = False

    status = SelectField(
        _l("Status"),
        choices=lambda: enum_choices(VisitStatus, blank=_l("All statuses")),
        validators=[Optional()],
    )
    visit_type = SelectField(
        _l("Type of visit"),
        choices=lambda: enum_choices(VisitType, blank=_l("All types")),
        validators=[Optional()],
    )
    place = SelectField(
        _l("Place"),
        choices=lambda: [SelectChoice("", _l("All places")), *place_choices(active_only=False)],
        validators=[Optional()],
    )
    region = SelectField(
        _l("Region"),
        choices=lambda: [SelectChoice("", _l("All regions")), *region_choices()],
        validators=[Optional()],
    )
    member = SelectField(
        _l("Team member"),
        choices=lambda: [SelectChoice("", _l("Anyone")), *people_choices()],
        validators=[Optional()],
    )
    date_from = DayField(_l("From"))
    date_to = DayField(_l("To"))

    def validate_date_to(self, field: DayField) -> None:
        if self.date_from.data and field.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end of the period is before its start."))


def visit_details(form: Any) -> dict[str, Any]:
    """The fields a new visit and a visit's details form share, as the services take them."""
    return {
        "visit_type": VisitType(form.visit_type.data),
        "announced": bool(form.announced.data),
        "joint_with": form.joint_with.data or "",
        "start_date": form.start_date.data,
        "end_date": form.end_date.data,
        "purpose": form.purpose.data or "",
    }


class NewVisitForm(CreateForm):
    place_id = SelectField(
        _l("Place"),
        choices=lambda: [SelectChoice("", _l("Choose a place")), *place_choices(active_only=True)],
        validators=[DataRequired()],
    )
    visit_type = SelectField(
        _l("Type of visit"), choices=lambda: enum_choices(VisitType), validators=[DataRequired()]
    )
    announced = BooleanField(_l("Announced to the authorities in advance"))
    joint_with = StringField(
        _l("Joint visit with"), validators=[Optional(), Length(max=JOINT_WITH_MAX_LENGTH)]
    )
    start_date = DayField(_l("First day"), required=True)
    end_date = DayField(_l("Last day"), required=True)
    purpose = TextAreaField(_l("Purpose"), validators=[Optional(), Length(max=TEXT_LIMIT)])
    submit = SubmitField(_l("Create the visit"))

    def details(self) -> dict[str, Any]:
        """What ``create_visit`` takes from the form besides the place (after validation)."""
        return visit_details(self)


# No place holds more people (a place's capacity stops there too); a larger
# number is a typing mistake, or one no integer column holds.
POPULATION_MAX = 100_000


class VisitForm(VersionedForm):
    """A visit's details and the population on the day."""

    visit_type = SelectField(
        _l("Type of visit"), choices=lambda: enum_choices(VisitType), validators=[DataRequired()]
    )
    announced = BooleanField(_l("Announced to the authorities in advance"))
    joint_with = StringField(
        _l("Joint visit with"), validators=[Optional(), Length(max=JOINT_WITH_MAX_LENGTH)]
    )
    start_date = DayField(_l("First day"), required=True)
    end_date = DayField(_l("Last day"), required=True)
    purpose = TextAreaField(_l("Purpose"), validators=[Optional(), Length(max=TEXT_LIMIT)])
    population_total = IntegerField(
        _l("People held on the day"),
        validators=[Optional(), NumberRange(min=0, max=POPULATION_MAX)],
    )
    interview_shortfall_reason = TextAreaField(
        _l("Why fewer than a third of the people held were interviewed"),
        validators=[Optional(), Length(max=TEXT_LIMIT)],
    )
    submit = SubmitField(_l("Save"))

    @property
    def population_fields(self) -> list[IntegerField]:
        return [self[population_field(category)] for category in PopulationCategory]

    def population_by_category(self) -> dict[str, int | None]:
        return {
            category.value: self[population_field(category)].data for category in PopulationCategory
        }

    def details(self) -> dict[str, Any]:
        """What ``update_visit`` takes from the form (call after validation)."""
        return {
            **visit_details(self),
            "population_total": self.population_total.data,
            "population_by_category": self.population_by_category(),
        }


def population_field(category: PopulationCategory) -> str:
    return f"population_{category.value}"


for _category in PopulationCategory:
    setattr(
        VisitForm,
        population_field(_category),
        IntegerField(
            _category.label, validators=[Optional(), NumberRange(min=0, max=POPULATION_MAX)]
        ),
    )


class MemberForm(CreateForm):
    """Add someone to a visit's team (``user_id`` choices set by the view)."""

    user_id = SelectField(_l("Person"), choices=[], validators=[DataRequired()])
    expertise = SelectField(
        _l("Expertise"), choices=lambda: enum_choices(Expertise), default=Expertise.GENERAL.value
    )
    gender = SelectField(
        _l("Gender"), choices=lambda: enum_choices(Gender), default=Gender.UNSTATED.value
    )
    is_lead = BooleanField(_l("Leads the visit (replaces the current lead)"))
    submit = SubmitField(_l("Add to the team"))

    def set_people(self, people: Sequence[User]) -> None:
        self.user_id.choices = [
            SelectChoice("", _l("Choose a person")),
            *(SelectChoice(str(person.id), person.display_name) for person in people),
        ]


class TransitionForm(Form):
    """One form, one button per allowed move (the button's value is the target)."""

    target = StringField(_l("Next step"), validators=[Optional(), Length(max=40)])
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=TEXT_LIMIT)])
    # Only the step that sends the report asks for these (``Rule.letter_required``).
    sent_on = DayField(_l("Day the report was sent"), validators=[Optional()])
    letter_reference = StringField(
        _l("Outgoing reference of the letter"),
        validators=[Optional(), Length(max=LETTER_REFERENCE_MAX_LENGTH)],
    )


class ReprisalCheckForm(CreateForm):
    """The outcome of one reprisal check (prefixed with the check's id)."""

    status = RadioField(
        _l("Outcome"),
        choices=enum_choices(ReprisalOutcome),
        validators=[DataRequired()],
    )
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=TEXT_LIMIT)])
    submit = SubmitField(_l("Record the check"))


def answer_field(answer: ChecklistAnswer) -> str:
    return f"answer_{answer.id}"


def note_field(answer: ChecklistAnswer) -> str:
    return f"note_{answer.id}"


class ChecklistForm(Form):
    """The answers of one visit, or of one part of its checklist: fields are
    added per answer by ``checklist_form``."""

    submit = SubmitField(_l("Save the checklist"))

    answers: Sequence[ChecklistAnswer] = ()

    def submitted(self) -> dict[int, tuple[Answer | None, str]]:
        """What the form says of each of its answers (call after validation)."""
        return {
            answer.id: (
                Answer.parse(self[answer_field(answer)].data),
                self[note_field(answer)].data or "",
            )
            for answer in self.answers
        }


def checklist_form(answers: Sequence[ChecklistAnswer]) -> ChecklistForm:
    """A form with a choice and a note for each answer, filled with what is saved.

    A step of the visit offers done / not done, a thematic item observed /
    not observed, both "not applicable". A field missing from the request
    keeps what is saved; a value that is not one of the choices fails
    validation.
    """

    class VisitChecklistForm(ChecklistForm):
        pass

    data: dict[str, str] = {}
    for answer in answers:
        choices = [
            SelectChoice("", _l("Not answered yet")),
            *(SelectChoice(choice.value, choice.label) for choice in answer.item.answers),
        ]
        setattr(
            VisitChecklistForm,
            answer_field(answer),
            RadioField(answer.item.text, choices=choices, validators=[Optional()]),
        )
        setattr(
            VisitChecklistForm,
            note_field(answer),
            TextAreaField(_l("Note"), validators=[Optional(), Length(max=TEXT_LIMIT)]),
        )
        data[answer_field(answer)] = answer.answer.value if answer.answer else ""
        data[note_field(answer)] = answer.note
    form = VisitChecklistForm(data=data)
    form.answers = answers
    return form
