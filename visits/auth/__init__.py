"""Signing in and out, the second factor, sessions, and the account's password."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from visits.auth import account, confirm, views  # noqa: E402, F401
