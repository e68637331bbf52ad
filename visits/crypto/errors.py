"""What can go wrong with keys and ciphertext."""

from __future__ import annotations


class KeyConfigurationError(ValueError):
    """The configured keys are unusable, or the data needs a key that is not configured."""


class DecryptionError(Exception):
    """A value could not be decrypted: tampered with, moved, or its key is missing.

    ``object_type`` and ``object_id`` name the record, once known, for the
    error page and the audit trail.
    """

    object_type: str = ""
    object_id: int | None = None

    def locate(self, object_type: str, object_id: int | None) -> DecryptionError:
        self.object_type, self.object_id = object_type, object_id
        return self


class MissingKeyError(DecryptionError):
    def __init__(self, key_id: str) -> None:
        super().__init__(f"no encryption key with id {key_id!r} is configured")
        self.key_id = key_id
