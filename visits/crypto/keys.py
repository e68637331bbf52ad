"""Encryption keys: the key ring, ``ENCRYPTION_KEYS`` and the instance key file.

Keys come from ``ENCRYPTION_KEYS`` ("id:base64key,id:base64key", newest
first), or are generated once into ``instance/encryption_keys.json`` for the
embedded default. New data is always encrypted under the newest key; older
keys stay to read what they encrypted until ``flask keys rotate`` has
re-encrypted it.
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

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app

from visits.crypto.errors import KeyConfigurationError, MissingKeyError

KEY_ID_LENGTH = 8
KEY_BYTES = 32
# Letters and digits only: the id sits between colons in a value and is
# written as ASCII in a file's header.
KEY_ID_PATTERN = re.compile(rf"[A-Za-z0-9]{{{KEY_ID_LENGTH}}}")


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
