"""Access expectations of the checklists area."""

from tests.access_rows import SIGNED_IN, Row

ROWS: dict[tuple[str, str], Row] = {
    ("checklists.index", "GET"): (None, SIGNED_IN),
}
