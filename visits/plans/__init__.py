"""The annual monitoring plan."""

from flask import Blueprint

bp = Blueprint("plans", __name__)

from visits.plans import views  # noqa: E402, F401
