"""Forms of the administration pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional

from visits.config import LOCALES
from visits.forms import CreateForm, Form, OfficialNamesForm, enum_choices, name_field
from visits.i18n import LANGUAGE_LABELS
from visits.models import Role, TeamMember, User

TEAM_NAME_LENGTH = 120


def role_choices() -> list[SelectChoice]:
    return enum_choices(Role)


def locale_choices() -> list[SelectChoice]:
    return [SelectChoice(code, LANGUAGE_LABELS[code]) for code in LOCALES]


class NewUserForm(CreateForm):
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


class RoleForm(Form):
    """The role of an account, on its page."""

    role = SelectField(_l("Role"), choices=role_choices, validators=[DataRequired()])
    submit = SubmitField(_l("Change the role"))


class TwoFactorRequirementForm(Form):
    """Require a second factor at sign-in, or stop requiring it (the button says which)."""

    required = BooleanField()


class TeamForm(OfficialNamesForm):
    """A team's names and its lead, chosen among its members."""

    name_ky = name_field("ky", TEAM_NAME_LENGTH)
    name_ru = name_field("ru", TEAM_NAME_LENGTH)
    name_en = name_field("en", TEAM_NAME_LENGTH)
    lead_id = SelectField(_l("Lead"), choices=[], validators=[Optional()])
    submit = SubmitField(_l("Save"))

    def offer_members(self, members: list[TeamMember]) -> None:
        self.lead_id.choices = [
            SelectChoice("", _l("No lead yet")),
            *(SelectChoice(str(member.user_id), member.user.display_name) for member in members),
        ]


class NewTeamForm(OfficialNamesForm, CreateForm):
    name_ky = name_field("ky", TEAM_NAME_LENGTH)
    name_ru = name_field("ru", TEAM_NAME_LENGTH)
    name_en = name_field("en", TEAM_NAME_LENGTH)
    submit = SubmitField(_l("Create the team"))


class TeamMemberForm(CreateForm):
    """Someone to add to a team."""

    user_id = SelectField(_l("Person"), choices=[], validators=[DataRequired()])
    submit = SubmitField(_l("Add to the team"))

    def offer_people(self, people: list[User]) -> None:
        self.user_id.choices = [
            SelectChoice("", _l("Choose…")),
            *(
                SelectChoice(str(person.id), f"{person.display_name} ({person.role.label})")
                for person in people
            ),
        ]
