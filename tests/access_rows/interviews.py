"""Access expectations of the interviews area."""

from tests.access_rows import Row

ROWS: dict[tuple[str, str], Row] = {}
