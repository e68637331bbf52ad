"""Access expectations of the visits area."""

from tests.access_rows import SIGNED_IN, Row

ROWS: dict[tuple[str, str], Row] = {
    ("visits.index", "GET"): (None, SIGNED_IN),
}
