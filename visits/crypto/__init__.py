"""Encryption at rest: AES-256-GCM for text fields and files, with key ids for rotation.

- ``keys``: the key ring (``ENCRYPTION_KEYS`` or ``instance/encryption_keys.json``);
- ``cipher``: encrypting and decrypting a value or a file;
- ``fields``: ``Encrypted``, the model attribute that stores ciphertext;
- ``inventory``: which keys the stored data uses, and rotation;
- ``cli``: ``flask keys``.

See docs/architecture.md, "Encryption".
"""

from visits.crypto.cipher import (
    FILE_HEADER_BYTES,
    PREFIX,
    decrypt,
    decrypt_bytes,
    encrypt,
    encrypt_bytes,
    file_key_id,
    is_encrypted,
    is_encrypted_file,
    key_id_of,
)
from visits.crypto.errors import DecryptionError, KeyConfigurationError, MissingKeyError
from visits.crypto.keys import (
    KEY_BYTES,
    KEY_ID_LENGTH,
    KeyRing,
    add_key_to_file,
    key_ring,
    key_spec,
    keys_file,
    load_or_create_keys,
    new_key,
    parse_keys,
    read_keys_file,
)

__all__ = [
    "FILE_HEADER_BYTES",
    "KEY_BYTES",
    "KEY_ID_LENGTH",
    "PREFIX",
    "DecryptionError",
    "KeyConfigurationError",
    "KeyRing",
    "MissingKeyError",
    "add_key_to_file",
    "decrypt",
    "decrypt_bytes",
    "encrypt",
    "encrypt_bytes",
    "file_key_id",
    "is_encrypted",
    "is_encrypted_file",
    "key_id_of",
    "key_ring",
    "key_spec",
    "keys_file",
    "load_or_create_keys",
    "new_key",
    "parse_keys",
    "read_keys_file",
]
