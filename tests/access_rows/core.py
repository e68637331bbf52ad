"""Sign-in, dashboard, language, health check, static files, user administration."""

from tests.access_rows import ADMIN_ONLY, EVERYONE, SIGNED_IN, Row, expect

ROWS: dict[tuple[str, str], Row] = {
    ("static", "GET"): (None, EVERYONE),
    ("bootstrap.static", "GET"): (None, EVERYONE),
    ("main.healthz", "GET"): (None, EVERYONE),
    ("main.dashboard", "GET"): (None, SIGNED_IN),
    ("main.set_language", "POST"): ({"locale": "ru"}, expect(302, 302, 302, 302, 302)),
    ("auth.login", "GET"): (None, expect(200, 302, 302, 302, 302)),
    ("auth.login", "POST"): ({"email": "", "password": ""}, expect(422, 302, 302, 302, 302)),
    ("auth.logout", "POST"): ({}, expect(302, 302, 302, 302, 302)),
    # Without a right password first, the second step sends everyone back.
    ("auth.second_factor", "GET"): (None, expect(302, 302, 302, 302, 302)),
    ("auth.second_factor", "POST"): ({"code": ""}, expect(302, 302, 302, 302, 302)),
    ("auth.confirm", "GET"): (None, SIGNED_IN),
    ("auth.confirm", "POST"): ({"password": ""}, expect(302, 422, 422, 422, 422)),
    ("auth.account", "GET"): (None, SIGNED_IN),
    ("auth.end_all_sessions", "POST"): ({}, expect(302, 302, 302, 302, 302)),
    ("auth.two_factor_setup", "GET"): (None, SIGNED_IN),
    ("auth.two_factor_setup", "POST"): ({"code": ""}, expect(302, 422, 422, 422, 422)),
    # Not enrolled: back to the setup page.
    ("auth.two_factor_disable", "POST"): ({}, expect(302, 302, 302, 302, 302)),
    ("auth.change_password", "GET"): (None, SIGNED_IN),
    ("auth.change_password", "POST"): (
        {"current_password": ""},
        expect(302, 422, 422, 422, 422),
    ),
    ("admin.users", "GET"): (None, ADMIN_ONLY),
    ("admin.new_user", "GET"): (None, ADMIN_ONLY),
    ("admin.new_user", "POST"): ({"email": ""}, expect(302, 403, 403, 403, 422)),
    ("admin.deactivate_user", "POST"): ({}, expect(302, 403, 403, 403, 302)),
    ("admin.reactivate_user", "POST"): ({}, expect(302, 403, 403, 403, 302)),
    ("admin.reset_password", "POST"): ({}, ADMIN_ONLY),
}
