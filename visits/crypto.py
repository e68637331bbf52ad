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


class DecryptionError(Exception):
    """A value could not be decrypted: tampered with, moved, or its key is missing."""


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
    """Read ``ENCRYPTION_KEYS``: comma-separated ``id:base64`` pairs, newest first."""
    keys = []
    for part in spec.split(","):
        key_id, _, encoded = part.strip().partition(":")
        try:
            key = base64.b64decode(encoded, validate=True)
        except binascii.Error as error:
            raise ValueError(f"ENCRYPTION_KEYS: key {key_id!r} is not valid base64") from error
        if len(key_id) != KEY_ID_LENGTH or len(key) != 32:
            raise ValueError(
                f"ENCRYPTION_KEYS: each key needs an id of {KEY_ID_LENGTH} characters "
                "and 32 bytes of key (base64)"
            )
        keys.append((key_id, key))
    if not keys:
        raise ValueError("ENCRYPTION_KEYS is empty")
    return KeyRing(tuple(keys))


def keys_file(instance_dir: Path) -> Path:
    return instance_dir / "encryption_keys.json"


def load_or_create_keys(instance_dir: Path) -> KeyRing:
    """The embedded default: keys in instance/encryption_keys.json (mode 0600)."""
    path = keys_file(instance_dir)
    if not path.exists():
        write_keys_file(path, KeyRing((new_key(),)))
    data = json.loads(path.read_text(encoding="ascii"))
    return KeyRing(tuple((item["id"], base64.b64decode(item["key"])) for item in data["keys"]))


def write_keys_file(path: Path, ring: KeyRing) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "keys": [
            {"id": key_id, "key": base64.b64encode(key).decode("ascii")}
            for key_id, key in ring.keys
        ]
    }
    temporary = path.with_suffix(".tmp")
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
    except InvalidTag as error:
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
    try:
        return AESGCM(key_ring().key(key_id)).decrypt(nonce, sealed, aad.encode("utf-8"))
    except InvalidTag as error:
        raise DecryptionError("the file was changed or moved") from error


def file_key_id(blob_start: bytes) -> str:
    start = len(FILE_MAGIC)
    return blob_start[start : start + KEY_ID_LENGTH].decode("ascii", errors="replace")
