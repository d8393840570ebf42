"""Key material and its encodings, on ``cryptography`` alone.

Signatures are always *raw*: 64 bytes for Ed25519, r||s (64 or 96 bytes) for ECDSA, because
that is what both Data Integrity (ecdsa-rdfc-2019) and JOSE (ES256/ES384) put on the wire.
ECDSA hashes its input with the curve's hash (SHA-256 for P-256, SHA-384 for P-384), exactly
as both specs require, so callers pass the bytes to be signed, never a pre-hashed digest.
"""

from __future__ import annotations

import base64
import enum
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import base58
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from vcservice.errors import KeyFormatError


class KeyType(enum.StrEnum):
    ED25519 = "ed25519"
    P256 = "p256"
    P384 = "p384"

    @property
    def jws_alg(self) -> str:
        return {"ed25519": "EdDSA", "p256": "ES256", "p384": "ES384"}[self.value]

    @property
    def crv(self) -> str:
        return {"ed25519": "Ed25519", "p256": "P-256", "p384": "P-384"}[self.value]

    @property
    def _size(self) -> int:
        return {"ed25519": 32, "p256": 32, "p384": 48}[self.value]


# Multicodec varint prefixes (https://github.com/multiformats/multicodec/blob/master/table.csv).
_PUB_PREFIX = {
    KeyType.ED25519: b"\xed\x01",
    KeyType.P256: b"\x80\x24",
    KeyType.P384: b"\x81\x24",
}
_PRIV_PREFIX = {
    KeyType.ED25519: b"\x80\x26",
    KeyType.P256: b"\x86\x26",
    KeyType.P384: b"\x87\x26",
}
_CURVES: dict[KeyType, ec.EllipticCurve] = {
    KeyType.P256: ec.SECP256R1(),
    KeyType.P384: ec.SECP384R1(),
}
_HASHES: dict[KeyType, hashes.HashAlgorithm] = {
    KeyType.P256: hashes.SHA256(),
    KeyType.P384: hashes.SHA384(),
}
_BY_CRV = {t.crv: t for t in KeyType}


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    if not isinstance(text, str) or any(c in text for c in "+/= \n"):
        raise KeyFormatError("not unpadded base64url")
    try:  # validate: a character outside the alphabet is an error, not skipped
        return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except (ValueError, TypeError) as exc:
        raise KeyFormatError(f"invalid base64url: {exc}") from exc


def multibase_encode(data: bytes) -> str:
    """Multibase base58btc (``z`` prefix)."""
    return "z" + base58.b58encode(data).decode("ascii")


def multibase_decode(text: str) -> bytes:
    if not isinstance(text, str) or not text.startswith("z") or len(text) < 2:
        raise KeyFormatError("expected a base58btc multibase string starting with 'z'")
    try:
        return bytes(base58.b58decode(text[1:]))
    except ValueError as exc:
        raise KeyFormatError(f"invalid base58btc: {exc}") from exc


