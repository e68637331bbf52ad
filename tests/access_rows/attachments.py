"""Access expectations of the attachments area."""

from tests.access_rows import Row

ROWS: dict[tuple[str, str], Row] = {}
