"""Form base classes and the helper that renders a form with the right status."""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask_babel import gettext as _
from flask_wtf import FlaskForm

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
