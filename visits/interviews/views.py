"""Views of this area."""
