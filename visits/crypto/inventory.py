"""Which keys the stored data uses, and re-encryption under the newest key.

Reads every encrypted column (``visits.crypto.fields``) and the attachment
store: for ``flask keys status``, the start-up check that every key the data
needs is configured, and ``flask keys rotate``.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import Connection, func, select, union, update
from sqlalchemy import column as sql_column
from sqlalchemy import table as sql_table
from sqlalchemy.exc import OperationalError, ProgrammingError

import visits.models  # noqa: F401  (every model registers its encrypted fields on import)
from visits.crypto import cipher as crypto
from visits.crypto.errors import DecryptionError
from visits.crypto.fields import (
    ATTACHMENT_FOLDER,
    EncryptedColumn,
    field_aad,
    field_locations,
    file_aad,
)
from visits.crypto.keys import KEY_ID_LENGTH, KeyRing, key_ring
from visits.extensions import db


def encrypted_columns() -> list[EncryptedColumn]:
    """Every encrypted field of every model, table by table."""
    return sorted(field_locations(), key=lambda c: (c.table, c.column))


def _key_id_part(column: Any) -> Any:
    return func.substr(column, len(crypto.PREFIX) + 2, KEY_ID_LENGTH)


def _sql_column(location: EncryptedColumn) -> Any:
    return db.metadata.tables[location.table].c[location.column]


def key_ids_in_database(connection: Connection) -> set[str]:
    """The key ids the encrypted columns use: one SELECT DISTINCT over them all."""
    selects = []
    for location in encrypted_columns():
        column = _sql_column(location)
        selects.append(
            select(_key_id_part(column).label("key_id")).where(column.like(f"{crypto.PREFIX}:%"))
        )
    return set(connection.execute(union(*selects)).scalars())


def key_id_counts(connection: Connection) -> dict[EncryptedColumn, Counter[str]]:
    """For each encrypted column: how many values each key id encrypts.

    Non-empty values that are not encrypted count under ``""``.
    """
    counts: dict[EncryptedColumn, Counter[str]] = {}
    for location in encrypted_columns():
        column = _sql_column(location)
        key_id = _key_id_part(column)
        rows = connection.execute(
            select(key_id, func.count()).where(column.like(f"{crypto.PREFIX}:%")).group_by(key_id)
        ).all()
        plaintext = connection.execute(
            select(func.count()).where(column != "", column.not_like(f"{crypto.PREFIX}:%"))
        ).scalar_one()
        counter: Counter[str] = Counter({row[0]: row[1] for row in rows})
        if plaintext:
            counter[""] = plaintext
        counts[location] = counter
    return counts


def attachment_files(instance_path: str | Path) -> Iterator[Path]:
    """The stored files (hidden names are temporaries of a conversion, not attachments)."""
    folder = Path(instance_path) / ATTACHMENT_FOLDER
    if folder.is_dir():
        yield from sorted(
            path for path in folder.iterdir() if path.is_file() and not path.name.startswith(".")
        )


def file_key_id_counts(instance_path: str | Path) -> Counter[str]:
    """How many attachment files each key id encrypts (``""``: not encrypted)."""
    counts: Counter[str] = Counter()
    for path in attachment_files(instance_path):
        with path.open("rb") as handle:
            header = handle.read(crypto.FILE_HEADER_BYTES)
        counts[crypto.file_key_id(header) if crypto.is_encrypted_file(header) else ""] += 1
    return counts


def unconfigured_key_ids(app: Flask) -> set[str]:
    """Key ids that values in the database or attachment files use but no key has.

    Cheap enough for every start: one SELECT DISTINCT and the first bytes of
    each file. A database without the tables yet (before the first
    migration) has no such values.
    """
    with app.app_context():
        engine = db.engine
    used: set[str] = set()
    try:
        with engine.connect() as connection:
            try:
                used = key_ids_in_database(connection)
            except (OperationalError, ProgrammingError):
                connection.rollback()  # no schema yet, or one older than these columns
    except OperationalError:
        app.logger.warning("The database is unreachable: the encryption key check was skipped.")
    finally:
        # Nothing stays open in a process that may fork workers (gunicorn --preload).
        engine.dispose()
    used |= set(file_key_id_counts(app.instance_path)) - {""}
    ring: KeyRing = app.extensions["key_ring"]
    return used - ring.ids


# --- Rotation ------------------------------------------------------------------------


def reencrypt_values(connection: Connection) -> dict[EncryptedColumn, int]:
    """Re-encrypt under the newest key every value an older key encrypts; counts per column.

    Rows are updated through plain SQL: neither their version nor their
    time of change moves, since nothing a person wrote changed.
    """
    current = f"{crypto.PREFIX}:{key_ring().current_id}:%"
    counts: dict[EncryptedColumn, int] = {}
    for location in encrypted_columns():
        source = _sql_column(location)
        table = source.table
        rows = connection.execute(
            select(table.c.id, table.c.row_key, source).where(
                source.like(f"{crypto.PREFIX}:%"), source.not_like(current)
            )
        ).all()
        target = sql_table(location.table, sql_column("id"), sql_column(location.column))
        for row_id, row_key, value in rows:
            aad = field_aad(location.table, location.column, row_key)
            try:
                fresh = crypto.encrypt(crypto.decrypt(value, aad), aad)
            except DecryptionError as error:
                error.locate(location.table, row_id)
                raise
            connection.execute(
                update(target).where(target.c.id == row_id).values({location.column: fresh})
            )
        counts[location] = len(rows)
    return counts


def reencrypt_files(instance_path: str | Path) -> int:
    """Re-encrypt under the newest key every attachment file an older key encrypts."""
    current = key_ring().current_id
    count = 0
    for path in attachment_files(instance_path):
        blob = path.read_bytes()
        if not crypto.is_encrypted_file(blob) or crypto.file_key_id(blob) == current:
            continue
        aad = file_aad(path.name)
        try:
            content = crypto.decrypt_bytes(blob, aad)
        except DecryptionError as error:
            raise DecryptionError(f"the attachment file {path}: {error}") from error
        replace_file(path, crypto.encrypt_bytes(content, aad))
        count += 1
    return count


def replace_file(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path`` at once: a reader sees the old file or the new one."""
    temporary = path.with_name(f".{path.name}.rotating")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)
    os.replace(temporary, path)
