"""Photos and documents: upload, checked by content, and access-checked download."""

from flask import Blueprint

bp = Blueprint("attachments", __name__)

from visits.attachments import views  # noqa: E402, F401
