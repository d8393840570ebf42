"""``Ed25519Signature2020`` (W3C CCG, legacy): verification only.

The proof ``type`` is the suite. hashData is the Linked Data Signatures one (see
:mod:`vcservice.securing.suites._legacy`); the signature is a pure Ed25519 signature over it,
written as multibase base58btc (``z…``) in ``proofValue``. The verification method is an
Ed25519 key (``Ed25519VerificationKey2020`` with ``publicKeyMultibase``, or any other form of an
Ed25519 public key, e.g. a did:key Multikey). The W3C vectors in vc-di-eddsa
(``TestVectors/Ed25519Signature2020``) are reproduced step by step in the tests.
"""

from __future__ import annotations

from dataclasses import dataclass

from vcservice.errors import KeyFormatError
from vcservice.keys import KeyType, PublicKey, multibase_decode

_SIGNATURE_BYTES = 64


@dataclass(frozen=True)
class Ed25519Signature2020:
    proof_type: str = "Ed25519Signature2020"
    key_types: frozenset[KeyType] = frozenset({KeyType.ED25519})
    signature_member: str = "proofValue"

    def signature_problem(self, value: str) -> str:
        try:
            raw = multibase_decode(value)
        except KeyFormatError as exc:
            return f"proofValue: {exc.detail}"
        if len(raw) != _SIGNATURE_BYTES:
            return f"proofValue: an Ed25519 signature is 64 bytes, not {len(raw)}"
        return ""

    def verify(self, hash_data: bytes, value: str, key: PublicKey) -> bool:
        if key.key_type not in self.key_types or self.signature_problem(value):
            return False
        return key.verify(multibase_decode(value), hash_data)


ED25519_SIGNATURE_2020 = Ed25519Signature2020()
