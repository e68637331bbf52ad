"""Findings and their review."""

from flask import Blueprint

bp = Blueprint("findings", __name__)

from visits.findings import views  # noqa: E402, F401
