"""Access expectations of the recommendations area.

The world's recommendation is a draft of the world's visit: visit content,
so outside the team (another team's monitor, an administrator) it does not
exist (404). Drafting from a visit is for its team and supervisors;
standalone drafting, moving through the life cycle and sending are for
supervisors. Administrators see no recommendation at all.
"""

from tests.access_rows import Row, expect

TEAM_CONTENT = expect(302, 200, 404, 200, 404)
SUPERVISORS = expect(302, 403, 403, 200, 403)

ROWS: dict[tuple[str, str], Row] = {
    ("recommendations.index", "GET"): (None, expect(302, 200, 200, 200, 403)),
    ("recommendations.new_from_visit", "GET"): (None, expect(302, 200, 403, 200, 403)),
    ("recommendations.new_from_visit", "POST"): (
        {"text": ""},
        expect(302, 422, 403, 422, 403),
    ),
    ("recommendations.new", "GET"): (None, SUPERVISORS),
    ("recommendations.new", "POST"): ({"text": ""}, expect(302, 403, 403, 422, 403)),
    ("recommendations.detail", "GET"): (None, TEAM_CONTENT),
    ("recommendations.edit", "GET"): (None, TEAM_CONTENT),
    ("recommendations.edit", "POST"): ({"text": ""}, expect(302, 422, 404, 422, 404)),
    # A draft cannot be sent without approval: the reason, with 409.
    ("recommendations.transition", "POST"): (
        {"target": "sent"},
        expect(302, 409, 404, 409, 404),
    ),
    # The authority's response, progress, the NPM's assessment: supervisors record them.
    ("recommendations.new_response", "GET"): (None, expect(302, 403, 404, 200, 404)),
    ("recommendations.new_response", "POST"): (
        {"kind": "response"},
        expect(302, 403, 404, 422, 404),
    ),
    ("recommendations.send", "GET"): (None, SUPERVISORS),
    ("recommendations.send", "POST"): ({}, expect(302, 403, 403, 422, 403)),
}
