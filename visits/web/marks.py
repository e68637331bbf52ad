"""Marks a view carries, read by the request guard (``visits.web.guard``) and the
request class (``visits.web.uploads``).

Kept apart so that any area can import them without importing the guard.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


def public(view: F) -> F:
    """Mark a view as reachable without signing in."""
    view.is_public = True  # type: ignore[attr-defined]
    return view


def form_view(view: F) -> F:
    """Mark a view whose form re-renders itself when its CSRF token is stale.

    The view must validate a ``visits.forms.Form`` before changing anything:
    that validation fails on the same token, and the page comes back with
    what the user typed and a message, instead of a bare error page.
    """
    view.is_form_view = True  # type: ignore[attr-defined]
    return view


def keeps_fields_when_too_large(view: F) -> F:
    """Mark an upload view that shows its form again when the body is over the limit.

    The request is then read for its text fields, its files left out
    (``visits.web.uploads``); the view must check ``file_left_out()`` first.
    """
    view.keeps_fields_when_too_large = True  # type: ignore[attr-defined]
    return view


# Views of extensions that cannot carry the decorator.
PUBLIC_ENDPOINTS = frozenset({"static", "bootstrap.static"})


# Views of extensions that cannot carry the decorator.
PUBLIC_ENDPOINTS = frozenset({"static", "bootstrap.static"})
