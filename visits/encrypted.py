"""Encrypted text fields: plain text in Python, AES-GCM ciphertext in the database.

A model maps the stored column under a ``*_encrypted`` attribute and puts an
``Encrypted`` descriptor under the name the rest of the code uses::

    notes_encrypted: Mapped[str] = mapped_column("notes", Text, default="")
    notes = Encrypted("notes_encrypted")

Reading ``interview.notes`` decrypts; assigning to it (the constructor
included) encrypts under the newest key. The associated data is
``<table>.<column>.<row key>``, where the row key is a random identifier
given to the row on first use (its id exists only after the INSERT), so a
value copied into another row or column no longer decrypts. An empty value
stays empty.

Nothing may filter or sort on these columns in SQL: the database holds only
ciphertext. ``Interview.notes`` (on the class) is the descriptor itself, not
a column, so such a query fails loudly instead of matching nothing.
"""

from __future__ import annotations

import os
import secrets
from collections import Counter
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, overload

from flask import Flask
from sqlalchemy import Connection, String, event, func, inspect, select, union, update
from sqlalchemy import column as sql_column
from sqlalchemy import table as sql_table
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Mapped, mapped_column

from visits import crypto

ROW_KEY_LENGTH = 32
ATTACHMENT_FOLDER = "attachments"


