"""Access expectations of the reference area: all read, supervisors and admins edit."""

from tests.access_rows import SIGNED_IN, Row, expect

EDITORS = expect(302, 403, 403, 200, 200)
# An empty form fails validation: the editor got past the access check.
EDITORS_INVALID = expect(302, 403, 403, 422, 422)

ROWS: dict[tuple[str, str], Row] = {
    ("reference.index", "GET"): (None, SIGNED_IN),
    ("reference.listing", "GET"): (None, SIGNED_IN),
    ("reference.new", "GET"): (None, EDITORS),
    ("reference.new", "POST"): ({"code": ""}, EDITORS_INVALID),
    ("reference.edit", "GET"): (None, EDITORS),
    ("reference.edit", "POST"): ({"code": ""}, EDITORS_INVALID),
}
