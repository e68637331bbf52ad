"""The app says at start-up when a production configuration would lock its users out.

Without REDIS_URL each worker counts the per-address limits apart; without
TRUST_PROXY_HOPS behind a proxy every user shares the proxy's address, so
a few mistyped passwords a minute lock everyone out. README, "Production".
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import app_config
from visits import create_app


def warnings_at_start(
    caplog: pytest.LogCaptureFixture, tmp_path: Path, database_url: str, **settings: Any
) -> str:
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        create_app(app_config(tmp_path, database_url, **settings))
    return "\n".join(
        record.getMessage() for record in caplog.records if record.levelno == logging.WARNING
    )


PRODUCTION = {"APP_ENV": "production", "PRODUCTION": True}


def test_production_without_redis_or_proxy_hops_warns_about_both(
    caplog: pytest.LogCaptureFixture, tmp_path: Path, database_url: str
) -> None:
    logged = warnings_at_start(
        caplog, tmp_path, database_url, **PRODUCTION, REDIS_URL="", TRUST_PROXY_HOPS=0
    )
    assert "REDIS_URL is not set" in logged
    assert "per worker" in logged
    assert "TRUST_PROXY_HOPS is 0" in logged
    assert "lock everyone out" in logged


def test_production_with_both_set_starts_without_these_warnings(
    caplog: pytest.LogCaptureFixture, tmp_path: Path, database_url: str
) -> None:
    logged = warnings_at_start(
        caplog,
        tmp_path,
        database_url,
        **PRODUCTION,
        REDIS_URL="redis://127.0.0.1:6379/0",
        TRUST_PROXY_HOPS=1,
    )
    assert "REDIS_URL" not in logged
    assert "TRUST_PROXY_HOPS" not in logged


def test_each_missing_setting_is_named_on_its_own(
    caplog: pytest.LogCaptureFixture, tmp_path: Path, database_url: str
) -> None:
    logged = warnings_at_start(
        caplog, tmp_path, database_url, **PRODUCTION, REDIS_URL="", TRUST_PROXY_HOPS=1
    )
    assert "REDIS_URL is not set" in logged
    assert "TRUST_PROXY_HOPS" not in logged


def test_a_development_start_does_not_warn(
    caplog: pytest.LogCaptureFixture, tmp_path: Path, database_url: str
) -> None:
    logged = warnings_at_start(caplog, tmp_path, database_url, REDIS_URL="", TRUST_PROXY_HOPS=0)
    assert "REDIS_URL" not in logged
    assert "TRUST_PROXY_HOPS" not in logged
