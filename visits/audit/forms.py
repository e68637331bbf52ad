"""The filters of the audit trail page and of its CSV export."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from visits.audit.reading import ACTION_LABELS, OBJECT_LABELS, AuditFilters, user_choices
from visits.forms import DayField, Form


def object_type_choices() -> list[SelectChoice]:
    return [
        SelectChoice("", _l("Any object")),
        *(SelectChoice(code, label) for code, label in OBJECT_LABELS.items()),
    ]


class AuditFilterForm(Form):
    """A GET form (no CSRF token): the filters travel in the page's address."""

    class Meta:
        csrf = False

    user = SelectField(
        _l("Person"),
        choices=lambda: [
            SelectChoice("", _l("Anyone")),
            *(SelectChoice(str(user_id), name) for user_id, name in user_choices()),
        ],
        validators=[Optional()],
    )
    action = StringField(
        _l("Action"),
        description=_l("The start of an action's code is enough: visit. for every visit event."),
        validators=[Optional(), Length(max=60)],
        render_kw={"list": "audit-actions", "autocomplete": "off", "spellcheck": "false"},
    )
    object_type = SelectField(_l("Object"), choices=object_type_choices, validators=[Optional()])
    object_id = IntegerField(
        _l("Object number"),
        validators=[Optional(), NumberRange(min=1, max=2_147_483_647)],
    )
    date_from = DayField(_l("From"))
    date_to = DayField(_l("To"))

    def validate_date_to(self, field: DayField) -> None:
        if self.date_from.data and field.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end of the period is before its start."))

    @staticmethod
    def known_actions() -> list[tuple[str, str]]:
        """(code, label) of the actions the page names, for the action field's suggestions."""
        return [(code, str(label)) for code, label in ACTION_LABELS.items()]

    def to_filters(self) -> AuditFilters:
        return AuditFilters(
            user_id=int(self.user.data) if self.user.data else None,
            action=(self.action.data or "").strip(),
            object_type=self.object_type.data or "",
            object_id=self.object_id.data,
            date_from=self.date_from.data,
            date_to=self.date_to.data,
        )
