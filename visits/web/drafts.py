"""Whose drafts a page may restore: an opaque name for the signed-in account.

The drafts script (``static/js/drafts.js``) keeps what a person types in an
unsaved form in the tab's ``sessionStorage``, under the name a page gives
in ``<meta name="drafts-owner">``. A page of another account drops them
all; signing out drops the account's own. The name is an HMAC of the
account's id and session version under the app's secret key, so that it
says nothing about the account (not its email, not its id) and changes
when every session of the account is ended ("sign out everywhere", a new
password): drafts typed before that are not restored after it. A session
that timed out keeps it, so the same person signing in again gets their
draft back.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app
from flask_login import current_user

OWNER_LENGTH = 32


def owner_key(user_id: int, session_version: int) -> str:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    message = f"npm-drafts:{user_id}:{session_version}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:OWNER_LENGTH]


def current_owner() -> str:
    """The signed-in account's drafts name; empty for a visitor who is not signed in."""
    if not current_user.is_authenticated:
        return ""
    return owner_key(current_user.id, current_user.session_version)
