"""Administration: accounts (teams and reference data come later)."""

from flask import Blueprint

bp = Blueprint("admin", __name__)

from visits.admin import views  # noqa: E402, F401