def new_row_key() -> str:
    return secrets.token_hex(ROW_KEY_LENGTH // 2)


def field_aad(table: str, column: str, row_key: str) -> str:
    """The associated data that binds a value to its table, column and row."""
    return f"{table}.{column}.{row_key}"


def file_aad(stored_name: str) -> str:
    """The associated data that binds an attachment file to its name."""
    return f"{ATTACHMENT_FOLDER}/{stored_name}"


class RowKeyMixin:
    """A stable random identifier for each row, part of its values' associated data."""

    row_key: Mapped[str] = mapped_column(String(ROW_KEY_LENGTH), unique=True, default=new_row_key)


@dataclass(frozen=True)
class EncryptedColumn:
    """Where one encrypted field lives in the database."""

    table: str
    column: str
    attribute: str

    def __str__(self) -> str:
        return f"{self.table}.{self.column}"


_FIELDS: list[Encrypted] = []
# Per instance: attribute name -> (ciphertext, plain text) last seen.
_PLAINTEXT = "_encrypted_plaintext"


class Encrypted:
    """A plain ``str`` attribute over a mapped column that holds its ciphertext.

    The plain text is kept with the instance, next to the ciphertext it
    came from, once decrypted or assigned; rows are decrypted as they are
    loaded (inside the app, where the keys are). So a value reads the same
    outside the app context as any other loaded attribute, and a page that
    shows it twice decrypts it once.
    """

    def __init__(self, stored: str) -> None:
        self.stored = stored
        self.name = ""
        self.owner: type[Any] | None = None

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self.owner, self.name = owner, name
        _FIELDS.append(self)

    @cached_property
    def location(self) -> EncryptedColumn:
        if self.owner is None:
            raise TypeError("Encrypted is meant for an attribute of a model class")
        column = inspect(self.owner).columns[self.stored]
        return EncryptedColumn(self.owner.__tablename__, column.name, self.name)

    def _aad(self, instance: Any) -> str:
        if instance.row_key is None:  # a new object: keys are given on first use
            instance.row_key = new_row_key()
        location = self.location
        return field_aad(location.table, location.column, instance.row_key)

    def _not_in_sql(self, *args: object) -> Any:
        raise TypeError(
            f"{self.location} is encrypted: the database cannot filter, sort or select on it"
        )

    # ``Interview.notes == x`` or ``order_by(Interview.notes)`` fail here, loudly.
    __clause_element__ = __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = _not_in_sql
    __hash__ = object.__hash__

    @overload
    def __get__(self, instance: None, owner: type[Any] | None = None) -> Encrypted: ...

    @overload
    def __get__(self, instance: object, owner: type[Any] | None = None) -> str: ...

    def __get__(self, instance: object | None, owner: type[Any] | None = None) -> str | Encrypted:
        if instance is None:
            return self
        return self._plaintext(instance, getattr(instance, self.stored))

    def _plaintext(self, instance: object, stored: str | None) -> str:
        if not stored:
            return ""
        remembered = instance.__dict__.get(_PLAINTEXT, {}).get(self.name)
        if remembered is not None and remembered[0] == stored:
            return str(remembered[1])
        try:
            plain = crypto.decrypt(stored, self._aad(instance))
        except crypto.DecryptionError as error:
            error.locate(self.location.table, getattr(instance, "id", None))
            raise
        self._remember(instance, stored, plain)
        return plain

    def ciphertext_for(self, instance: object, value: str) -> str:
        """What the column stores for ``value`` in this row (for SQL that bypasses the ORM)."""
        return crypto.encrypt(value, self._aad(instance)) if value else ""

    def _remember(self, instance: object, stored: str, plain: str) -> None:
        instance.__dict__.setdefault(_PLAINTEXT, {})[self.name] = (stored, plain)

    def __set__(self, instance: object, value: str | None) -> None:
        value = value or ""
        current = getattr(instance, self.stored)
        if value and current and self._unchanged(instance, current, value):
            # Same text under the newest key: no new nonce, so no spurious change.
            return
        stored = self.ciphertext_for(instance, value)
        setattr(instance, self.stored, stored)
        self._remember(instance, stored, value)

    def _unchanged(self, instance: object, current: str, value: str) -> bool:
        if crypto.key_id_of(current) != crypto.key_ring().current_id:
            return False
        try:
            return self._plaintext(instance, current) == value
        except crypto.DecryptionError:
            return False

    def decrypt_loaded(self, instance: object) -> None:
        """Decrypt the value just loaded; a failure waits until the value is read."""
        stored = instance.__dict__.get(self.stored)  # never load anything here
        if stored:
            with suppress(crypto.DecryptionError):
                self._plaintext(instance, stored)


def _fields_of(instance: object) -> list[Encrypted]:
    return [field for field in _FIELDS if isinstance(instance, field.owner or ())]


@event.listens_for(RowKeyMixin, "load", propagate=True)
def _decrypt_on_load(instance: object, context: Any) -> None:
    for field in _fields_of(instance):
        field.decrypt_loaded(instance)


@event.listens_for(RowKeyMixin, "refresh", propagate=True)
def _decrypt_on_refresh(instance: object, context: Any, attributes: Any) -> None:
    for field in _fields_of(instance):
        field.decrypt_loaded(instance)


def encrypted_columns() -> list[EncryptedColumn]:
    """Every encrypted field of every model, table by table."""
    import visits.models  # noqa: F401  (every model registers its fields on import)

    return sorted((field.location for field in _FIELDS), key=lambda c: (c.table, c.column))


def _key_id_part(column: Any) -> Any:
    return func.substr(column, len(crypto.PREFIX) + 2, crypto.KEY_ID_LENGTH)


def _sql_column(location: EncryptedColumn) -> Any:
    from visits.extensions import db

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
    from visits.extensions import db

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
    ring: crypto.KeyRing = app.extensions["key_ring"]
    return used - ring.ids


# --- Rotation ------------------------------------------------------------------------


def reencrypt_values(connection: Connection) -> dict[EncryptedColumn, int]:
    """Re-encrypt under the newest key every value an older key encrypts; counts per column.

    Rows are updated through plain SQL: neither their version nor their
    time of change moves, since nothing a person wrote changed.
    """
    current = f"{crypto.PREFIX}:{crypto.key_ring().current_id}:%"
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
            except crypto.DecryptionError as error:
                error.locate(location.table, row_id)
                raise
            connection.execute(
                update(target).where(target.c.id == row_id).values({location.column: fresh})
            )
        counts[location] = len(rows)
    return counts


def reencrypt_files(instance_path: str | Path) -> int:
    """Re-encrypt under the newest key every attachment file an older key encrypts."""
    current = crypto.key_ring().current_id
    count = 0
    for path in attachment_files(instance_path):
        blob = path.read_bytes()
        if not crypto.is_encrypted_file(blob) or crypto.file_key_id(blob) == current:
            continue
        aad = file_aad(path.name)
        try:
            content = crypto.decrypt_bytes(blob, aad)
        except crypto.DecryptionError as error:
            raise crypto.DecryptionError(f"the attachment file {path}: {error}") from error
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
