"""The refusal form: a supervisor says why, and the account's owner reads it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from visits.approvals.requests import REASON_MAX_LENGTH
from visits.forms import Form, strip_text


class RefuseForm(Form):
    reason = TextAreaField(
        _l("Why you refuse"),
        validators=[DataRequired(), Length(max=REASON_MAX_LENGTH)],
        filters=[strip_text],
    )
    submit = SubmitField(_l("Refuse"))
