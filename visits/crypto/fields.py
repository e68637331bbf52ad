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

import secrets
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from functools import cached_property
from typing import Any, overload

from sqlalchemy import String, event, inspect
from sqlalchemy.orm import Mapped, mapped_column

from visits.crypto import cipher as crypto
from visits.crypto.errors import DecryptionError
from visits.crypto.keys import key_ring

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
# Called with (instance, attribute name) whenever code reads a decrypted value
# through the model; ``visits.audit.reads`` records reads of confidential records.
READ_LISTENERS: list[Callable[[object, str], None]] = []
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

    def __init__(self, stored: str, *, decrypt_on_load: bool = True) -> None:
        self.stored = stored
        # False for values decrypted only when a page reads them (an identity).
        self.decrypt_on_load = decrypt_on_load
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
        plain = self._plaintext(instance, getattr(instance, self.stored))
        for listener in READ_LISTENERS:
            listener(instance, self.name)
        return plain

    def _plaintext(self, instance: object, stored: str | None) -> str:
        if not stored:
            return ""
        remembered = instance.__dict__.get(_PLAINTEXT, {}).get(self.name)
        if remembered is not None and remembered[0] == stored:
            return str(remembered[1])
        try:
            plain = crypto.decrypt(stored, self._aad(instance))
        except DecryptionError as error:
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
        if crypto.key_id_of(current) != key_ring().current_id:
            return False
        try:
            return self._plaintext(instance, current) == value
        except DecryptionError:
            return False

    def decrypt_loaded(self, instance: object) -> None:
        """Decrypt the value just loaded; a failure waits until the value is read."""
        stored = instance.__dict__.get(self.stored)  # never load anything here
        if stored and self.decrypt_on_load:
            with suppress(DecryptionError):
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


def field_locations() -> list[EncryptedColumn]:
    """Where every ``Encrypted`` attribute declared so far is stored."""
    return [field.location for field in _FIELDS]
