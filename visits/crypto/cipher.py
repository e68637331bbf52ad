"""AES-256-GCM encryption of text values and files under the key ring's newest key.

A text value is stored as ``enc1:<key id>:<base64(nonce + ciphertext + tag)>``;
a file as ``NPMENC1\n<key id><nonce><ciphertext + tag>``. The associated
data names where the value belongs (see ``visits.crypto.fields``), so a
value copied elsewhere no longer decrypts.
"""

from __future__ import annotations

import base64
import binascii
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from visits.crypto.errors import DecryptionError
from visits.crypto.keys import KEY_ID_LENGTH, key_ring

PREFIX = "enc1"
FILE_MAGIC = b"NPMENC1\n"
NONCE_BYTES = 12
# Enough of a file to read its key id.
FILE_HEADER_BYTES = len(FILE_MAGIC) + KEY_ID_LENGTH


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
