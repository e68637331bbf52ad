"""Access expectations of the findings area."""

from tests.access_rows import Row

ROWS: dict[tuple[str, str], Row] = {}
