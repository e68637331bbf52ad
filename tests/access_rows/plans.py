"""Access expectations of the plans area."""

from tests.access_rows import SIGNED_IN, Row

ROWS: dict[tuple[str, str], Row] = {
    ("plans.current", "GET"): (None, SIGNED_IN),
}
