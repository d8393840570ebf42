"""A signer: a key pair bound to the verification method (a DID URL) that names it."""

from __future__ import annotations

from dataclasses import dataclass

from vcservice.keys._keys import KeyPair


@dataclass(frozen=True)
class Signer:
    key: KeyPair
    verification_method: str

    @property
    def controller(self) -> str:
        return self.verification_method.split("#", 1)[0]

    def sign(self, data: bytes) -> bytes:
        return self.key.sign(data)

    @classmethod
    def did_key(cls, key: KeyPair) -> Signer:
        """Signer for ``did:key:<mb>#<mb>``, the method did:key resolves to."""
        fingerprint = key.public.multibase
        return cls(key, f"did:key:{fingerprint}#{fingerprint}")
