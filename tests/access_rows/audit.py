"""Access expectations of the audit trail: supervisors and administrators only.

Monitors (on the team or not) are refused with 403: the trail says who
opened which interview, which is itself need-to-know.
"""

from tests.access_rows import Row, expect

AUDITORS = expect(302, 403, 403, 200, 200)

ROWS: dict[tuple[str, str], Row] = {
    ("audit.index", "GET"): (None, AUDITORS),
    ("audit.export", "GET"): (None, AUDITORS),
}