@dataclass(frozen=True)
class PublicKey:
    key_type: KeyType
    key: ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey

    @property
    def raw(self) -> bytes:
        """Ed25519: 32 bytes; EC: the SEC1 *compressed* point (what Multikey carries)."""
        if isinstance(self.key, ed25519.Ed25519PublicKey):
            return self.key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return self.key.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint
        )

    def verify(self, signature: bytes, data: bytes) -> bool:
        try:
            if isinstance(self.key, ed25519.Ed25519PublicKey):
                self.key.verify(signature, data)
                return True
            size = self.key_type._size
            if len(signature) != 2 * size:
                return False
            r = int.from_bytes(signature[:size], "big")
            s = int.from_bytes(signature[size:], "big")
            self.key.verify(encode_dss_signature(r, s), data, ec.ECDSA(_HASHES[self.key_type]))
            return True
        except InvalidSignature:
            return False

    # --- Multikey -------------------------------------------------------------------------
    @property
    def multibase(self) -> str:
        return multibase_encode(_PUB_PREFIX[self.key_type] + self.raw)

    @classmethod
    def from_multibase(cls, text: str) -> PublicKey:
        if cls is PublicKey and isinstance(text, str):
            return _public_key_from_multibase(text)
        return cls._decode_multibase(text)

    @classmethod
    def _decode_multibase(cls, text: str) -> PublicKey:
        data = multibase_decode(text)
        for key_type, prefix in _PUB_PREFIX.items():
            if data.startswith(prefix):
                return cls.from_raw(key_type, data[len(prefix) :])
        raise KeyFormatError("unsupported Multikey public key codec")

    @classmethod
    def from_raw(cls, key_type: KeyType, raw: bytes) -> PublicKey:
        try:
            if key_type is KeyType.ED25519:
                if len(raw) != 32:
                    raise KeyFormatError("an Ed25519 public key is 32 bytes")
                return cls(key_type, ed25519.Ed25519PublicKey.from_public_bytes(raw))
            return cls(
                key_type, ec.EllipticCurvePublicKey.from_encoded_point(_CURVES[key_type], raw)
            )
        except ValueError as exc:
            raise KeyFormatError(f"invalid {key_type.crv} public key: {exc}") from exc

    # --- JWK ------------------------------------------------------------------------------
    def to_jwk(self) -> dict[str, str]:
        if isinstance(self.key, ed25519.Ed25519PublicKey):
            return {"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(self.raw)}
        numbers = self.key.public_numbers()
        size = self.key_type._size
        return {
            "kty": "EC",
            "crv": self.key_type.crv,
            "x": b64url_encode(numbers.x.to_bytes(size, "big")),
            "y": b64url_encode(numbers.y.to_bytes(size, "big")),
        }

    @classmethod
    def from_jwk(cls, jwk: Any) -> PublicKey:
        if not isinstance(jwk, dict):
            raise KeyFormatError("a JWK must be a JSON object")
        key_type = _BY_CRV.get(jwk.get("crv", ""))
        if key_type is None:
            raise KeyFormatError(f"unsupported JWK curve {jwk.get('crv')!r}")
        expected_kty = "OKP" if key_type is KeyType.ED25519 else "EC"
        if jwk.get("kty") != expected_kty:
            raise KeyFormatError(f"JWK kty must be {expected_kty} for {key_type.crv}")
        x = b64url_decode(jwk.get("x", ""))
        if key_type is KeyType.ED25519:
            return cls.from_raw(key_type, x)
        y = b64url_decode(jwk.get("y", ""))
        size = key_type._size
        if len(x) != size or len(y) != size:
            raise KeyFormatError(f"{key_type.crv} JWK coordinates must be {size} bytes")
        return cls.from_raw(key_type, b"\x04" + x + y)


@dataclass(frozen=True)
class KeyPair:
    key_type: KeyType
    private: ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey

    @classmethod
    def generate(cls, key_type: KeyType | str) -> KeyPair:
        key_type = KeyType(key_type)
        if key_type is KeyType.ED25519:
            return cls(key_type, ed25519.Ed25519PrivateKey.generate())
        return cls(key_type, ec.generate_private_key(_CURVES[key_type]))

    @property
    def public(self) -> PublicKey:
        return PublicKey(self.key_type, self.private.public_key())

    def sign(self, data: bytes) -> bytes:
        if isinstance(self.private, ed25519.Ed25519PrivateKey):
            return self.private.sign(data)
        der = self.private.sign(data, ec.ECDSA(_HASHES[self.key_type]))
        r, s = decode_dss_signature(der)
        size = self.key_type._size
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")

    @property
    def _secret(self) -> bytes:
        if isinstance(self.private, ed25519.Ed25519PrivateKey):
            return self.private.private_bytes(
                serialization.Encoding.Raw,
                serialization.PrivateFormat.Raw,
                serialization.NoEncryption(),
            )
        return self.private.private_numbers().private_value.to_bytes(self.key_type._size, "big")

    @classmethod
    def from_secret(cls, key_type: KeyType, secret: bytes) -> KeyPair:
        try:
            if key_type is KeyType.ED25519:
                return cls(key_type, ed25519.Ed25519PrivateKey.from_private_bytes(secret))
            if len(secret) != key_type._size:
                raise KeyFormatError(f"a {key_type.crv} private key is {key_type._size} bytes")
            value = int.from_bytes(secret, "big")
            return cls(key_type, ec.derive_private_key(value, _CURVES[key_type]))
        except ValueError as exc:
            raise KeyFormatError(f"invalid {key_type.crv} private key: {exc}") from exc

    @property
    def secret_multibase(self) -> str:
        return multibase_encode(_PRIV_PREFIX[self.key_type] + self._secret)

    @classmethod
    def from_multibase(cls, secret_multibase: str) -> KeyPair:
        data = multibase_decode(secret_multibase)
        for key_type, prefix in _PRIV_PREFIX.items():
            if data.startswith(prefix):
                return cls.from_secret(key_type, data[len(prefix) :])
        raise KeyFormatError("unsupported Multikey private key codec")

    def to_jwk(self) -> dict[str, str]:
        """The private JWK (includes ``d``); never log or return it from an endpoint."""
        return {**self.public.to_jwk(), "d": b64url_encode(self._secret)}

    @classmethod
    def from_jwk(cls, jwk: Any) -> KeyPair:
        public = PublicKey.from_jwk(jwk)
        pair = cls.from_secret(public.key_type, b64url_decode(jwk.get("d", "")))
        if pair.public.raw != public.raw:
            raise KeyFormatError("the JWK's private key does not match its public key")
        return pair


@lru_cache(maxsize=4096)
def _public_key_from_multibase(text: str) -> PublicKey:
    """Multikeys decoded once: a did:key is decoded to resolve it and again to verify with it,
    and base58 costs more than half an Ed25519 verify. Keys are immutable values of their text;
    bounded, and a text that fails is not cached (the error propagates)."""
    return PublicKey._decode_multibase(text)
