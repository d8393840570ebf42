"""COSE_Sign1 (RFC 9052 §4.2), encoded and decoded with cbor2, signed by our own signers.

Registrations (SCITT signed statements) and receipts (COSE Receipts) are both COSE_Sign1
messages. The CBOR is cbor2's, not hand-written. The signature is not pycose's: pycose signs
only with private key material it holds itself, while the service signs through its
:class:`~vcservice.keys.Signer` (vault keys today, an HSM tomorrow), and the bytes to sign are
one CBOR array (``Sig_structure``), so a signer of any kind can produce them. COSE signatures of
EdDSA and ECDSA are the same raw bytes JOSE uses (``r || s`` for ECDSA), so the keys' JOSE code
verifies them. The tests verify our messages with pycose as an independent implementation.

Decoding is hostile-input safe: the size is bounded before cbor2 sees the bytes, every CBOR
error (and a nesting deep enough to exhaust the stack) is one :class:`CoseError`, and the
message shape is checked before any field is used.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import cbor2

from vcservice.keys import PublicKey, Signer

__all__ = [
    "ALGORITHMS",
    "CWT_CLAIMS",
    "CWT_IAT",
    "CWT_ISS",
    "CWT_SUB",
    "HEADER_ALG",
    "HEADER_CTY",
    "HEADER_KID",
    "MAX_MESSAGE",
    "CoseError",
    "Sign1",
    "read_sign1",
    "sign1",
]

#: RFC 9052 header labels.
HEADER_ALG = 1
HEADER_CTY = 3
HEADER_KID = 4
#: RFC 9597: CWT claims in a COSE header; the claims' own labels (RFC 8392).
CWT_CLAIMS = 15
CWT_ISS = 1
CWT_SUB = 2
CWT_IAT = 6
#: JOSE alg names (our keys speak JOSE) and their COSE algorithm ids (IANA COSE registry).
ALGORITHMS: dict[str, int] = {"EdDSA": -8, "ES256": -7, "ES384": -35}
_JOSE_ALG = {v: k for k, v in ALGORITHMS.items()}
_SIGN1_TAG = 18
#: No registration, receipt or cosignature comes near this; anything larger is refused unread.
MAX_MESSAGE = 256 * 1024


class CoseError(ValueError):
    """A message that is not a COSE_Sign1 of the shape asked for. Callers turn it into the
    error of their own layer (a refused statement, a receipt that does not verify)."""


@dataclass(frozen=True)
class Sign1:
    """A decoded COSE_Sign1. ``protected_bytes`` are kept as received: the signature covers
    those bytes, not a re-encoding of ``protected``."""

    protected: Mapping[Any, Any]
    protected_bytes: bytes
    unprotected: Mapping[Any, Any]
    payload: bytes | None
    signature: bytes

    @property
    def alg(self) -> str:
        """The JOSE name of the protected ``alg`` (checked to be one we verify)."""
        return _JOSE_ALG[self.protected[HEADER_ALG]]

    @property
    def kid(self) -> str:
        """The protected ``kid``: a DID URL, as UTF-8 bytes."""
        return bytes(self.protected[HEADER_KID]).decode("utf-8")

    @property
    def claims(self) -> Mapping[Any, Any]:
        """The protected CWT claims (an empty map when there are none)."""
        claims = self.protected.get(CWT_CLAIMS, {})
        return claims if isinstance(claims, Mapping) else {}

    def verify(self, key: PublicKey, *, detached: bytes | None = None) -> bool:
        """Whether ``key`` signed this message (over ``detached`` when the payload is not
        carried). False as well when the key's algorithm is not the protected ``alg``."""
        payload = self.payload if detached is None else detached
        if payload is None or key.key_type.jws_alg != self.alg:
            return False
        return key.verify(self.signature, _to_be_signed(self.protected_bytes, payload))

    def encode(self) -> bytes:
        """The tagged COSE_Sign1 bytes, with the protected header exactly as received."""
        return _encode(self.protected_bytes, self.unprotected, self.payload, self.signature)

    def with_unprotected(self, unprotected: Mapping[Any, Any]) -> Sign1:
        """The same signed message with another unprotected header (which no signature
        covers: receipts are attached to a statement this way)."""
        return Sign1(
            self.protected, self.protected_bytes, unprotected, self.payload, self.signature
        )


