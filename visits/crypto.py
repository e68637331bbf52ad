"""AES-256-GCM encryption of fields and files, with key ids for rotation.

Keys come from ``ENCRYPTION_KEYS`` ("id:base64key,id:base64key", newest
first), or are generated once into ``instance/encryption_keys.json`` for the
embedded default. New data is always encrypted under the newest key; older
keys stay to read what they encrypted until ``flask keys rotate`` has
re-encrypted it.

A text value is stored as ``enc1:<key id>:<base64(nonce + ciphertext + tag)>``.
The associated data names the table, column and row, so a value copied into
another row or column no longer decrypts.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app

PREFIX = "enc1"
FILE_MAGIC = b"NPMENC1\n"
NONCE_BYTES = 12
KEY_ID_LENGTH = 8
KEY_BYTES = 32
# Letters and digits only: the id sits between colons in a value and is
# written as ASCII in a file's header.
KEY_ID_PATTERN = re.compile(rf"[A-Za-z0-9]{{{KEY_ID_LENGTH}}}")
# Enough of a file to read its key id.
FILE_HEADER_BYTES = len(FILE_MAGIC) + KEY_ID_LENGTH


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


@dataclass(frozen=True)
class KeyRing:
    """Keys by id; the first is the newest, used for everything new."""

    keys: tuple[tuple[str, bytes], ...]

    @property
    def current_id(self) -> str:
        return self.keys[0][0]

    def key(self, key_id: str) -> bytes:
        for candidate, key in self.keys:
            if candidate == key_id:
                return key
        raise MissingKeyError(key_id)

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(key_id for key_id, _ in self.keys)


def new_key() -> tuple[str, bytes]:
    return secrets.token_hex(KEY_ID_LENGTH // 2), AESGCM.generate_key(bit_length=256)


def parse_keys(spec: str) -> KeyRing:
    """Read ``ENCRYPTION_KEYS``: comma-separated ``id:base64`` pairs, newest first.

    Error messages name the entry and the key id, never the key itself.
    """
    keys = []
    for position, part in enumerate(spec.split(","), start=1):
        entry = part.strip()
        if not entry:
            raise KeyConfigurationError(
                f"ENCRYPTION_KEYS: entry {position} is empty (check for a stray comma)"
            )
        key_id, colon, encoded = entry.partition(":")
        if not colon:
            raise KeyConfigurationError(
                f"ENCRYPTION_KEYS: entry {position} is not of the form id:base64key"
            )
        keys.append(_checked_key(f"ENCRYPTION_KEYS: entry {position}", key_id, encoded))
    return _checked_ring("ENCRYPTION_KEYS", keys)


def _checked_key(where: str, key_id: str, encoded: str) -> tuple[str, bytes]:
    if not KEY_ID_PATTERN.fullmatch(key_id):
        raise KeyConfigurationError(
            f"{where}: the key id {key_id!r} must be {KEY_ID_LENGTH} letters or digits"
        )
    try:
        key = base64.b64decode(encoded.strip(), validate=True)
    except binascii.Error as error:
        raise KeyConfigurationError(f"{where}: key {key_id!r} is not valid base64") from error
    if len(key) != KEY_BYTES:
        raise KeyConfigurationError(
            f"{where}: key {key_id!r} has {len(key)} bytes; AES-256 needs {KEY_BYTES} "
            "(generate one with `flask keys generate`)"
        )
    return key_id, key


def _checked_ring(where: str, keys: list[tuple[str, bytes]]) -> KeyRing:
    if not keys:
        raise KeyConfigurationError(f"{where} holds no key")
    seen: set[str] = set()
    for key_id, _ in keys:
        if key_id in seen:
            raise KeyConfigurationError(f"{where}: the key id {key_id!r} appears twice")
        seen.add(key_id)
    return KeyRing(tuple(keys))


def key_spec(key_id: str, key: bytes) -> str:
    """One ``ENCRYPTION_KEYS`` entry."""
    return f"{key_id}:{base64.b64encode(key).decode('ascii')}"


def keys_file(instance_dir: Path) -> Path:
    return instance_dir / "encryption_keys.json"


def load_or_create_keys(instance_dir: Path) -> KeyRing:
    """The embedded default: keys in instance/encryption_keys.json (mode 0600)."""
    path = keys_file(instance_dir)
    if not path.exists():
        _create_keys_file_once(path)
    return read_keys_file(path)


def _create_keys_file_once(path: Path) -> None:
    """Create the key file unless another process just did (workers start together).

    The file appears complete or not at all (a hard link of a finished
    temporary file), and the first process to link it wins: every worker
    then reads the same key.
    """
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    write_keys_file(temporary, KeyRing((new_key(),)))
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        temporary.unlink()


def read_keys_file(path: Path) -> KeyRing:
    try:
        items = json.loads(path.read_text(encoding="ascii"))["keys"]
        pairs = [(str(item["id"]), str(item["key"])) for item in items]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise KeyConfigurationError(
            f"{path} could not be read as a key file ({error}); restore it from a backup"
        ) from error
    return _checked_ring(str(path), [_checked_key(str(path), *pair) for pair in pairs])


def add_key_to_file(instance_dir: Path) -> KeyRing:
    """Put a new key at the front of the instance key file; the older ones stay."""
    path = keys_file(instance_dir)
    ring = KeyRing((new_key(), *read_keys_file(path).keys))
    write_keys_file(path, ring)
    return ring


def write_keys_file(path: Path, ring: KeyRing) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "keys": [
            {"id": key_id, "key": base64.b64encode(key).decode("ascii")}
            for key_id, key in ring.keys
        ]
    }
    temporary = path.with_name(f".{path.name}.writing")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        json.dump(payload, handle, indent=2)
    temporary.replace(path)


def key_ring() -> KeyRing:
    ring: KeyRing = current_app.extensions["key_ring"]
    return ring


def encrypt(plaintext: str, aad: str) -> str:
    ring = key_ring()
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = AESGCM(ring.key(ring.current_id)).encrypt(
        nonce, plaintext.encode("utf-8"), aad.encode("utf-8")
    )
    token = base64.b64encode(nonce + sealed).decode("ascii")
    return f"{PREFIX}:{ring.current_id}:{token}"


def is_encrypted(value: str) -> bool:
    return value.startswith(PREFIX + ":")


def key_id_of(value: str) -> str:
    return value.split(":", 2)[1]


def decrypt(value: str, aad: str) -> str:
    try:
        prefix, key_id, token = value.split(":", 2)
        if prefix != PREFIX:
            raise DecryptionError("not an encrypted value")
        raw = base64.b64decode(token, validate=True)
    except (ValueError, binascii.Error) as error:
        raise DecryptionError("malformed encrypted value") from error
    key = key_ring().key(key_id)
    try:
        plain = AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], aad.encode("utf-8"))
    except (InvalidTag, ValueError) as error:
        raise DecryptionError("the value was changed or moved") from error
    return plain.decode("utf-8")


def encrypt_bytes(data: bytes, aad: str) -> bytes:
    ring = key_ring()
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = AESGCM(ring.key(ring.current_id)).encrypt(nonce, data, aad.encode("utf-8"))
    return FILE_MAGIC + ring.current_id.encode("ascii") + nonce + sealed


def decrypt_bytes(blob: bytes, aad: str) -> bytes:
    if not blob.startswith(FILE_MAGIC):
        raise DecryptionError("not an encrypted file")
    start = len(FILE_MAGIC)
    key_id = blob[start : start + KEY_ID_LENGTH].decode("ascii", errors="replace")
    nonce = blob[start + KEY_ID_LENGTH : start + KEY_ID_LENGTH + NONCE_BYTES]
    sealed = blob[start + KEY_ID_LENGTH + NONCE_BYTES :]
    key = key_ring().key(key_id)
    try:
        return AESGCM(key).decrypt(nonce, sealed, aad.encode("utf-8"))
    except (InvalidTag, ValueError) as error:
        raise DecryptionError("the file was changed or moved") from error


def is_encrypted_file(blob_start: bytes) -> bool:
    return blob_start.startswith(FILE_MAGIC)


def file_key_id(blob_start: bytes) -> str:
    start = len(FILE_MAGIC)
    return blob_start[start : start + KEY_ID_LENGTH].decode("ascii", errors="replace")
