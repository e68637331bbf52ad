"""Recommendations to the authorities: drafting, approval, sending, and their list."""

from flask import Blueprint

bp = Blueprint("recommendations", __name__)

from visits.recommendations import views  # noqa: E402, F401
