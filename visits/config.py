"""Settings, read from the environment, each with a safe default.

Every setting the README lists is read here and nowhere else. The defaults
are the safe ones: production mode, Secure cookies, a secret key generated
once into ``instance/`` rather than a constant in the code.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from contextlib import suppress
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
DEFAULT_INSTANCE_DIR = PROJECT_DIR / "instance"

LOCALES = ("en", "ru", "ky")

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_flag(environ: Mapping[str, str], name: str, default: bool) -> bool:
    """Read a yes/no setting; anything unrecognised is a configuration error."""
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}")


def env_int(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as error:
        raise ValueError(f"{name} must be a whole number; got {raw!r}") from error


# The values of visits.models.Role (not imported: settings load before the models).
ROLE_NAMES = ("monitor", "supervisor", "admin")


def roles_list(environ: Mapping[str, str], name: str) -> tuple[str, ...] | None:
    """Read a comma-separated list of role names, e.g. ``supervisor,admin``; None if unset."""
    raw = environ.get(name)
    if raw is None:
        return None
    roles = tuple(part.strip().lower() for part in raw.split(",") if part.strip())
    unknown = [role for role in roles if role not in ROLE_NAMES]
    if unknown:
        raise ValueError(f"{name} may name only {', '.join(ROLE_NAMES)}; got {', '.join(unknown)}")
    return roles


def secret_key_from(instance_dir: Path) -> str:
    """Return the key in ``instance/secret_key``, creating it (mode 0600) once."""
    path = instance_dir / "secret_key"
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    instance_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key)
    return key


def database_url(environ: Mapping[str, str], instance_dir: Path) -> str:
    """PostgreSQL (psycopg 3) when DATABASE_URL is set, else SQLite in instance/."""
    url = environ.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{instance_dir / 'visits.sqlite3'}"
    # Heroku-style and plain postgres:// URLs name no driver; we use psycopg 3.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def sqlite_file(url: str, instance_dir: Path) -> Path | None:
    """The file of a SQLite database URL, None for an in-memory or another database.

    A relative path is in the instance folder, as Flask-SQLAlchemy reads it.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    name = str(parsed.database)
    if parsed.query.get("uri"):
        if parsed.query.get("mode") == "memory":
            return None
        name = name.removeprefix("file:")
    path = Path(name)
    return path if path.is_absolute() else instance_dir / path


def create_private_database_file(url: str, instance_dir: Path) -> Path | None:
    """Create a SQLite database file readable by the app's user only (0600).

    Left to SQLite, the file would follow the umask (usually 0644: every
    account on the server could copy the database). An empty file is a
    valid empty database. SQLite gives the ``-journal``, ``-wal`` and
    ``-shm`` files it makes next to it the database file's own mode, so
    they are private too. An existing file is left as it is; returns its
    path, so that the caller can warn when others can read it.
    """
    path = sqlite_file(url, instance_dir)
    if path is None:
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    return path


