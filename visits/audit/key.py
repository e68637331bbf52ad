"""The audit key: the secret that turns the trail's chain into a keyed MAC.

It comes from ``AUDIT_KEY`` (at least 32 bytes, written as hex digits or as
base64), else from ``instance/audit_key``, generated once (mode 0600). Like
the encryption keys it lives outside the database, so that whoever can write
the database but cannot read the key cannot recompute the chain after
removing or changing an event. Every host must use the same key, and a
backup of the trail is only verifiable with it: back it up apart from the
database.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import secrets
from pathlib import Path

from flask import current_app

from visits.crypto.errors import KeyConfigurationError

AUDIT_KEY_BYTES = 32
KEY_FILE_NAME = "audit_key"
# Only hex digits, an even number of them: read as hex; anything else as base64.
_HEX = re.compile(r"(?:[0-9a-fA-F]{2})+")


def parse_audit_key(text: str, where: str = "AUDIT_KEY") -> bytes:
    """The key written as hex digits or base64; the message never shows the key."""
    value = text.strip()
    if _HEX.fullmatch(value):
        key = bytes.fromhex(value)
    else:
        try:
            key = base64.b64decode(value, validate=True)
        except binascii.Error as error:
            raise KeyConfigurationError(f"{where} is neither hex digits nor base64") from error
    if len(key) < AUDIT_KEY_BYTES:
        raise KeyConfigurationError(
            f"{where} has {len(key)} bytes; the audit key needs at least {AUDIT_KEY_BYTES} "
            '(generate one with: python -c "import secrets; print(secrets.token_hex(32))")'
        )
    return key


def key_file(instance_dir: Path) -> Path:
    return instance_dir / KEY_FILE_NAME


def audit_key_from(setting: str, instance_dir: Path) -> bytes:
    """``AUDIT_KEY`` when set, else the instance key file, created on first use."""
    if setting.strip():
        return parse_audit_key(setting)
    path = key_file(instance_dir)
    if not path.exists():
        _create_key_file_once(path)
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, ValueError) as error:
        raise KeyConfigurationError(
            f"{path} could not be read ({error}); restore it from a backup"
        ) from error
    return parse_audit_key(text, where=str(path))


def _create_key_file_once(path: Path) -> None:
    """Create the key file unless another process just did (workers start together).

    The file appears complete or not at all (a hard link of a finished
    temporary file), and the first process to link it wins: every worker
    then chains with the same key.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secrets.token_hex(AUDIT_KEY_BYTES))
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        temporary.unlink()


def audit_key() -> bytes:
    """The key the running app chains events with."""
    key: bytes = current_app.extensions["audit_key"]
    return key
