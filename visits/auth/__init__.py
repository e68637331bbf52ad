"""Signing in and out, and the account's password."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from visits.auth import views  # noqa: E402, F401
