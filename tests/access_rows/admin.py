"""Access expectations of account pages and teams: administrators only.

The sample account (``user_id``) is a monitor who is not the requester. The
world's team "North" has one member, its lead: removing the lead is refused
(409), and so is reactivating an active team. Empty forms fail validation
(422): past the access check, nothing changed.
"""

from tests.access_rows import ADMIN_ONLY, Row, expect


def admin_gets(status: int) -> dict[str, int]:
    return expect(302, 403, 403, 403, status)


ROWS: dict[tuple[str, str], Row] = {
    ("admin.user", "GET"): (None, ADMIN_ONLY),
    ("admin.change_role", "POST"): ({"role": ""}, admin_gets(422)),
    ("admin.end_sessions", "POST"): ({}, admin_gets(302)),
    ("admin.require_two_factor", "POST"): ({}, admin_gets(302)),
    ("admin.reset_two_factor", "POST"): ({}, admin_gets(302)),
    ("admin.teams_index", "GET"): (None, ADMIN_ONLY),
    ("admin.new_team", "GET"): (None, ADMIN_ONLY),
    ("admin.new_team", "POST"): ({"name_ky": "", "name_ru": "", "name_en": ""}, admin_gets(422)),
    ("admin.team", "GET"): (None, ADMIN_ONLY),
    ("admin.update_team", "POST"): ({"name_ky": "", "name_ru": "", "name_en": ""}, admin_gets(422)),
    ("admin.add_team_member", "POST"): ({"user_id": ""}, admin_gets(422)),
    ("admin.remove_team_member", "POST"): ({}, admin_gets(409)),
    ("admin.deactivate_team", "POST"): ({}, admin_gets(302)),
    ("admin.reactivate_team", "POST"): ({}, admin_gets(409)),
}