def sign1(
    protected: Mapping[Any, Any],
    payload: bytes,
    signer: Signer | Callable[[bytes], bytes],
    *,
    alg: str | None = None,
    unprotected: Mapping[Any, Any] | None = None,
    detached: bool = False,
) -> bytes:
    """A tagged COSE_Sign1 over ``payload`` (left out of the message when ``detached``).

    ``protected`` gets ``alg`` and ``kid`` from ``signer``; a bare signing function needs
    ``alg`` (and ``protected`` names its ``kid``)."""
    header = dict(protected)
    if isinstance(signer, Signer):
        header[HEADER_ALG] = ALGORITHMS[signer.key.key_type.jws_alg]
        header[HEADER_KID] = signer.verification_method.encode("utf-8")
        sign: Callable[[bytes], bytes] = signer.sign
    else:
        if alg is None:
            raise TypeError("a bare signing function needs alg")
        header[HEADER_ALG] = ALGORITHMS[alg]
        sign = signer
    protected_bytes = cbor2.dumps(header, canonical=True)
    signature = sign(_to_be_signed(protected_bytes, payload))
    return _encode(protected_bytes, unprotected or {}, None if detached else payload, signature)


def read_sign1(data: bytes, *, detached: bool = False) -> Sign1:
    """Decode a COSE_Sign1 (tagged or not) and check its shape: a protected map with a
    supported ``alg`` and a text-bearing ``kid``, an unprotected map, a payload (nil when
    ``detached``), a signature. CoseError says what is wrong."""
    if not isinstance(data, bytes | bytearray) or len(data) > MAX_MESSAGE:
        raise CoseError(f"a COSE message here is at most {MAX_MESSAGE} bytes")
    message = _loads(bytes(data), "the message")
    if isinstance(message, cbor2.CBORTag):
        if message.tag != _SIGN1_TAG:
            raise CoseError(f"CBOR tag {message.tag} is not COSE_Sign1 (18)")
        message = message.value
    try:
        message = _thawed(message)
    except RecursionError:
        raise CoseError("the message is not well-formed CBOR") from None
    if not isinstance(message, list) or len(message) != 4:
        raise CoseError("a COSE_Sign1 is an array of four items")
    protected_bytes, unprotected, payload, signature = message
    if not isinstance(protected_bytes, bytes) or not isinstance(signature, bytes):
        raise CoseError("the protected header and the signature are byte strings")
    if not isinstance(unprotected, dict):
        raise CoseError("the unprotected header is a map")
    if detached and payload is not None:
        raise CoseError("the payload is detached here, so it must be nil")
    if not detached and not isinstance(payload, bytes):
        raise CoseError("the payload is a byte string")
    protected = _loads(protected_bytes, "the protected header") if protected_bytes else {}
    if not isinstance(protected, dict):
        raise CoseError("the protected header is a map")
    if protected.get(HEADER_ALG) not in _JOSE_ALG:
        raise CoseError(f"alg {protected.get(HEADER_ALG)!r} is not EdDSA, ES256 or ES384")
    kid = protected.get(HEADER_KID)
    if not isinstance(kid, bytes):
        raise CoseError("the protected header names no kid (a DID URL as bytes)")
    try:
        kid.decode("utf-8")
    except UnicodeDecodeError:
        raise CoseError("the kid is not UTF-8") from None
    return Sign1(protected, protected_bytes, unprotected, payload, signature)


def _loads(data: bytes, what: str) -> Any:
    """One CBOR item and nothing after it (``cbor2.loads`` ignores trailing bytes)."""
    stream = io.BytesIO(data)
    try:
        value = cbor2.CBORDecoder(stream).decode()
    except (cbor2.CBORDecodeError, RecursionError, ValueError, OverflowError, TypeError):
        raise CoseError(f"{what} is not well-formed CBOR") from None
    if stream.read(1):
        raise CoseError(f"{what} has bytes after its CBOR item")
    return value


def _thawed(value: Any) -> Any:
    """``value`` with its arrays as lists and its maps as dicts. cbor2 6 decodes the content of
    a tag immutably (arrays as tuples, maps as frozendicts), so a tagged COSE_Sign1 would
    otherwise fail every shape check below and in the receipts' reader."""
    if isinstance(value, list | tuple):
        return [_thawed(item) for item in value]
    if isinstance(value, Mapping):
        return {key: _thawed(item) for key, item in value.items()}
    return value


def _to_be_signed(protected_bytes: bytes, payload: bytes) -> bytes:
    return cbor2.dumps(["Signature1", protected_bytes, b"", payload])


def _encode(
    protected_bytes: bytes, unprotected: Mapping[Any, Any], payload: bytes | None, signature: bytes
) -> bytes:
    return cbor2.dumps(
        cbor2.CBORTag(_SIGN1_TAG, [protected_bytes, dict(unprotected), payload, signature])
    )
