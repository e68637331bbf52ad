"""Administration: accounts, teams and the audit trail."""

from flask import Blueprint

bp = Blueprint("admin", __name__)

import visits.admin.audit_views  # noqa: E402, F401
from visits.admin import team_views, views  # noqa: E402, F401
