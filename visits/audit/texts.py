"""A person's own words in the audit trail: encrypted apart, referred to by the event.

A deletion's reason says why a record went, often in the words of what it
held; written into an event's details it would sit in plain text in the
database and every backup. ``record(..., texts={"reason": reason})`` stores
it instead as an ``AuditText`` (encrypted like any confidential field, so
key rotation and ``flask keys status`` cover it) and puts only a reference,
``{"text": <row key>}``, into the details. Reading the trail resolves the
references of a page in one query, for the viewers allowed to read them
(``visits.audit.reading``).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import select

from visits.crypto.errors import DecryptionError
from visits.crypto.fields import ROW_KEY_LENGTH, new_row_key
from visits.extensions import db
from visits.models import AuditText

REFERENCE_KEY = "text"


def private_text(value: str) -> dict[str, str]:
    """Store ``value`` encrypted (in the current transaction); the reference for the details."""
    text = AuditText(row_key=new_row_key(), text=value)
    db.session.add(text)
    return {REFERENCE_KEY: text.row_key}


def referenced_key(value: Any) -> str | None:
    """The row key when a detail's value is a reference to a text, else None."""
    if isinstance(value, dict) and len(value) == 1:
        key = value.get(REFERENCE_KEY)
        if isinstance(key, str) and len(key) == ROW_KEY_LENGTH:
            return key
    return None


def texts_by_key(keys: Collection[str]) -> dict[str, str | None]:
    """The texts with these row keys, in one query; None for one that cannot be read.

    A key with no row is left out: the text was removed behind the
    database's back, and the reader says so.
    """
    if not keys:
        return {}
    found: dict[str, str | None] = {}
    for text in db.session.scalars(select(AuditText).where(AuditText.row_key.in_(keys))):
        try:
            found[text.row_key] = text.text
        except DecryptionError:
            found[text.row_key] = None
    return found
