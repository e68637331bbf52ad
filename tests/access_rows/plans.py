"""Access expectations of the plans area: all read, supervisors and admins edit."""

from tests.access_rows import SIGNED_IN, Row, expect

ROWS: dict[tuple[str, str], Row] = {
    # Redirects to this year's plan (anonymous users: to the sign-in page).
    ("plans.current", "GET"): (None, expect(302, 302, 302, 302, 302)),
    ("plans.year", "GET"): (None, SIGNED_IN),
    ("plans.add_entry", "POST"): ({"place_id": ""}, expect(302, 403, 403, 422, 422)),
    # The world's entry was not started: editors withdraw it and go back to the plan.
    ("plans.withdraw_entry", "POST"): ({}, expect(302, 403, 403, 302, 302)),
}
