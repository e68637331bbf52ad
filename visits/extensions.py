"""The Flask extensions, created unbound and initialised in ``create_app``."""

import sqlite3
from typing import Any

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import Engine, event

from visits.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def _lower(value: str | None) -> str | None:
    return value.lower() if isinstance(value, str) else value


@event.listens_for(Engine, "connect")
def _unicode_lower(connection: Any, _record: Any) -> None:
    """SQLite's own ``lower()`` knows only A-Z: searching "бишкек" would miss "Бишкек".

    PostgreSQL lowers every script already; SQLite gets Python's ``str.lower``.
    """
    if isinstance(connection, sqlite3.Connection):
        connection.create_function("lower", 1, _lower, deterministic=True)
