"""Form base classes and the helper that renders a form with the right status."""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import HiddenField

from visits.i18n import wtforms_translations


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


class EmptyForm(Form):
    """A CSRF-protected button with no fields (sign out, deactivate, ...)."""


def render_form(template: str, form: Form, **context: Any) -> tuple[str, int]:
    """Render a page with a form: 400 after a CSRF failure, 422 after other errors."""
    if form.csrf_expired:
        status = 400
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

    def is_stale(self, record: Any) -> bool:
        return str(self.version.data or "") != str(record.version)


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
