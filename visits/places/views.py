"""Views of this area (being built)."""

from visits.places import bp


@bp.route("/")
def index() -> str:
    """Placeholder until the area's views land."""
    return ""
