"""Every migration runs up and down; the models and the head migration agree."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from visits.extensions import db


def table_names(app: Flask) -> set[str]:
    return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_migrations_run_down_to_base_and_up_to_head(app: Flask) -> None:
    with app.app_context():
        assert "users" in table_names(app)
        downgrade(revision="base")
        db.engine.dispose()
        assert table_names(app) == set()
        upgrade()
        db.engine.dispose()
        assert table_names(app) == set(db.metadata.tables)


def test_models_and_head_migration_agree(app: Flask) -> None:
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_constraints_are_named_by_convention(app: Flask) -> None:
    with app.app_context():
        inspector = inspect(db.engine)
        unique = {c["name"] for c in inspector.get_unique_constraints("users")}
        checks = {c["name"] for c in inspector.get_check_constraints("users")}
    assert "uq_users_email" in unique
    assert "ck_users_role" in checks
