"""Access expectations, one module per area, merged by tests/test_access_matrix.py.

Each module has ``ROWS``: ``(endpoint, method) -> (form data, {role: status})``
for the roles ``anonymous``, ``monitor`` (on the team of the world's visit),
``outsider`` (a monitor of another team), ``supervisor`` and ``admin``.
URL arguments take their values from ``tests.factories.World.url_values``.
POST data should be the smallest that shows the rule: an empty form that
fails validation (422) proves the user got past the access check without
changing anything.
"""

from typing import Any

Row = tuple[dict[str, Any] | None, dict[str, int]]

ROLES = ("anonymous", "monitor", "outsider", "supervisor", "admin")


def expect(
    anonymous: int, monitor: int, outsider: int, supervisor: int, admin: int
) -> dict[str, int]:
    return {
        "anonymous": anonymous,
        "monitor": monitor,
        "outsider": outsider,
        "supervisor": supervisor,
        "admin": admin,
    }


EVERYONE = expect(200, 200, 200, 200, 200)
SIGNED_IN = expect(302, 200, 200, 200, 200)
ADMIN_ONLY = expect(302, 403, 403, 403, 200)
