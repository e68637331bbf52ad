"""Error pages: translated, in the site's layout, never a stack trace."""

from __future__ import annotations

from flask import Flask, current_app, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from visits.audit import record_now
from visits.crypto import DecryptionError, MissingKeyError
from visits.errors import DomainError
from visits.extensions import db
from visits.web.urls import same_site_referrer

MESSAGES = {
    400: (
        _l("The request could not be understood"),
        _l("Something in the request was not valid. Go back, check the form and try again."),
    ),
    403: (
        _l("Not allowed"),
        _l("Your account does not have access to this page."),
    ),
    404: (
        _l("Page not found"),
        _l("There is no page at this address, or you may not see it."),
    ),
    405: (
        _l("Not allowed this way"),
        _l("This page cannot be used like that. Use the links and buttons in the app."),
    ),
    409: (
        _l("This cannot be done now"),
        _l("The record changed or is in a state that does not allow this."),
    ),
    422: (
        _l("This cannot be saved"),
        _l("Something entered breaks a rule of the app. Go back, correct it and try again."),
    ),
    413: (
        _l("Too large"),
        _l("What you sent is larger than this app accepts. Send a smaller file or less text."),
    ),
    429: (
        _l("Too many attempts"),
        _l("Too many requests came from your connection. Wait a minute and try again."),
    ),
    500: (
        _l("Something went wrong"),
        _l(
            "The app could not complete this request. Nothing you did caused it; "
            "the error was logged. Try again in a moment."
        ),
    ),
}

CSRF_MESSAGE = (
    _l("The page had expired"),
    _l(
        "For your protection, forms expire with your session. Nothing was changed. "
        "Go back, reload the page and try again."
    ),
)


UNDECRYPTABLE_TITLE = _l("This record could not be decrypted")
TAMPERED_MESSAGE = _l(
    "This record could not be decrypted: it may have been tampered with. "
    "The incident was recorded. Nothing was changed; tell an administrator."
)
MISSING_KEY_MESSAGE = _l(
    "This record is encrypted with a key this installation does not have. "
    "The incident was recorded. Nothing was changed; tell an administrator."
)


def render_error(code: int, title: str, message: str) -> tuple[str, int]:
    back = same_site_referrer()
    return render_template(
        "errors/error.html", code=code, title=title, message=message, back=back
    ), code


def handle_http_error(error: HTTPException) -> tuple[str, int]:
    code = error.code or 500
    title, message = MESSAGES.get(code, MESSAGES[400] if code < 500 else MESSAGES[500])
    # A view may abort with its own (translated) explanation.
    if error.description and error.description != type(error).description:
        message = error.description
    return render_error(code, str(title), str(message))


def handle_csrf_error(error: CSRFError) -> tuple[str, int]:
    title, message = CSRF_MESSAGE
    return render_error(400, str(title), str(message))


def handle_decryption_error(error: DecryptionError) -> tuple[str, int]:
    """A value or file that fails its integrity check: a clear page and an audit event.

    409: the request is fine, the stored record is not in a state to be shown.
    """
    db.session.rollback()  # whatever the request changed before this stays unsaved
    missing = isinstance(error, MissingKeyError)
    current_app.logger.error(
        "Could not decrypt %s %s: %s", error.object_type or "a record", error.object_id, error
    )
    record_now(
        "crypto.decryption_failed",
        object_type=error.object_type,
        object_id=error.object_id,
        reason="missing_key" if missing else "integrity_check_failed",
        **({"key_id": error.key_id} if isinstance(error, MissingKeyError) else {}),
    )
    message = MISSING_KEY_MESSAGE if missing else TAMPERED_MESSAGE
    return render_error(409, str(UNDECRYPTABLE_TITLE), str(message))


def handle_domain_error(error: DomainError) -> tuple[str, int]:
    """A refusal no form showed: nothing is kept of the request's changes."""
    db.session.rollback()
    title, _message = MESSAGES[error.status]
    return render_error(error.status, str(title), error.message)


def handle_unexpected_error(error: Exception) -> tuple[str, int]:
    title, message = MESSAGES[500]
    return render_error(500, str(title), str(message))


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(DecryptionError, handle_decryption_error)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(InternalServerError, handle_unexpected_error)
