"""The transaction boundary: a view or command runs services, then commits once.

Services add and flush; they never commit, so that one request can span
several of them and still be all or nothing. ``commit`` is the usual end
of a change; ``commit_or_refuse`` is the same for a change made from a
form, whose refusal goes back onto the form (with the form's status) so
that the page comes back with what the person typed. A lost optimistic
lock (``StaleDataError``) becomes ``ChangedMeanwhile`` here, once.
``commit_once`` is ``commit_or_refuse`` for a form that makes a record: at
most one record per form shown (``visits.web.once``). See
docs/architecture.md, 1 and 6.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ParamSpec, TypeVar

from sqlalchemy.orm.exc import StaleDataError

from visits.errors import ChangedMeanwhile, DomainError
from visits.extensions import db
from visits.forms import CreateForm, Form
from visits.web import once

P = ParamSpec("P")
T = TypeVar("T")


def commit(operation: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run ``operation`` and commit; a refusal rolls back and reaches the error handler."""
    try:
        result = operation(*args, **kwargs)
        db.session.commit()
    except StaleDataError as error:
        db.session.rollback()
        raise ChangedMeanwhile from error
    except DomainError:
        db.session.rollback()
        raise
    return result


def commit_or_refuse(
    form: Form, operation: Callable[P, T], *args: P.args, **kwargs: P.kwargs
) -> T | None:
    """Run ``operation`` and commit; a refusal rolls back and goes on ``form`` (None).

    ``ChangedMeanwhile`` is not a refusal of what was typed: it goes on to the
    view (which shows the conflict page, keeping the text) or the error handler.
    """
    try:
        return commit(operation, *args, **kwargs)
    except ChangedMeanwhile:
        raise
    except DomainError as error:
        form.refuse(error)
        return None


def commit_once(
    form: CreateForm,
    shown_at: str | Callable[[T], str],
    operation: Callable[P, T],
    *args: P.args,
    **kwargs: P.kwargs,
) -> T | None:
    """``commit_or_refuse`` for a form that makes a record: once per form shown.

    ``shown_at`` is the page of what ``operation`` made (or gives it from its
    result): where the same form, sent again, leads. When another request
    saved this form first, raises ``once.AlreadySaved``, answered with a 303
    to that page.
    """
    token = form.form_token.data
    if not once.is_usable(token):
        form.renew_token()
        form.refuse(once.stale_form())
        return None

    def saved_once() -> T:
        once.claim(token)
        result = operation(*args, **kwargs)
        once.record_page(token, shown_at(result) if callable(shown_at) else shown_at)
        return result

    try:
        return commit_or_refuse(form, saved_once)
    except once.Claimed:
        db.session.rollback()
    url = once.saved_url(token)
    if url is None:  # another account's token: not one to answer with its page
        form.renew_token()
        form.refuse(once.stale_form())
        return None
    raise once.AlreadySaved(url)
