"""Alembic environment for Flask-Migrate (batch mode on SQLite, see create_app)."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

config = context.config
if config.config_file_name is not None:
    # Keep the app's and pytest's loggers working.
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

migrate_extension = current_app.extensions["migrate"]
target_metadata = migrate_extension.db.metadata


def run_migrations_offline() -> None:
    """Emit SQL for the configured URL without connecting."""
    url = migrate_extension.db.engine.url.render_as_string(hide_password=False)
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        **migrate_extension.configure_args,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run against the app's database connection."""

    def skip_empty_autogenerate(context, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")

    configure_args = {"compare_type": True, **migrate_extension.configure_args}
    configure_args.setdefault("process_revision_directives", skip_empty_autogenerate)
    with migrate_extension.db.engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, **configure_args)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