def from_environment(
    environ: Mapping[str, str] | None = None, instance_dir: Path | None = None
) -> dict[str, Any]:
    """Build the Flask config mapping from environment variables."""
    env = os.environ if environ is None else environ
    instance = Path(env.get("INSTANCE_PATH") or instance_dir or DEFAULT_INSTANCE_DIR)
    app_env = (env.get("APP_ENV") or env.get("FLASK_ENV") or "production").strip().lower()
    production = app_env == "production"
    redis_url = env.get("REDIS_URL", "").strip()
    default_locale = env.get("BABEL_DEFAULT_LOCALE", "en").strip()
    if default_locale not in LOCALES:
        raise ValueError(f"BABEL_DEFAULT_LOCALE must be one of {', '.join(LOCALES)}")

    return {
        "APP_ENV": app_env,
        "PRODUCTION": production,
        "SECRET_KEY": env.get("SECRET_KEY") or secret_key_from(instance),
        "INSTANCE_PATH": str(instance),
        # Empty: the translated "National Preventive Mechanism".
        "NPM_NAME": env.get("NPM_NAME", ""),
        # The year the NPM began: no visit is dated before it (2012, the year of
        # Kyrgyzstan's law on its National Centre for the Prevention of Torture).
        "NPM_FOUNDING_YEAR": env_int(env, "NPM_FOUNDING_YEAR", 2012),
        # Database
        "SQLALCHEMY_DATABASE_URI": database_url(env, instance),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # Sessions and cookies
        "SESSION_COOKIE_NAME": "npm_session",
        "SESSION_COOKIE_SECURE": env_flag(env, "SESSION_COOKIE_SECURE", True),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_NAME": "npm_remember",
        "REMEMBER_COOKIE_SECURE": env_flag(env, "SESSION_COOKIE_SECURE", True),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_DURATION": timedelta(days=env_int(env, "REMEMBER_DAYS", 7)),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=env_int(env, "SESSION_LIFETIME_HOURS", 12)),
        # A session unused this long ends; one that asks to export data or change
        # a role asks for the password again when it was given longer ago.
        "SESSION_IDLE_MINUTES": env_int(env, "SESSION_IDLE_MINUTES", 30),
        "REAUTH_MINUTES": env_int(env, "REAUTH_MINUTES", 5),
        # Second factor: roles that must use it (besides accounts an administrator
        # marks). Unset (None): supervisors and administrators when PRODUCTION.
        "REQUIRE_2FA_FOR": roles_list(env, "REQUIRE_2FA_FOR"),
        # Sign-in throttle, checked before any password hashing: attempts per
        # email and client address, and (slower) per email from any address.
        "LOGIN_FAILURES_LIMIT": env_int(env, "LOGIN_FAILURES_LIMIT", 5),
        "LOGIN_FAILURES_WINDOW_MINUTES": env_int(env, "LOGIN_FAILURES_WINDOW_MINUTES", 15),
        "LOGIN_FAILURES_GLOBAL_LIMIT": env_int(env, "LOGIN_FAILURES_GLOBAL_LIMIT", 50),
        "LOGIN_FAILURES_GLOBAL_WINDOW_MINUTES": env_int(
            env, "LOGIN_FAILURES_GLOBAL_WINDOW_MINUTES", 60
        ),
        # Requests
        "MAX_CONTENT_LENGTH": env_int(env, "MAX_CONTENT_LENGTH", 25 * 1024 * 1024),
        # Largest photo or document accepted; keep it below MAX_CONTENT_LENGTH so
        # that the user gets the upload form's message rather than the 413 page.
        "ATTACHMENT_MAX_BYTES": env_int(env, "ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024),
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        "TRUST_PROXY_HOPS": env_int(env, "TRUST_PROXY_HOPS", 0),
        # CSRF: checked by our own request guard (after the sign-in check),
        # valid as long as the session is.
        "WTF_CSRF_CHECK_DEFAULT": False,
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_I18N_ENABLED": True,
        # Languages and time
        "BABEL_DEFAULT_LOCALE": default_locale,
        "BABEL_DEFAULT_TIMEZONE": env.get("TIMEZONE", "Asia/Bishkek"),
        "BABEL_TRANSLATION_DIRECTORIES": str(PROJECT_DIR / "translations"),
        # Passwords (argon2id; RFC 9106 low-memory profile by default)
        "ARGON2_TIME_COST": env_int(env, "ARGON2_TIME_COST", 3),
        "ARGON2_MEMORY_COST": env_int(env, "ARGON2_MEMORY_COST", 65536),
        "ARGON2_PARALLELISM": env_int(env, "ARGON2_PARALLELISM", 4),
        "PASSWORD_MIN_LENGTH": env_int(env, "PASSWORD_MIN_LENGTH", 12),
        # Rate limits (per client IP); Redis when configured so that every
        # worker and host shares the counters.
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_ENABLED": env_flag(env, "RATELIMIT_ENABLED", True),
        "RATELIMIT_HEADERS_ENABLED": False,
        "LOGIN_RATE_LIMIT": env.get("LOGIN_RATE_LIMIT", "20 per minute"),
        "REDIS_URL": redis_url,
        # Field and file encryption: "id:base64key,..." newest first; empty means
        # keys generated once into instance/encryption_keys.json.
        "ENCRYPTION_KEYS": env.get("ENCRYPTION_KEYS", "").strip(),
        # At start-up, refuse to run when stored data needs a key not configured;
        # 0 only to let `flask keys status` or `flask db` run while one is missing.
        "ENCRYPTION_KEY_CHECK": env_flag(env, "ENCRYPTION_KEY_CHECK", True),
        # The audit trail's chain is a MAC under this key (hex digits or base64, at
        # least 32 bytes); empty means a key generated once into instance/audit_key.
        "AUDIT_KEY": env.get("AUDIT_KEY", "").strip(),
        # Recommendations: the days an authority has to answer, from the letter's
        # date; fewer where a source finding alleges torture or ill-treatment.
        "RECOMMENDATION_RESPONSE_DAYS": env_int(env, "RECOMMENDATION_RESPONSE_DAYS", 30),
        "URGENT_RESPONSE_DAYS": env_int(env, "URGENT_RESPONSE_DAYS", 1),
        # Demo data
        "DEMO_PASSWORD": env.get("DEMO_PASSWORD", ""),
    }


def deployment_warnings(config: Mapping[str, Any]) -> list[str]:
    """What a production configuration lacks that would turn a protection against its users.

    ``create_app`` logs each as a warning when it starts; README, "Production".
    """
    if not config.get("PRODUCTION"):
        return []
    found = []
    limit = config.get("LOGIN_RATE_LIMIT", "")
    if not config.get("REDIS_URL"):
        found.append(
            "REDIS_URL is not set: the rate limits per client address (LOGIN_RATE_LIMIT, "
            f"{limit}) are counted by each worker process apart, so they allow that many "
            "attempts per worker and restart at every deployment. Set REDIS_URL so that "
            "every worker and host shares the counters."
        )
    if not config.get("TRUST_PROXY_HOPS"):
        found.append(
            "TRUST_PROXY_HOPS is 0: behind a reverse proxy every user then has the proxy's "
            f"address, so the sign-in limit per address (LOGIN_RATE_LIMIT, {limit}) is shared "
            "by all users and a few people mistyping their passwords lock everyone out, and "
            "the audit trail records the proxy's address. Set TRUST_PROXY_HOPS to the number "
            "of proxies in front (1 for one nginx); leave it 0 only when clients connect to "
            "the app directly."
        )
    return found
