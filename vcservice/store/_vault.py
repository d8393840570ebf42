"""Encryption of private keys at rest (AES-256-GCM).

A blob is ``version (1 byte) || nonce (12 bytes) || ciphertext+tag``. The nonce is random per
encryption (96 bits is safe for far more encryptions than one service will ever make under one
key). The caller passes *associated data* naming the row the blob belongs to (tenant id + key id),
so copying one tenant's encrypted key into another tenant's row makes decryption fail instead of
silently letting that tenant sign with it.

Where the 32-byte vault key comes from is decided once, in :meth:`KeyVault.from_settings`: an
explicit value, a file (for container secrets), or — only when the caller passes ``dev_file`` — a
file created on first use so a developer's ``make run`` works without setup.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from vcservice.errors import InputError, KeyFormatError
from vcservice.keys import b64url_decode, b64url_encode
from vcservice.store._errors import KeyVaultError

_VERSION = b"\x01"
_NONCE = 12
_KEY_BYTES = 32
_REQUIRED = "VCSERVICE_SECRET_KEY or VCSERVICE_SECRET_KEY_FILE is required"


class KeyVault:
    """Encrypts and decrypts small secrets bound to the row they are stored in."""

    def __init__(self, key: bytes) -> None:
        if len(key) != _KEY_BYTES:
            raise InputError("the vault key must be 32 bytes (AES-256)")
        self._aead = AESGCM(key)
        self._key = key

    def __repr__(self) -> str:  # never show key material, even in a traceback
        return "KeyVault(<redacted>)"

    @classmethod
    def from_settings(
        cls,
        secret_key: str | None,
        secret_key_file: str | None,
        *,
        dev_file: Path | None,
    ) -> KeyVault:
        """Build the vault from settings; see the module docstring for the order of sources."""
        if secret_key and secret_key_file:
            raise InputError("set only one of VCSERVICE_SECRET_KEY and VCSERVICE_SECRET_KEY_FILE")
        if secret_key:
            return cls(_decode_key(secret_key, "VCSERVICE_SECRET_KEY"))
        if secret_key_file:
            return cls(_decode_key(_read_text(Path(secret_key_file)), "VCSERVICE_SECRET_KEY_FILE"))
        if dev_file is not None:
            return cls(_decode_key(_dev_key(dev_file), str(dev_file)))
        raise InputError(_REQUIRED)

    @staticmethod
    def generate_key() -> str:
        """A fresh vault key in the form ``VCSERVICE_SECRET_KEY`` expects (base64url, 32 bytes)."""
        return b64url_encode(secrets.token_bytes(_KEY_BYTES))

    def derive(self, purpose: bytes) -> bytes:
        """A 32-byte key for another use of the same secret (HKDF-SHA256, ``purpose`` as info):
        one secret to manage, while no derived key reveals the vault key or another purpose's."""
        if not purpose:
            raise InputError("a derived key needs a purpose label")
        hkdf = HKDF(algorithm=hashes.SHA256(), length=_KEY_BYTES, salt=None, info=purpose)
        return hkdf.derive(self._key)

    def encrypt(self, plaintext: bytes, aad: bytes) -> bytes:
        nonce = os.urandom(_NONCE)
        return _VERSION + nonce + self._aead.encrypt(nonce, plaintext, aad)

    def decrypt(self, blob: bytes, aad: bytes) -> bytes:
        if len(blob) < 1 + _NONCE + 16 or blob[:1] != _VERSION:
            raise KeyVaultError("a stored private key is not in a format this version can read")
        nonce, body = blob[1 : 1 + _NONCE], blob[1 + _NONCE :]
        try:
            return self._aead.decrypt(nonce, body, aad)
        except InvalidTag:
            raise KeyVaultError(
                "a stored private key cannot be decrypted: the secret key differs from the one "
                "it was encrypted with, or the stored row was altered"
            ) from None


def _decode_key(text: str, source: str) -> bytes:
    try:
        key = b64url_decode(text.strip().rstrip("="))
    except KeyFormatError:
        key = b""
    if len(key) != _KEY_BYTES:
        raise InputError(f"{source} must hold base64url of exactly 32 random bytes")
    return key


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the secret key file {path}: {exc}") from exc


def _dev_key(path: Path) -> str:
    """Read the development key file, creating it (0600) on first use.

    The key is written to a private temporary file and then hard-linked into place: the link
    fails if the file exists (like ``O_EXCL``) and makes the full content appear at once, so two
    processes starting together agree on one key and neither reads a half-written file.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(KeyVault.generate_key() + "\n")
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
    return _read_text(path)
