"""The deletion form (used on every page that deletes something) and the list's filter."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from visits.deletion import KIND_LABELS, REASON_MAX_LENGTH
from visits.forms import Form


class DeleteForm(Form):
    """Deleting needs a reason: it is kept with the record and in the audit trail."""

    reason = TextAreaField(
        _l("Why is it deleted?"),
        validators=[
            DataRequired(_l("Say why it is deleted: the reason is kept with the record.")),
            Length(max=REASON_MAX_LENGTH),
        ],
    )
    submit = SubmitField(_l("Delete"))


class DeletedFilterForm(Form):
    """The kind filter above the list (a GET form: no CSRF token needed)."""

    class Meta:
        csrf = False

    kind = SelectField(
        _l("Kind"),
        choices=lambda: [
            SelectChoice("", _l("All kinds")),
            *(SelectChoice(kind, label) for kind, label in KIND_LABELS.items()),
        ],
        validators=[Optional()],
    )
