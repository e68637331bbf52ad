"""Headers, cookies, CSRF and hostile input: each refused with a clear 4xx."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.conftest import app_config
from tests.support import Account, AuthActions
from visits import create_app
from visits.config import from_environment
from visits.extensions import db
from visits.web.headers import CONTENT_SECURITY_POLICY


def assert_security_headers(response: TestResponse, path: str) -> None:
    headers = response.headers
    assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY, path
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff", path
    assert headers["Referrer-Policy"] == "same-origin", path
    assert headers["X-Frame-Options"] == "DENY", path


@pytest.mark.parametrize(
    "path", ["/auth/login", "/", "/auth/password", "/admin/users", "/no-such-page", "/healthz"]
)
def test_every_page_carries_the_security_headers(
    client: FlaskClient, auth: AuthActions, admin: Account, path: str
) -> None:
    auth.login(admin)
    response = client.get(path)
    assert_security_headers(response, path)
    assert response.headers["Cache-Control"] == "no-store"


def test_signed_out_pages_and_redirects_also_carry_them(client: FlaskClient) -> None:
    for path in ("/auth/login", "/", "/admin/users", "/nothing-here"):
        assert_security_headers(client.get(path), path)


def test_static_files_may_be_cached_but_not_sniffed(client: FlaskClient) -> None:
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_session_cookie_is_httponly_lax_and_secure_by_default(
    tmp_path: Path, database_url: str
) -> None:
    settings = from_environment({}, instance_dir=tmp_path)
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["REMEMBER_COOKIE_SECURE"] is True
    production = create_app({**app_config(tmp_path, database_url), "SESSION_COOKIE_SECURE": True})
    response = production.test_client().get("/auth/login")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" in cookie


def test_secret_key_is_generated_once_into_the_instance_folder(tmp_path: Path) -> None:
    first = from_environment({}, instance_dir=tmp_path)["SECRET_KEY"]
    second = from_environment({}, instance_dir=tmp_path)["SECRET_KEY"]
    assert first == second
    assert len(first) >= 48
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert (
        from_environment({"SECRET_KEY": "from-env"}, instance_dir=tmp_path)["SECRET_KEY"]
        == "from-env"
    )


def file_mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


@pytest.mark.parametrize("where", ["absolute", "relative"])
def test_the_sqlite_database_and_its_journals_are_readable_by_the_app_only(
    tmp_path: Path, where: str
) -> None:
    # Guards visits.config.create_private_database_file (called by create_app).
    instance = tmp_path / "instance"
    if where == "absolute":
        url, path = f"sqlite:///{tmp_path / 'data' / 'npm.sqlite3'}", tmp_path / "data/npm.sqlite3"
    else:  # Flask-SQLAlchemy puts a relative path in the instance folder
        url, path = "sqlite:///npm.sqlite3", instance / "npm.sqlite3"
    umask = os.umask(0o022)  # the usual one, under which SQLite alone makes 0644 files
    try:
        application = create_app(app_config(instance, url))
        assert file_mode(path) == 0o600, "created before anything connects"
        with application.app_context():
            with db.engine.begin() as connection:
                connection.exec_driver_sql("CREATE TABLE probe (value TEXT)")
                connection.exec_driver_sql("INSERT INTO probe VALUES ('written')")
                # SQLite gives its journals the database file's own mode.
                assert file_mode(path.with_name(f"{path.name}-journal")) == 0o600
            with db.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA journal_mode=WAL")
                connection.exec_driver_sql("INSERT INTO probe VALUES ('in the log')")
                connection.commit()
                assert file_mode(path.with_name(f"{path.name}-wal")) == 0o600
                assert file_mode(path.with_name(f"{path.name}-shm")) == 0o600
            db.engine.dispose()
    finally:
        os.umask(umask)
    assert file_mode(path) == 0o600


def test_a_database_file_others_can_read_is_named_in_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "old.sqlite3"
    path.touch()
    path.chmod(0o644)

    create_app(app_config(tmp_path / "instance", f"sqlite:///{path}"))

    assert f"Other accounts on this server can read the database {path}" in caplog.text
    assert file_mode(path) == 0o644, "an existing file is left as the operator set it"


def test_post_without_csrf_token_changes_nothing(
    client: FlaskClient, auth: AuthActions, admin: Account, monitor: Account
) -> None:
    auth.login(admin)
    response = client.post(f"/admin/users/{monitor.id}/deactivate")
    assert response.status_code == 400
    assert "The page had expired" in response.get_data(as_text=True)
    AuthActions(client).logout()
    assert AuthActions(client).login(monitor).status_code == 302


def test_stale_csrf_token_keeps_what_was_typed(
    client: FlaskClient, auth: AuthActions, admin: Account
) -> None:
    auth.login(admin)
    response = client.post(
        "/admin/users/new",
        data={
            "csrf_token": "stale-token-from-yesterday",
            "email": "new.monitor@test.example",
            "display_name": "Nurlan Newcomer",
            "role": "monitor",
            "preferred_locale": "ky",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "This form had expired, so nothing was saved." in page
    assert 'value="new.monitor@test.example"' in page
    assert 'value="Nurlan Newcomer"' in page
    assert "new.monitor@test.example" not in client.get("/admin/users").get_data(as_text=True)


def test_expired_login_form_keeps_the_email(client: FlaskClient, monitor: Account) -> None:
    response = client.post(
        "/auth/login", data={"email": monitor.email, "password": monitor.password}
    )
    assert response.status_code == 400
    assert f'value="{monitor.email}"' in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_tampered_session_cookie_is_ignored(
    client: FlaskClient, auth: AuthActions, monitor: Account
) -> None:
    auth.login(monitor)
    cookie = client.get_cookie("npm_session")
    assert cookie is not None
    payload, _, signature = cookie.value.rpartition(".")
    forged = payload + "." + ("A" if signature[0] != "A" else "B") + signature[1:]
    client.set_cookie("npm_session", forged)
    response = client.get("/")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_unknown_language_is_refused_with_a_message(client: FlaskClient, auth: AuthActions) -> None:
    response = auth.post("/language", {"locale": "xx"})
    assert response.status_code == 400
    assert "This language is not available" in response.get_data(as_text=True)


def test_unknown_page_is_a_404_in_the_site_layout(client: FlaskClient) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Page not found" in page
    assert "Traceback" not in page


def test_wrong_method_is_a_405_page(client: FlaskClient) -> None:
    response = client.get("/auth/logout")
    assert response.status_code == 405
    assert "Not allowed this way" in response.get_data(as_text=True)


def test_fifty_megabyte_post_is_refused(client: FlaskClient, auth: AuthActions) -> None:
    token = auth.csrf_token()
    response = client.post(
        "/auth/login",
        data={"csrf_token": token, "email": "a@b.example", "password": "x" * (50 * 1024 * 1024)},
    )
    assert response.status_code == 413
    assert "Too large" in response.get_data(as_text=True)


def test_unexpected_error_shows_a_page_without_a_trace(tmp_path: Path, database_url: str) -> None:
    app = create_app(
        {**app_config(tmp_path, database_url), "TESTING": False, "PROPAGATE_EXCEPTIONS": False}
    )

    def explode() -> str:
        raise RuntimeError("secret internal detail")

    explode.is_public = True  # type: ignore[attr-defined]
    app.add_url_rule("/explode", "explode", explode)
    response = app.test_client().get("/explode")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong" in page
    assert "secret internal detail" not in page
    assert "Traceback" not in page


def test_login_is_rate_limited_per_address(tmp_path: Path, database_url: str) -> None:
    app = create_app({**app_config(tmp_path, database_url), "LOGIN_RATE_LIMIT": "3 per minute"})
    client = app.test_client()
    auth = AuthActions(client)
    statuses = [auth.login("x@test.example", "wrong").status_code for _ in range(4)]
    assert statuses == [422, 422, 422, 429]
    assert "Too many attempts" in auth.login("x@test.example", "wrong").get_data(as_text=True)


def test_health_check_reports_the_database(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_app_is_secure_by_default(app: Flask) -> None:
    """A route added without @public needs a signed-in user."""
    private = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if not getattr(app.view_functions[rule.endpoint], "is_public", False)
        and rule.endpoint not in ("static", "bootstrap.static")
    ]
    assert "/" in private
    assert "/admin/users" in private
    client = app.test_client()
    for path in private:
        if "<" in path:
            continue
        assert client.get(path).status_code in (302, 405), path
