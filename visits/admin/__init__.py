"""Administration: accounts and teams."""

from flask import Blueprint

bp = Blueprint("admin", __name__)

from visits.admin import team_views, views  # noqa: E402, F401
