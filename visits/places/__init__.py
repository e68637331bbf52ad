"""The registry of places of deprivation of liberty."""

from flask import Blueprint

bp = Blueprint("places", __name__)

from visits.places import views  # noqa: E402, F401
