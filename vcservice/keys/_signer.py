"""A signer: a signing key bound to the verification method (a DID URL) that names it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from vcservice.keys._keys import KeyType, PublicKey


class SigningKey(Protocol):
    """What signing needs of a key: its type, its public half and a raw signature.

    A :class:`KeyPair` (private half in memory, from the vault) is one; a key held in a PKCS#11
    token is another, whose private half never leaves the token. Signatures are raw, as
    :mod:`vcservice.keys._keys` describes (Ed25519 64 bytes, ECDSA r||s over the curve's hash).
    """

    @property
    def key_type(self) -> KeyType: ...

    @property
    def public(self) -> PublicKey: ...

    def sign(self, data: bytes) -> bytes: ...


@dataclass(frozen=True)
class Signer:
    key: SigningKey
    verification_method: str

    @property
    def controller(self) -> str:
        return self.verification_method.split("#", 1)[0]

    def sign(self, data: bytes) -> bytes:
        return self.key.sign(data)

    @classmethod
    def did_key(cls, key: SigningKey) -> Signer:
        """Signer for ``did:key:<mb>#<mb>``, the method did:key resolves to."""
        fingerprint = key.public.multibase
        return cls(key, f"did:key:{fingerprint}#{fingerprint}")
