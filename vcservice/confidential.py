"""Confidential credentials: a credential published as AES-GCM ciphertext, its key in the link.

UNTP's decentralised access control encrypts each non-public credential with its own symmetric
key (AES, at least 128 bits) and gives the key only to authorised parties, inside the link they
are handed (an identity-resolver URL's ``decryptionKey``). UNTP leaves the ciphertext's format
open; this module uses the JSON envelope of the UNTP reference implementation (``tests-untp``),
so what one publishes the other can open::

    {"cipherText": base64(ciphertext), "iv": base64(12 bytes), "tag": base64(16 bytes),
     "type": "aes-256-gcm"}

The key is 32 random bytes written as 64 hexadecimal digits (UNTP's ``decryptionKey`` form).
A verifier may also be handed AES-128 ciphertext (``"aes-128-gcm"``, a 32-digit key): UNTP's
minimum. The plaintext is what would otherwise be served, so the hash-link rule is unchanged:
a link's digest covers the *plaintext* credential's bytes (``docs/hash-links.md``).

Pure functions; the key is an argument, never kept: storing it beside the ciphertext would
make the encryption decoration.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from vcservice.errors import DecryptionError, DecryptionKeyError, InputError
from vcservice.ingress import FETCHED_LIMITS, read_json
from vcservice.jsonld import jcs

#: The envelope's ``type`` for what this service publishes, and the key sizes it opens.
AES_256_GCM: Final = "aes-256-gcm"
_KEY_BYTES: Final = {"aes-256-gcm": 32, "aes-128-gcm": 16}
_IV_BYTES: Final = 12
_TAG_BYTES: Final = 16
#: Where a link carries its key: UNTP's identity-resolver query parameter, or the same name in
#: the URL's fragment (never sent to the server that holds the ciphertext).
KEY_PARAMETER: Final = "decryptionKey"
_HEX_KEY = re.compile(r"(?:[0-9A-Fa-f]{32}){1,2}")


def new_key() -> str:
    """A fresh AES-256 key as 64 hexadecimal digits (one per credential, as UNTP asks)."""
    return os.urandom(32).hex()


def parse_key(text: str) -> bytes:
    """The key bytes of a 32- or 64-digit hexadecimal key; DecryptionKeyError otherwise."""
    if not isinstance(text, str) or not _HEX_KEY.fullmatch(text):
        raise DecryptionKeyError(
            "a decryption key is 64 hexadecimal digits (AES-256), or 32 (AES-128)"
        )
    return bytes.fromhex(text)


def plaintext_of(served: Any) -> bytes:
    """The bytes encrypted for ``served``: a compact JWS as ASCII, a JSON credential as its
    JCS bytes (the bytes a hash link to it covers, so a decrypting verifier hashes them as is)."""
    if isinstance(served, str):
        return served.encode("ascii")
    return jcs(served)


def seal(served: Any, key: str) -> dict[str, str]:
    """``served`` (a credential as it would be published) encrypted under ``key`` (hex)."""
    raw = parse_key(key)
    if len(raw) != _KEY_BYTES[AES_256_GCM]:
        raise DecryptionKeyError("credentials are published under AES-256 keys (64 hex digits)")
    iv = os.urandom(_IV_BYTES)
    sealed = AESGCM(raw).encrypt(iv, plaintext_of(served), None)
    return {
        "cipherText": _b64(sealed[:-_TAG_BYTES]),
        "iv": _b64(iv),
        "tag": _b64(sealed[-_TAG_BYTES:]),
        "type": AES_256_GCM,
    }


def is_sealed(value: Any) -> bool:
    """Whether ``value`` (something served at a link) is an encrypted envelope."""
    return isinstance(value, Mapping) and all(
        isinstance(value.get(name), str) for name in ("cipherText", "iv", "tag", "type")
    )


def unseal(envelope: Mapping[str, Any], key: str) -> Any:
    """The credential inside ``envelope`` (a compact JWS string or a JSON object).

    DecryptionError when it cannot be opened: an unknown cipher, a malformed envelope, a key of
    the wrong size, or a tag that does not verify — a wrong key and altered ciphertext are
    indistinguishable under AES-GCM, and neither says anything about the credential inside.
    """
    cipher = str(envelope.get("type", "")).lower()
    if cipher not in _KEY_BYTES:
        raise DecryptionError(f"the target is encrypted with {cipher!r}, which is not AES-GCM")
    try:
        raw = parse_key(key)
    except DecryptionKeyError as exc:
        raise DecryptionError(exc.detail) from None
    if len(raw) != _KEY_BYTES[cipher]:
        raise DecryptionError(f"the key given for it is not a {cipher} key")
    iv = _unb64(envelope.get("iv"))
    sealed = _unb64(envelope.get("cipherText")) + _unb64(envelope.get("tag"))
    if len(iv) != _IV_BYTES or len(sealed) < _TAG_BYTES:
        raise DecryptionError("the encrypted envelope has a malformed iv or tag")
    try:
        plain = AESGCM(raw).decrypt(iv, sealed, None)
    except InvalidTag:
        raise DecryptionError(
            "it does not decrypt with the key given: a wrong key, or altered ciphertext"
        ) from None
    if plain.lstrip().startswith(b"{"):
        try:
            value = read_json(plain, FETCHED_LIMITS)
        except InputError as exc:
            raise DecryptionError(f"it decrypts to unusable JSON ({exc.detail})") from None
        if not isinstance(value, dict):
            raise DecryptionError("it decrypts to JSON that is not an object")
        return value
    try:
        return plain.decode("ascii").strip()
    except UnicodeDecodeError:
        raise DecryptionError("it decrypts to neither JSON nor a compact JWS") from None


def split_key(url: str) -> tuple[str, str | None]:
    """``url`` without its ``decryptionKey`` (query parameter or fragment), and that key.

    The link an authorised party is handed carries the key; the URL fetched must not (a key in
    a request reaches server logs, and the bounded fetcher refuses fragments anyway).
    """
    parts = urlsplit(url)
    key: str | None = None
    kept: dict[str, str] = {}
    for part in ("query", "fragment"):
        pairs = parse_qsl(getattr(parts, part), keep_blank_values=True)
        found = [value for name, value in pairs if name == KEY_PARAMETER]
        if found:
            key = found[-1]
            kept[part] = urlencode([(n, v) for n, v in pairs if n != KEY_PARAMETER])
    if key is None:
        return url, None
    return urlunsplit(parts._replace(**kept)), key


def keyed_link(url: str, key: str) -> str:
    """The link given to authorised parties: ``url#decryptionKey=<key>``."""
    return f"{url}#{KEY_PARAMETER}={key}"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any) -> bytes:
    try:
        if isinstance(text, str):
            return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        pass
    raise DecryptionError("the encrypted envelope's cipherText, iv and tag are not base64")
