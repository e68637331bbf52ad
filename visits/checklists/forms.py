"""Forms of the checklist pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from visits.checklists.services import ItemText
from visits.extensions import db
from visits.forms import CreateForm, Form, enum_choices
from visits.models import ChecklistKind, PlaceType, ThematicArea

TEXT_LIMIT = 2000


def place_type_choices(include_inactive: bool) -> list[SelectChoice]:
    return [
        SelectChoice(str(place_type.id), place_type.name)
        for place_type in db.session.scalars(PlaceType.ordered(include_inactive=include_inactive))
    ]


class ItemForm(CreateForm):
    kind = SelectField(
        _l("Checklist"), choices=lambda: enum_choices(ChecklistKind), validators=[DataRequired()]
    )
    area = SelectField(
        _l("Thematic area"),
        choices=lambda: enum_choices(ThematicArea, blank=_l("None (visit phases)")),
        validators=[Optional()],
    )
    place_type_id = SelectField(
        _l("Kind of place"),
        choices=lambda: [
            SelectChoice("", _l("Every kind of place")),
            *place_type_choices(include_inactive=False),
        ],
        validators=[Optional()],
    )
    position = IntegerField(
        _l("Order within its group"),
        default=0,
        validators=[Optional(), NumberRange(min=0, max=100_000)],
    )
    text_en = TextAreaField(
        _l("Text in English"), validators=[DataRequired(), Length(max=TEXT_LIMIT)]
    )
    text_ru = TextAreaField(
        _l("Text in Russian"), validators=[DataRequired(), Length(max=TEXT_LIMIT)]
    )
    text_ky = TextAreaField(
        _l("Text in Kyrgyz"), validators=[DataRequired(), Length(max=TEXT_LIMIT)]
    )
    submit = SubmitField(_l("Save the item"))

    def to_input(self) -> ItemText:
        return ItemText(
            kind=ChecklistKind(self.kind.data),
            area=ThematicArea.parse(self.area.data),
            place_type_id=int(self.place_type_id.data) if self.place_type_id.data else None,
            position=self.position.data or 0,
            text_en=self.text_en.data or "",
            text_ru=self.text_ru.data or "",
            text_ky=self.text_ky.data or "",
        )


class ItemFilterForm(Form):
    """The filters above the checklist items (a GET form: no CSRF token needed)."""

    class Meta:
        csrf = False

    kind = SelectField(
        _l("Checklist"),
        choices=lambda: enum_choices(ChecklistKind, blank=_l("Both checklists")),
        validators=[Optional()],
    )
    area = SelectField(
        _l("Thematic area"),
        choices=lambda: enum_choices(ThematicArea, blank=_l("All areas")),
        validators=[Optional()],
    )
    place_type = SelectField(
        _l("Kind of place"),
        choices=lambda: [
            SelectChoice("", _l("All kinds of place")),
            *place_type_choices(include_inactive=True),
        ],
        validators=[Optional()],
    )
    state = SelectField(
        _l("Items"),
        choices=[
            SelectChoice("", _l("In use")),
            SelectChoice("retired", _l("Retired or replaced")),
            SelectChoice("all", _l("All")),
        ],
        validators=[Optional()],
    )
