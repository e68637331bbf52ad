"""Reference data: regions, place types, authorities."""

from flask import Blueprint

bp = Blueprint("reference", __name__)

from visits.reference import views  # noqa: E402, F401
