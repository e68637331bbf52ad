"""Visits: list, page, team, life cycle, checklist answers, reprisal checks."""

from flask import Blueprint

bp = Blueprint("visits", __name__)

from visits.visits import views  # noqa: E402, F401
