"""Access expectations of the visits area.

The world's visit is in analysis, led by ``monitor``; its member is that
lead, and its reprisal check was raised by its own interview (so it is not
one for this visit to make: 404 to those past the access check). The
world's next visit, being prepared, would refuse it with 409 until its team
is on site (tests/test_reprisal_checks.py).
"""

from tests.access_rows import SIGNED_IN, Row, expect

TEAM_ONLY = expect(302, 200, 403, 200, 403)
TEAM_FORM_ERROR = expect(302, 422, 403, 422, 403)

ROWS: dict[tuple[str, str], Row] = {
    ("visits.index", "GET"): (None, SIGNED_IN),
    ("visits.new", "GET"): (None, expect(302, 200, 200, 200, 403)),
    ("visits.new", "POST"): ({"place_id": ""}, expect(302, 422, 422, 422, 403)),
    ("visits.detail", "GET"): (None, SIGNED_IN),
    ("visits.edit", "GET"): (None, TEAM_ONLY),
    ("visits.edit", "POST"): ({"start_date": ""}, TEAM_FORM_ERROR),
    ("visits.add_member", "POST"): ({"user_id": ""}, TEAM_FORM_ERROR),
    # The world's only member leads the visit: never removed.
    ("visits.remove_member", "POST"): ({}, expect(302, 409, 403, 409, 403)),
    ("visits.transition", "POST"): ({"target": ""}, TEAM_FORM_ERROR),
    ("visits.checklist", "GET"): (None, TEAM_ONLY),
    # An answer id is not known here; an empty form changes nothing.
    ("visits.checklist", "POST"): ({}, expect(302, 302, 403, 302, 403)),
    ("visits.record_reprisal_check", "POST"): ({}, expect(302, 404, 403, 404, 403)),
}
