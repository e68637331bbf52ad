"""Access expectations of the places area: all read, supervisors and admins edit."""

from tests.access_rows import SIGNED_IN, Row, expect

EDITORS = expect(302, 403, 403, 200, 200)
# An empty form fails validation: the editor got past the access check.
EDITORS_INVALID = expect(302, 403, 403, 422, 422)

ROWS: dict[tuple[str, str], Row] = {
    ("places.index", "GET"): (None, SIGNED_IN),
    ("places.new", "GET"): (None, EDITORS),
    ("places.new", "POST"): ({"name_ky": "", "name_ru": "", "name_en": ""}, EDITORS_INVALID),
    ("places.detail", "GET"): (None, SIGNED_IN),
    ("places.edit", "GET"): (None, EDITORS),
    ("places.edit", "POST"): ({"name_ky": "", "name_ru": "", "name_en": ""}, EDITORS_INVALID),
    ("places.deactivate", "POST"): ({"reason": ""}, EDITORS_INVALID),
    # The world's place is active: reactivating it is refused as a no-op.
    ("places.reactivate", "POST"): ({}, expect(302, 403, 403, 409, 409)),
}
