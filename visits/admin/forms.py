"""Forms of the administration pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional

from visits.config import LOCALES
from visits.forms import Form
from visits.i18n import LANGUAGE_LABELS
from visits.models import Role


def role_choices() -> list[SelectChoice]:
    return Role.select_choices()


def locale_choices() -> list[SelectChoice]:
    return [SelectChoice(code, LANGUAGE_LABELS[code]) for code in LOCALES]


class NewUserForm(Form):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    display_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=120)])
    role = SelectField(_l("Role"), choices=role_choices, validators=[DataRequired()])
    preferred_locale = SelectField(_l("Language"), choices=locale_choices, default="ru")
    submit = SubmitField(_l("Create account"))


class UserFilterForm(Form):
    """The filters above the user list (a GET form: no CSRF token needed)."""

    class Meta:
        csrf = False

    q = StringField(_l("Name or email"), validators=[Optional(), Length(max=100)])
    role = SelectField(
        _l("Role"),
        choices=lambda: [SelectChoice("", _l("All roles")), *role_choices()],
        validators=[Optional()],
    )
    status = SelectField(
        _l("Status"),
        choices=[
            SelectChoice("", _l("All")),
            SelectChoice("active", _l("Active")),
            SelectChoice("inactive", _l("Deactivated")),
        ],
        validators=[Optional()],
    )
