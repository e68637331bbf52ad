"""Access expectations of the approvals page: supervisors only.

The world's sample request (``request_id``) is a newcomer's pending place on
the next visit's team, asked by its lead (the ``monitor``): the supervisor
may decide it, the monitor who asked may not, and administrators never
decide. An empty refusal fails validation (422): past the access check,
nothing changed.
"""

from tests.access_rows import Row, expect

SUPERVISORS_ONLY = expect(302, 403, 403, 200, 403)

ROWS: dict[tuple[str, str], Row] = {
    ("approvals.index", "GET"): (None, SUPERVISORS_ONLY),
    ("approvals.approve", "POST"): ({}, expect(302, 403, 403, 302, 403)),
    ("approvals.refuse", "GET"): (None, SUPERVISORS_ONLY),
    ("approvals.refuse", "POST"): ({"reason": ""}, expect(302, 403, 403, 422, 403)),
}
