"""The deletion form (used on every page that deletes something) and the list's filter."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from visits.deleted.services import KIND_LABELS
from visits.forms import Form


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
