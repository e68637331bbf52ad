"""Forms of the places registry."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from visits.forms import CreateForm, Form, OfficialNamesForm, enum_choices, strip_text
from visits.models import Authority, Place, PlaceType, PopulationCategory, Region
from visits.places import services

# Query strings say stale=1 / stale=0; WTForms would read "0" as checked.
FALSE_VALUES = ("false", "", "0", "no", "off")


class CheckboxesField(SelectMultipleField):
    """Several choices shown as checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PlaceForm(OfficialNamesForm, CreateForm):
    """A place's official names (at least one), kind, region, authority and population."""

    place_type_id = SelectField(_l("Type of place"), choices=[], validators=[DataRequired()])
    region_id = SelectField(_l("Region"), choices=[], validators=[DataRequired()])
    authority_id = SelectField(_l("Responsible authority"), choices=[], validators=[DataRequired()])
    address = TextAreaField(
        _l("Address"), validators=[Optional(), Length(max=500)], filters=[strip_text]
    )
    capacity = IntegerField(
        _l("Capacity"), validators=[Optional(), NumberRange(min=0, max=100_000)]
    )
    population_categories = CheckboxesField(
        _l("Who is held there"),
        choices=lambda: enum_choices(PopulationCategory),
        validators=[Optional()],
    )
    submit = SubmitField(_l("Save"))

    def offer_reference_rows(self, place: Place | None = None) -> None:
        """Offer active types, regions and authorities, and those ``place`` already has."""
        blank = ("", _l("Choose…"))
        self.place_type_id.choices = [
            blank,
            *services.reference_options(PlaceType, place.place_type_id if place else None),
        ]
        self.region_id.choices = [
            blank,
            *services.reference_options(Region, place.region_id if place else None),
        ]
        self.authority_id.choices = [
            blank,
            *services.reference_options(Authority, place.authority_id if place else None),
        ]

    def to_input(self) -> services.PlaceValues:
        return services.PlaceValues(
            **self.names(),
            place_type_id=int(self.place_type_id.data or 0),
            region_id=int(self.region_id.data or 0),
            authority_id=int(self.authority_id.data or 0),
            address=self.address.data or "",
            capacity=self.capacity.data,
            population_categories=list(self.population_categories.data or []),
        )


class DeactivatePlaceForm(Form):
    reason = TextAreaField(
        _l("Why is this place deactivated?"),
        validators=[DataRequired(), Length(max=2000)],
        filters=[strip_text],
    )
    submit = SubmitField(_l("Deactivate the place"))


class PlaceFilterForm(Form):
    """The filters above the registry (a GET form: no CSRF token needed)."""

    class Meta:
        csrf = False

    q = StringField(_l("Name contains"), validators=[Optional(), Length(max=100)])
    place_type = SelectField(_l("Type of place"), choices=[], validators=[Optional()])
    region = SelectField(_l("Region"), choices=[], validators=[Optional()])
    authority = SelectField(_l("Authority"), choices=[], validators=[Optional()])
    stale = BooleanField(_l("Not visited for 12 months"), false_values=FALSE_VALUES)
    inactive = BooleanField(_l("Include deactivated places"), false_values=FALSE_VALUES)

    def offer_reference_rows(self) -> None:
        self.place_type.choices = [
            ("", _l("All types")),
            *services.filter_options(PlaceType),
        ]
        self.region.choices = [("", _l("All regions")), *services.filter_options(Region)]
        self.authority.choices = [
            ("", _l("All authorities")),
            *services.filter_options(Authority),
        ]

    @staticmethod
    def as_id(value: str | None) -> int | None:
        return int(value) if value else None
