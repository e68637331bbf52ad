"""Access expectations of the places area."""

from tests.access_rows import SIGNED_IN, Row

ROWS: dict[tuple[str, str], Row] = {
    ("places.index", "GET"): (None, SIGNED_IN),
}
