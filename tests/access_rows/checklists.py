"""Access expectations of the checklists area: supervisors and administrators."""

from tests.access_rows import Row, expect

EDITORS = expect(302, 403, 403, 200, 200)

ROWS: dict[tuple[str, str], Row] = {
    ("checklists.index", "GET"): (None, EDITORS),
    ("checklists.new", "GET"): (None, EDITORS),
    ("checklists.new", "POST"): ({"text_en": ""}, expect(302, 403, 403, 422, 422)),
    ("checklists.edit", "GET"): (None, EDITORS),
    ("checklists.edit", "POST"): ({"text_en": ""}, expect(302, 403, 403, 422, 422)),
    ("checklists.retire", "POST"): ({}, expect(302, 403, 403, 302, 302)),
}
