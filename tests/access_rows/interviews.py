"""Access expectations of the interviews area.

An interview is visit content: outside the team it does not exist (404),
while the visit itself is known to all, so a new one is refused with 403.
"""

from tests.access_rows import Row, expect

TEAM_CONTENT = expect(302, 200, 404, 200, 404)
TEAM_FORM_ERRORS = expect(302, 422, 404, 422, 404)

ROWS: dict[tuple[str, str], Row] = {
    ("interviews.new", "GET"): (None, expect(302, 200, 403, 200, 403)),
    ("interviews.new", "POST"): ({"kind": ""}, expect(302, 422, 403, 422, 403)),
    ("interviews.detail", "GET"): (None, TEAM_CONTENT),
    ("interviews.edit", "GET"): (None, TEAM_CONTENT),
    ("interviews.edit", "POST"): ({"kind": ""}, TEAM_FORM_ERRORS),
    # Without the confirmation tick, nothing is recorded.
    ("interviews.withdraw_consent", "POST"): ({}, TEAM_FORM_ERRORS),
}
