"""Sign-in, second-factor, confirmation and password forms."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, ValidationError

from visits.forms import Form

# Long enough for any passphrase, short enough that hashing stays cheap.
PASSWORD_MAX_LENGTH = 256
# A six-digit code or a recovery code (xxxx-xxxx), with room for stray spaces.
CODE_MAX_LENGTH = 20


class LoginForm(Form):
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(max=PASSWORD_MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Keep me signed in on this device"), default=False)
    submit = SubmitField(_l("Sign in"))


class NewPasswordLength:
    """The configured minimum length, read when the form is validated."""

    def __call__(self, form: Any, field: Any) -> None:
        minimum = current_app.config["PASSWORD_MIN_LENGTH"]
        Length(min=minimum, max=PASSWORD_MAX_LENGTH)(form, field)


class ChangePasswordForm(Form):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(), Length(max=PASSWORD_MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), NewPasswordLength()],
        render_kw={"autocomplete": "new-password"},
    )
    confirm_password = PasswordField(
        _l("New password again"),
        validators=[
            DataRequired(),
            EqualTo("new_password", message=_l("The two new passwords differ.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Change password"))

    def validate_new_password(self, field: Any) -> None:
        if field.data and field.data == self.current_password.data:
            raise ValidationError(_l("Choose a password different from the current one."))


def code_field(label: Any, required: bool = True) -> StringField:
    """A one-time code from the app (six digits) or a recovery code."""
    return StringField(
        label,
        validators=[DataRequired() if required else Optional(), Length(max=CODE_MAX_LENGTH)],
        render_kw={"autocomplete": "one-time-code", "spellcheck": "false", "autocapitalize": "off"},
    )


class SecondFactorForm(Form):
    code = code_field(_l("Code"))
    submit = SubmitField(_l("Continue"))


class EnrolForm(Form):
    code = StringField(
        _l("Code shown by the app"),
        validators=[DataRequired(), Length(max=CODE_MAX_LENGTH)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )
    submit = SubmitField(_l("Turn on two-step sign-in"))


class DisableTwoFactorForm(Form):
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(max=PASSWORD_MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    code = code_field(_l("Code"))
    submit = SubmitField(_l("Turn off two-step sign-in"))


class ConfirmForm(Form):
    """The password again (and a code when enrolled) before a sensitive action."""

    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(max=PASSWORD_MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    code = code_field(_l("Code"), required=False)
    submit = SubmitField(_l("Confirm"))
