"""Views of this area (being built)."""

from visits.plans import bp


@bp.route("/")
def current() -> str:
    """Placeholder until the area's views land."""
    return ""
