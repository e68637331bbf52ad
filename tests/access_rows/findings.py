"""Access expectations of the findings area.

A finding is visit content: outside the team it does not exist (404). Only
a supervisor reviews; the world's finding is a draft, so a review is refused
as the wrong state (409), after the access checks.
"""

from tests.access_rows import Row, expect

TEAM_CONTENT = expect(302, 200, 404, 200, 404)
TEAM_FORM_ERRORS = expect(302, 422, 404, 422, 404)

ROWS: dict[tuple[str, str], Row] = {
    # Each reader sees the findings of the visits whose content they may read.
    ("findings.index", "GET"): (None, expect(302, 200, 200, 200, 403)),
    ("findings.new", "GET"): (None, expect(302, 200, 403, 200, 403)),
    ("findings.new", "POST"): ({"title": ""}, expect(302, 422, 403, 422, 403)),
    ("findings.detail", "GET"): (None, TEAM_CONTENT),
    ("findings.edit", "GET"): (None, TEAM_CONTENT),
    ("findings.edit", "POST"): ({"title": ""}, TEAM_FORM_ERRORS),
    ("findings.submit", "POST"): ({}, expect(302, 302, 404, 302, 404)),
    ("findings.review", "POST"): ({}, expect(302, 403, 404, 409, 404)),
}
