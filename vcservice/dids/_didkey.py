"""did:key for Ed25519, P-256 and P-384 Multikeys (resolved locally, no I/O)."""

from __future__ import annotations

from typing import Any

from vcservice.errors import KeyFormatError, ResolutionError
from vcservice.keys import PublicKey

DID_V1 = "https://www.w3.org/ns/did/v1"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"


def did_key_for(public: PublicKey) -> str:
    return "did:key:" + public.multibase


def did_key_document(did: str) -> dict[str, Any]:
    if not did.startswith("did:key:"):
        raise ResolutionError(f"{did} is not a did:key")
    fingerprint = did[len("did:key:") :]
    try:
        PublicKey.from_multibase(fingerprint)
    except KeyFormatError as exc:
        raise ResolutionError(f"invalid did:key {did}: {exc.detail}") from exc
    method_id = f"{did}#{fingerprint}"
    return {
        "@context": [DID_V1, MULTIKEY_V1],
        "id": did,
        "verificationMethod": [
            {
                "id": method_id,
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": fingerprint,
            }
        ],
        "authentication": [method_id],
        "assertionMethod": [method_id],
        "capabilityInvocation": [method_id],
        "capabilityDelegation": [method_id],
    }


class DidKeyResolver:
    def resolve(self, did: str) -> dict[str, Any]:
        return did_key_document(did)
