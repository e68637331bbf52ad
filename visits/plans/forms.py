"""Forms of the annual monitoring plan."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from visits.forms import CreateForm, enum_choices, strip_text
from visits.models import VisitType
from visits.plans import services


def month_choices() -> list[SelectChoice]:
    return [
        SelectChoice("", _l("Choose…")),
        *(SelectChoice(str(number), name) for number, name in services.month_names().items()),
    ]


class PlanEntryForm(CreateForm):
    place_id = SelectField(_l("Place"), choices=[], validators=[DataRequired()])
    month = SelectField(_l("Month"), choices=month_choices, validators=[DataRequired()])
    visit_type = SelectField(
        _l("Type of visit"),
        choices=lambda: enum_choices(VisitType, blank=_l("Choose…")),
        validators=[DataRequired()],
    )
    reason = TextAreaField(
        _l("Reason"),
        validators=[Optional(), Length(max=2000)],
        filters=[strip_text],
    )
    submit = SubmitField(_l("Add to the plan"))

    def offer_places(self) -> None:
        """Active places, named with their region so that namesakes can be told apart."""
        self.place_id.choices = [
            ("", _l("Choose…")),
            *(
                (str(place.id), f"{place.name} ({place.region.name})")
                for place in services.plannable_places()
            ),
        ]
