"""The methodology checklists, edited by supervisors."""

from flask import Blueprint

bp = Blueprint("checklists", __name__)

from visits.checklists import views  # noqa: E402, F401
