"""Access expectations of the reference area."""

from tests.access_rows import SIGNED_IN, Row

ROWS: dict[tuple[str, str], Row] = {
    ("reference.index", "GET"): (None, SIGNED_IN),
}
