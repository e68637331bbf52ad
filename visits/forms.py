"""What every area's forms share: the base classes, the delete form, text filters,
and the helpers that render a form with the right status."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask import render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from wtforms import Field, HiddenField, IntegerField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import TextInput

from visits.errors import DomainError
from visits.i18n import npm_today, wtforms_translations
from visits.models.base import DELETION_REASON_MAX_LENGTH
from visits.models.choices import Choice
from visits.web.numbers import database_id
from visits.web.once import new_token


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


class TokenField(HiddenField):
    """A create form's one-time token (``visits.web.once``).

    Named ``form_token`` whatever the form's prefix, and rendered without an
    id, so that several forms on one page stay valid HTML. A form sent
    without it has none (not a new one), and is refused.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["_prefix"] = ""
        super().__init__(*args, **kwargs)

    def __call__(self, **kwargs: Any) -> Any:
        kwargs.setdefault("id", False)
        return super().__call__(**kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = valuelist[0] if valuelist else ""


class CreateForm(Form):
    """A form that makes a record, saved with ``visits.web.boundary.commit_once``.

    It carries a one-time token issued when it is shown (render
    ``form.form_token`` inside the form), so that sending it twice makes one
    record (``visits.web.once``).
    """

    form_token = TokenField(default=new_token)

    def renew_token(self) -> None:
        """A new token, for a form that comes back after its own was refused."""
        self.form_token.data = new_token()


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


# --- Dates as people type them ----------------------------------------------------

ENTER_A_DATE = _l("Enter the date as DD.MM.YYYY.")
NO_SUCH_DAY = _l("There is no such day: check the day and the month.")

_SEPARATOR = r"\s*[./,\-]\s*|\s+"
# After the year, the word for "year" as documents write it: "г." (Russian), "ж." (Kyrgyz).  # noqa: RUF003
_YEAR_WORD = r"(?:\s*-?\s*(?:г|ж)\.?|\.)?"
_DAY_MONTH_YEAR = re.compile(
    rf"([0-9]{{1,2}})(?:{_SEPARATOR})([0-9]{{1,2}})(?:{_SEPARATOR})([0-9]{{4}}){_YEAR_WORD}",
    re.IGNORECASE,
)
_YEAR_MONTH_DAY = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_DIGITS_ONLY = re.compile(r"([0-9]{2})([0-9]{2})([0-9]{4})")


def read_day(text: str) -> date:
    """The date in what a person typed: 31.12.2026, 31/12/2026, 31-12-2026, 31 12 2026,
    31122026 (a phone's number pad has no dot), or 2026-12-31 (what browsers and
    older pages send).

    Day before month, always, and a four-digit year: 01.02.2026 is the first of
    February in every language of the app. Raises ValueError with the message to show.
    """
    typed = text.strip()
    if match := _YEAR_MONTH_DAY.fullmatch(typed):
        year, month, day = (int(part) for part in match.groups())
    elif match := _DAY_MONTH_YEAR.fullmatch(typed) or _DIGITS_ONLY.fullmatch(typed):
        day, month, year = (int(part) for part in match.groups())
    else:
        raise ValueError(str(ENTER_A_DATE))
    try:
        return date(year, month, day)
    except ValueError as error:
        raise ValueError(str(NO_SUCH_DAY)) from error


def typed_day(day: date) -> str:
    """A date as the date fields show it and as people type it: 31.12.2026."""
    return f"{day.day:02d}.{day.month:02d}.{day.year:04d}"


class DayField(Field):
    """The one date field of the app: a text box typed as DD.MM.YYYY in every language.

    Not ``<input type="date">``: a browser draws that control in its own
    language, not the page's (a Russian page in an English Chromium shows
    mm/dd/yyyy, and 31122026 typed there becomes the year 22026 or nothing at
    all, then "This field is required"). Here the page says how to type the
    date, the server reads the usual ways of typing it (``read_day``), and
    what was typed comes back as typed when it cannot be read, with
    "Enter the date as DD.MM.YYYY". ``required`` gives that message for an
    empty field too; an optional field may be left empty.

    Pages render it through the ``field`` macro, which adds the format hint;
    ``data-date`` marks it as a date for tests that fill forms from HTML.
    """

    widget = TextInput()

    def __init__(
        self,
        label: Any = None,
        validators: Any = None,
        *,
        required: bool = False,
        **kwargs: Any,
    ) -> None:
        first = InputRequired(ENTER_A_DATE) if required else Optional()
        render_kw = {"autocomplete": "off", "spellcheck": "false", "data-date": "DD.MM.YYYY"}
        render_kw.update(kwargs.pop("render_kw", None) or {})
        super().__init__(label, [first, *(validators or [])], render_kw=render_kw, **kwargs)

    @property
    def format_hint(self) -> str:
        """How to type the date, shown under the field."""
        return _("DD.MM.YYYY, for example %(example)s", example=typed_day(npm_today()))

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return typed_day(self.data) if isinstance(self.data, date) else ""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None
            return
        try:
            self.data = read_day(str(valuelist[0]))
        except ValueError:
            self.data = None
            raise


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
