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
