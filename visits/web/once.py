"""One click, one record: a create form is saved at most once.

A double click on "Save the interview", a form sent again after a slow
answer, or the back button and "Save" once more would each make another
record. So every form that makes a record (``visits.forms.CreateForm``)
carries a one-time token, issued when the form is shown (``new_token``: when
it was issued, and 24 random bytes). The view saves it with
``commit_once``, (``visits.web.boundary``), which, in the transaction that makes the record:

1. claims the token: inserts its row in ``form_submissions`` (the token is
   the primary key). A second request with the same token waits there, on
   the key, until the first commits (PostgreSQL's unique index, SQLite's
   write lock), then fails to insert, and is sent to what the first made;
2. runs the services, then stores the page of what they made on the row, so
   that a committed row always says where to go;
3. drops a batch of rows older than ``LIFETIME`` (skipping rows another
   transaction holds), so the table stays small without a scheduled job.

A token sent again after the first was committed is answered before the
view runs (``answer_repeated_submission``, a ``before_request`` hook, after
the guard has checked the CSRF token): 303 to the page of what it made, with
"This form was already saved". A token older than ``LIFETIME`` (its row may
be gone) or missing is refused: the form comes back with what was typed and
a new token, and saving it again works. A refusal rolls the claim back, so
the corrected form can be sent with the same token. The submit buttons are
also disabled once a form is sent (``static/js/once.js``), as a courtesy.
See docs/architecture.md, 6.
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime, timedelta

from flask import Flask, flash, redirect, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from visits.errors import Invalid
from visits.extensions import db
from visits.models import FormSubmission
from visits.models.base import utcnow
from visits.web.urls import SAFE_METHODS, safe_next_url

# The name of the hidden field, whatever the form's prefix.
FIELD = "form_token"
# How long a shown form may wait before it is sent; its row is kept as long.
LIFETIME = timedelta(days=1)
# A clock a little ahead on another server is not a forged token.
CLOCK_SKEW = timedelta(minutes=5)
# Rows dropped at most per save: the purge stays one cheap statement.
PURGE_BATCH = 100

TOKEN = re.compile(r"(?P<issued>[0-9a-f]{1,12})\.[A-Za-z0-9_-]{32}")


class AlreadySaved(Exception):
    """The form was saved before: answer with the page of what it made."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url


class Claimed(Exception):
    """Another request holds or held this token."""


def new_token() -> str:
    """A token for a form being shown: when it was issued, and 24 random bytes."""
    return f"{int(utcnow().timestamp()):x}.{secrets.token_urlsafe(24)}"


def is_usable(token: object) -> bool:
    """A token as ``new_token`` makes them, issued less than ``LIFETIME`` ago."""
    match = TOKEN.fullmatch(token) if isinstance(token, str) else None
    if match is None:
        return False
    issued = datetime.fromtimestamp(int(match["issued"], 16), UTC)
    now = utcnow()
    return now - LIFETIME < issued <= now + CLOCK_SKEW


def stale_form() -> Invalid:
    return Invalid(
        _(
            "Nothing was saved: this form was opened too long ago. What you typed is "
            "still below: check it and save again."
        )
    )


def saved_url(token: str) -> str | None:
    """Where the form with ``token``, sent by the current user, led; None if never saved."""
    url = db.session.scalar(
        select(FormSubmission.url).where(
            FormSubmission.token == token, FormSubmission.user_id == current_user.id
        )
    )
    return safe_next_url(url)


def claim(token: str) -> None:
    """Insert the token's row; waits for a transaction holding the same token."""
    try:
        db.session.execute(
            insert(FormSubmission).values(
                token=token, user_id=current_user.id, created_at=utcnow(), url=None
            )
        )
    except IntegrityError as error:
        raise Claimed from error
    older = (
        select(FormSubmission.token)
        .where(FormSubmission.created_at < utcnow() - LIFETIME)
        .limit(PURGE_BATCH)
        .with_for_update(skip_locked=True)
    )
    db.session.execute(delete(FormSubmission).where(FormSubmission.token.in_(older)))


def record_page(token: str, url: str) -> None:
    """Store where the form with ``token`` led, in the transaction that claimed it."""
    db.session.execute(update(FormSubmission).where(FormSubmission.token == token).values(url=url))


def answer_repeated_submission() -> Response | None:
    """Before the view: a form already saved is answered with what it made."""
    if request.method in SAFE_METHODS or not current_user.is_authenticated:
        return None
    token = request.form.get(FIELD, "")
    url = saved_url(token) if is_usable(token) else None
    return answer_already_saved(AlreadySaved(url)) if url is not None else None


def answer_already_saved(error: AlreadySaved) -> Response:
    flash(_("This form was already saved: it was not saved a second time."), "info")
    return redirect(error.url, 303)


def init_app(app: Flask) -> None:
    """The hook and the handler; ``new_form_token()`` for forms written out in templates."""
    app.before_request(answer_repeated_submission)
    app.register_error_handler(AlreadySaved, answer_already_saved)
    app.add_template_global(new_token, "new_form_token")
