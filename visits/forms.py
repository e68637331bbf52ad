"""What every area's forms share: the base classes, the delete form, text filters,
and the helpers that render a form with the right status."""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from visits.errors import DomainError
from visits.i18n import wtforms_translations
from visits.models.base import DELETION_REASON_MAX_LENGTH
from visits.models.choices import Choice
from visits.web.numbers import database_id


class Form(FlaskForm):
    """Every form of the app: translated WTForms messages, a clear CSRF message."""

    class Meta:
        def get_translations(self, form: Any) -> Any:
            return wtforms_translations

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if self.meta.csrf and self.csrf_token.errors:
            # Flask-WTF's own wording is English only and says nothing of
            # what happened to the user's text.
            self.csrf_token.errors = [
                _(
                    "This form had expired, so nothing was saved. What you typed is "
                    "still below: check it and submit again."
                )
            ]
        return valid

    @property
    def csrf_expired(self) -> bool:
        return bool(self.meta.csrf and self.csrf_token.errors)

    # The status of the refusal shown on the form, when a rule refused it.
    refused_status: int | None = None

    def refuse(self, error: DomainError) -> None:
        """Show a refused rule's message next to its field, or above the form."""
        field = self._fields.get(error.field) if error.field else None
        if field is not None:
            field.errors = [*field.errors, error.message]
        else:
            self.form_errors.append(error.message)
        self.refused_status = error.status


class EmptyForm(Form):
    """A CSRF-protected button with no fields (sign out, deactivate, ...)."""


def render_form(template: str, form: Form, **context: Any) -> tuple[str, int]:
    """Render a page with a form: 400 after a CSRF failure, a refusal's status, 422 after
    other errors."""
    if form.csrf_expired:
        status = 400
    elif form.refused_status is not None:
        status = form.refused_status
    elif form.errors:
        status = 422
    else:
        status = 200
    return render_template(template, form=form, **context), status


class VersionedForm(Form):
    """A form editing a record under optimistic locking.

    ``version`` carries the record's version from when the page was opened;
    a save with an older one is refused with a 409 page (``render_conflict``)
    that keeps what the user typed.
    """

    version = HiddenField()

    @property
    def seen_version(self) -> int:
        """The record's version when the page was opened (0, never a version, if garbled)."""
        raw = str(self.version.data or "")
        return int(raw) if raw.isdigit() and len(raw) < 10 else 0


def render_conflict(
    form: VersionedForm,
    record: Any,
    saved: list[tuple[Any, Any]],
    action: str,
    form_template: str,
    **context: Any,
) -> tuple[str, int]:
    """The 409 page: what is saved now, and the user's own text, ready to save again.

    ``saved`` lists (label, current value) pairs of what someone else saved.
    The user's form comes back with the current version, so that saving it
    again deliberately replaces the other person's change.
    """
    form.version.data = str(record.version)
    return render_template(
        "conflict.html",
        form=form,
        saved=saved,
        action=action,
        form_template=form_template,
        **context,
    ), 409


class IdField(IntegerField):
    """The id of a record that a page carries (a hidden field), or nothing.

    Only a number the database can hold is read: any other, however large,
    is refused with ``refusal``, the message the field's own check gives for
    an id that is not offered, before a query is made with it.
    """

    def __init__(
        self, label: Any = None, validators: Any = None, *, refusal: Any, **kwargs: Any
    ) -> None:
        super().__init__(label, validators, **kwargs)
        self.refusal = refusal

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist or valuelist[0] in ("", None):
            self.data = None
            return
        try:
            self.data = database_id(valuelist[0])
        except ValueError as error:
            self.data = None
            raise ValueError(str(self.refusal)) from error


def enum_choices(choice: type[Choice], blank: LazyString | None = None) -> list[SelectChoice]:
    """Options for a select field of an enum's members, optionally led by a blank one."""
    options = [SelectChoice(member.value, member.label) for member in choice]
    return [SelectChoice("", blank), *options] if blank is not None else options


def strip_text(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class DeleteForm(Form):
    """Deleting needs a reason: it is kept with the record and in the audit trail."""

    reason = TextAreaField(
        _l("Why is it deleted?"),
        validators=[
            DataRequired(_l("Say why it is deleted: the reason is kept with the record.")),
            Length(max=DELETION_REASON_MAX_LENGTH),
        ],
    )
    submit = SubmitField(_l("Delete"))


# --- Names in Kyrgyz, Russian and English (places, teams) ----------------------

NAME_LABELS = {
    "ky": _l("Name in Kyrgyz"),
    "ru": _l("Name in Russian"),
    "en": _l("Name in English"),
}


def name_field(code: str, max_length: int) -> StringField:
    return StringField(
        NAME_LABELS[code],
        validators=[Optional(), Length(max=max_length)],
        filters=[strip_text],
    )


class OfficialNamesForm(Form):
    """A name in each language; at least one is needed (``visits.models.names``)."""

    name_ky = name_field("ky", 200)
    name_ru = name_field("ru", 200)
    name_en = name_field("en", 200)

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if any((self.name_ky.data, self.name_ru.data, self.name_en.data)):
            return valid
        self.name_ky.errors = [*self.name_ky.errors, _("Enter the name in at least one language.")]
        return False

    def names(self) -> dict[str, str]:
        return {
            "name_ky": self.name_ky.data or "",
            "name_ru": self.name_ru.data or "",
            "name_en": self.name_en.data or "",
        }
