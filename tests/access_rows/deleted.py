"""Access expectations of deleting (soft) and of the supervisors' deleted records.

The world's visit is in analysis, led by ``monitor``: its lead and
supervisors may delete it; its content may be deleted by its team and
supervisors, and outside them it does not exist (404). An empty reason
fails validation (422): past the access check, nothing deleted. Only
supervisors see deleted records; the sample kind (``regions``) is none of
the kinds that can be restored (404 past the permission check).
"""

from tests.access_rows import Row, expect

VISIT_DELETERS = expect(302, 200, 403, 200, 403)
VISIT_DELETERS_INVALID = expect(302, 422, 403, 422, 403)
CONTENT_DELETERS = expect(302, 200, 404, 200, 404)
CONTENT_DELETERS_INVALID = expect(302, 422, 404, 422, 404)
NO_REASON = {"reason": ""}

ROWS: dict[tuple[str, str], Row] = {
    ("visits.delete", "GET"): (None, VISIT_DELETERS),
    ("visits.delete", "POST"): (NO_REASON, VISIT_DELETERS_INVALID),
    ("interviews.delete", "GET"): (None, CONTENT_DELETERS),
    ("interviews.delete", "POST"): (NO_REASON, CONTENT_DELETERS_INVALID),
    ("findings.delete", "GET"): (None, CONTENT_DELETERS),
    ("findings.delete", "POST"): (NO_REASON, CONTENT_DELETERS_INVALID),
    ("attachments.delete", "GET"): (None, CONTENT_DELETERS),
    ("attachments.delete", "POST"): (NO_REASON, CONTENT_DELETERS_INVALID),
    ("deleted.index", "GET"): (None, expect(302, 403, 403, 200, 403)),
    ("deleted.restore", "POST"): ({}, expect(302, 403, 403, 404, 403)),
}
