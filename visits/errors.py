"""The one domain error: a refusal with a translated message, an HTTP status and a field.

Services raise a subclass when a rule refuses a change; nothing else is
raised for a person's mistake. At the boundary, ``visits.web.boundary``
commits the operation or puts the refusal on the form it came from, and the
one handler (``visits.web.error_pages``) rolls back and renders any other.
An area may subclass these to give a refusal its own name
(``TooManyInterviewed``), never to invent another kind of error. See
docs/architecture.md, 1.
"""

from __future__ import annotations

from typing import ClassVar

from flask_babel import lazy_gettext as _l


class DomainError(Exception):
    """A change the rules refuse; ``field`` names the form field it concerns, if one."""

    status: ClassVar[int] = 422
    default_message: ClassVar[str] = ""

    def __init__(self, message: str | None = None, field: str | None = None) -> None:
        text = str(message) if message is not None else str(self.default_message)
        super().__init__(text)
        self.message = text
        self.field = field


class Invalid(DomainError):
    """What was entered breaks a rule: the form comes back with the message."""

    status = 422


class WrongState(DomainError):
    """The record's state (or its visit's) forbids the change now."""

    status = 409


class NotAllowed(DomainError):
    """This person may not do this."""

    status = 403
    default_message = _l("Your account does not have access to this page.")


class NotFound(DomainError):
    """There is no such object, or its existence is not this person's to know."""

    status = 404
    default_message = _l("There is no page at this address, or you may not see it.")


class ChangedMeanwhile(WrongState):
    """Someone saved the record after this person opened it; nothing was saved."""

    default_message = _l(
        "Someone else changed this meanwhile, so nothing was saved. Reload the page and try again."
    )
