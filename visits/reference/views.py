"""Views of this area (being built)."""

from visits.reference import bp


@bp.route("/")
def index() -> str:
    """Placeholder until the area's views land."""
    return ""
