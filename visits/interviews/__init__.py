"""Interviews under pseudonym, with consent."""

from flask import Blueprint

bp = Blueprint("interviews", __name__)

from visits.interviews import views  # noqa: E402, F401
