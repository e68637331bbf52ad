"""Forms of the reference data pages."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from visits.forms import CreateForm, strip_text
from visits.reference.services import RowValues


def strip_lower(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


class ReferenceRowForm(CreateForm):
    """A region or a place type; authorities add a parent."""

    name_en = StringField(
        _l("Name in English"), validators=[DataRequired(), Length(max=200)], filters=[strip_text]
    )
    name_ru = StringField(
        _l("Name in Russian"), validators=[DataRequired(), Length(max=200)], filters=[strip_text]
    )
    name_ky = StringField(
        _l("Name in Kyrgyz"), validators=[DataRequired(), Length(max=200)], filters=[strip_text]
    )
    code = StringField(
        _l("Code"),
        validators=[
            DataRequired(),
            Length(max=40),
            Regexp(
                r"^[a-z0-9_-]+$",
                message=_l("Use only Latin letters, digits, hyphens and underscores."),
            ),
        ],
        filters=[strip_lower],
    )
    position = IntegerField(
        _l("Position in lists"),
        default=0,
        validators=[Optional(), NumberRange(min=0, max=100_000)],
    )
    active = BooleanField(_l("Active: offered in forms"), default=True)
    submit = SubmitField(_l("Save"))

    def to_input(self) -> RowValues:
        return RowValues(
            code=self.code.data or "",
            name_en=self.name_en.data or "",
            name_ru=self.name_ru.data or "",
            name_ky=self.name_ky.data or "",
            active=bool(self.active.data),
            position=self.position.data or 0,
        )


class AuthorityForm(ReferenceRowForm):
    # Choices are set by the view: every authority but this one and those below it.
    parent_id = SelectField(_l("Parent authority"), choices=[], validators=[Optional()])

    def to_input(self) -> RowValues:
        parent = self.parent_id.data
        return replace(super().to_input(), parent_id=int(parent) if parent else None)
