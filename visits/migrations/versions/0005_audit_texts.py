"""The audit trail's free text, encrypted apart: ``audit_texts``.

Events now refer to what a person wrote (a deletion's reason) instead of
holding it; the table is append-only like ``audit_events``, except that
``flask keys rotate`` may re-encrypt a text (its id and row key never
change). Events recorded before this revision keep their reasons in plain
text in their details: the trail is append-only and its MACs cover them, so
they stay as they were written. The downgrade drops the table, and with it
the texts the newer events refer to.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 06:00:00.000000
"""

import sqlalchemy as sa
from alembic import op


revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

MESSAGE = "audit_texts is append-only"


def upgrade() -> None:
    op.create_table(
        "audit_texts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("row_key", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_texts")),
        sa.UniqueConstraint("row_key", name=op.f("uq_audit_texts_row_key")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE OR REPLACE FUNCTION audit_texts_append_only() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN "
            "IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND NEW.row_key = OLD.row_key THEN "
            "RETURN NEW; END IF; "
            f"RAISE EXCEPTION '{MESSAGE}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_texts_no_change BEFORE UPDATE OR DELETE ON audit_texts "
            "FOR EACH ROW EXECUTE FUNCTION audit_texts_append_only()"
        )
        op.execute(
            "CREATE TRIGGER audit_texts_no_truncate BEFORE TRUNCATE ON audit_texts "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_texts_append_only()"
        )
    else:
        op.execute(
            "CREATE TRIGGER audit_texts_no_delete BEFORE DELETE ON audit_texts "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        )
        op.execute(
            "CREATE TRIGGER audit_texts_no_rekey BEFORE UPDATE OF id, row_key ON audit_texts "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_texts_no_truncate ON audit_texts")
        op.execute("DROP TRIGGER audit_texts_no_change ON audit_texts")
        op.execute("DROP FUNCTION audit_texts_append_only()")
    else:
        op.execute("DROP TRIGGER audit_texts_no_rekey")
        op.execute("DROP TRIGGER audit_texts_no_delete")
    op.drop_table("audit_texts")
