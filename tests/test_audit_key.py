"""The audit key: from ``AUDIT_KEY`` or generated once into ``instance/audit_key``, never
in the database, and the same for every app that shares the setting or the file."""

from __future__ import annotations

import base64
import secrets
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.conftest import app_config
from tests.test_audit_chain import add_events, verify
from visits import create_app
from visits.audit.key import audit_key_from, key_file
from visits.crypto import KeyConfigurationError
from visits.extensions import db


@pytest.fixture
def make_app(tmp_path: Path, database_url: str) -> Iterator[Callable[..., Flask]]:
    """Apps on the test database, each with the instance folder it names."""
    made: list[Flask] = []

    def make(instance: str = "instance", **overrides: Any) -> Flask:
        application = create_app(app_config(tmp_path / instance, database_url, **overrides))
        made.append(application)
        return application

    yield make
    for application in made:
        with application.app_context():
            db.engine.dispose()


def test_without_a_setting_the_key_is_generated_once_into_the_instance_folder(
    app: Flask, make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    first = make_app("shared")
    path = key_file(tmp_path / "shared")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(bytes.fromhex(path.read_text())) == 32
    add_events(first, 2)
    second = make_app("shared")  # another worker, or a restart
    assert second.extensions["audit_key"] == first.extensions["audit_key"]
    assert verify(second).exit_code == 0
    # Another instance folder, another key: a host must share the file or the setting.
    assert verify(make_app("elsewhere")).exit_code == 1


def test_a_key_file_another_worker_just_created_is_kept(tmp_path: Path) -> None:
    path = key_file(tmp_path)
    path.write_text(secrets.token_hex(32))
    before = path.read_text()
    assert audit_key_from("", tmp_path) == bytes.fromhex(before)
    assert path.read_text() == before


def test_the_setting_takes_hex_or_base64_and_no_file_is_written(
    app: Flask, make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    key = secrets.token_bytes(32)
    as_hex = make_app("hex", AUDIT_KEY=key.hex())
    as_base64 = make_app("b64", AUDIT_KEY=base64.b64encode(key).decode())
    assert as_hex.extensions["audit_key"] == as_base64.extensions["audit_key"] == key
    assert not key_file(tmp_path / "hex").exists()
    add_events(as_hex, 2)
    assert verify(as_base64).exit_code == 0


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (secrets.token_hex(16), "AUDIT_KEY has 16 bytes; the audit key needs at least 32"),
        ("not a key, not base64!", "AUDIT_KEY is neither hex digits nor base64"),
    ],
)
def test_an_unusable_setting_stops_the_app_without_showing_it(
    app: Flask, tmp_path: Path, database_url: str, value: str, message: str
) -> None:
    with pytest.raises(KeyConfigurationError, match=message) as refused:
        create_app(app_config(tmp_path, database_url, AUDIT_KEY=value))
    assert value not in str(refused.value)
