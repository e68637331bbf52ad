"""Case management for National Preventive Mechanisms: the application factory.

How the package is laid out and why: docs/architecture.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_bootstrap import Bootstrap5
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from visits import config as settings
from visits.extensions import babel, csrf, db, limiter, login_manager, migrate
from visits.web.uploads import AppRequest

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app; ``config`` overrides the settings read from the environment."""
    overrides = dict(config or {})
    values = settings.from_environment(
        instance_dir=Path(overrides["INSTANCE_PATH"]) if "INSTANCE_PATH" in overrides else None
    )
    values.update(overrides)

    app = Flask(
        __name__,
        template_folder=str(settings.PROJECT_DIR / "templates"),
        static_folder=str(settings.PROJECT_DIR / "static"),
        instance_path=values["INSTANCE_PATH"],
    )
    app.request_class = AppRequest
    app.config.from_mapping(values)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if app.config["TRUST_PROXY_HOPS"]:
        hops = app.config["TRUST_PROXY_HOPS"]
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )

    for warning in settings.deployment_warnings(app.config):
        app.logger.warning(warning)
    _create_database_file(app)
    _init_extensions(app)
    _init_key_ring(app)
    _init_audit_key(app)
    _register_blueprints(app)
    _register_hooks(app)

    from visits.cli import register_commands

    register_commands(app)
    return app


def _create_database_file(app: Flask) -> None:
    """A SQLite file is created private (0600) before anything connects to it."""
    path = settings.create_private_database_file(
        app.config["SQLALCHEMY_DATABASE_URI"], Path(app.instance_path)
    )
    if path is not None and path.stat().st_mode & 0o077:
        app.logger.warning(
            "Other accounts on this server can read the database %s: run `chmod 600` on it "
            "(and on any %s-journal, -wal or -shm file next to it).",
            path,
            path.name,
        )


def _init_extensions(app: Flask) -> None:
    from visits.i18n import select_locale

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    Bootstrap5(app)

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "basic"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"


def _init_key_ring(app: Flask) -> None:
    from visits.crypto import KeyConfigurationError, keys_file, load_or_create_keys, parse_keys
    from visits.crypto.inventory import unconfigured_key_ids

    spec = app.config["ENCRYPTION_KEYS"]
    app.extensions["key_ring"] = (
        parse_keys(spec) if spec else load_or_create_keys(Path(app.instance_path))
    )
    if not app.config["ENCRYPTION_KEY_CHECK"]:
        return
    # Refuse to start rather than show records that cannot be read.
    missing = sorted(unconfigured_key_ids(app))
    if missing:
        named = ", ".join(repr(key_id) for key_id in missing)
        where = "ENCRYPTION_KEYS"
        if not spec:
            where += f" (or restore {keys_file(Path(app.instance_path))} from a backup)"
        raise KeyConfigurationError(
            f"encryption key {named} is missing: add it to {where}"
            if len(missing) == 1
            else f"encryption keys {named} are missing: add them to {where}"
        )


def _init_audit_key(app: Flask) -> None:
    from visits.audit.key import audit_key_from

    app.extensions["audit_key"] = audit_key_from(app.config["AUDIT_KEY"], Path(app.instance_path))


def _register_blueprints(app: Flask) -> None:
    from visits.web.numbers import DatabaseIntConverter

    # Before any route is added: every <int:...> then refuses ids no table can hold.
    app.url_map.converters["int"] = DatabaseIntConverter

    from visits import (
        admin,
        attachments,
        auth,
        checklists,
        deleted,
        findings,
        interviews,
        main,
        places,
        plans,
        recommendations,
        reference,
    )
    from visits import visits as visits_area
    from visits.approvals import views as approvals_views
    from visits.audit import views as audit_views

    app.register_blueprint(main.bp)
    app.register_blueprint(auth.bp, url_prefix="/auth")
    app.register_blueprint(admin.bp, url_prefix="/admin")
    app.register_blueprint(reference.bp, url_prefix="/reference")
    app.register_blueprint(places.bp, url_prefix="/places")
    app.register_blueprint(plans.bp, url_prefix="/plans")
    app.register_blueprint(checklists.bp, url_prefix="/checklists")
    app.register_blueprint(visits_area.bp, url_prefix="/visits")
    # These three hang below /visits/<id>/... for new items and have their
    # own /interviews/<id>, /findings/<id>, /attachments/<id> pages.
    app.register_blueprint(interviews.bp)
    app.register_blueprint(findings.bp)
    app.register_blueprint(attachments.bp)
    # /recommendations/... and /visits/<id>/recommendations/new.
    app.register_blueprint(recommendations.bp)
    app.register_blueprint(deleted.bp, url_prefix="/deleted")
    app.register_blueprint(audit_views.bp, url_prefix="/admin/audit")
    app.register_blueprint(approvals_views.bp, url_prefix="/approvals")


def _register_hooks(app: Flask) -> None:
    from flask_babel import format_number, get_locale
    from flask_babel import gettext as _

    from visits.access import can
    from visits.audit import reads as audit_reads
    from visits.i18n import LANGUAGE_NAMES, show_day
    from visits.models import Confidentiality
    from visits.models.attachment import CAPTION_MAX_LENGTH
    from visits.web import once
    from visits.web.drafts import current_owner
    from visits.web.error_pages import register_error_handlers
    from visits.web.guard import guard_request
    from visits.web.headers import add_security_headers

    app.before_request(guard_request)
    once.init_app(app)  # after the guard: signed in, CSRF token checked
    audit_reads.init_app(app)
    app.after_request(add_security_headers)
    register_error_handlers(app)
    app.jinja_env.filters["day"] = show_day
    app.jinja_env.globals["format_number"] = format_number
    # The upload form is written by hand (its file field is not a WTForms field).
    app.jinja_env.globals["caption_max_length"] = CAPTION_MAX_LENGTH

    @app.context_processor
    def template_helpers() -> dict[str, Any]:
        return {
            "can": lambda permission: can(current_user, permission),
            # Pages mark their printed copies with a level (templates/base.html).
            "Confidentiality": Confidentiality,
            "drafts_owner": current_owner,
            "language_names": LANGUAGE_NAMES,
            "current_locale": str(get_locale()),
            "npm_name": app.config["NPM_NAME"] or _("National Preventive Mechanism"),
        }
