"""Deleted records: what supervisors see of soft-deleted visits and content, and restore."""

from flask import Blueprint

bp = Blueprint("deleted", __name__)

from visits.deleted import views  # noqa: E402, F401
