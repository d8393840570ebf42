"""The resolver protocol and verification-method dereferencing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from vcservice.errors import KeyFormatError, ResolutionError, VerificationMethodError
from vcservice.keys import KeyType, PublicKey, multibase_decode

_RELATIONSHIPS = frozenset(
    {
        "assertionMethod",
        "authentication",
        "capabilityInvocation",
        "capabilityDelegation",
        "keyAgreement",
    }
)


class DIDResolver(Protocol):
    """Resolves a DID (no fragment) to its DID document, or raises ResolutionError."""

    def resolve(self, did: str) -> dict[str, Any]: ...


@dataclass(frozen=True)
class VerificationMethod:
    id: str
    type: str
    controller: str
    public_key: PublicKey


def did_of(did_url: str) -> str:
    """The DID part of a DID URL (drops fragment, query and path)."""
    for sep in ("#", "?"):
        did_url = did_url.split(sep, 1)[0]
    return did_url


class StaticResolver:
    """Resolves from a fixed map of documents; tests use it to supply DID documents offline."""

    def __init__(
        self, documents: Mapping[str, dict[str, Any]], fallback: DIDResolver | None = None
    ) -> None:
        self._documents = dict(documents)
        self._fallback = fallback

    def resolve(self, did: str) -> dict[str, Any]:
        if did in self._documents:
            return self._documents[did]
        if self._fallback is not None:
            return self._fallback.resolve(did)
        raise ResolutionError(f"no DID document known for {did}")


def _absolute(ref: str, did: str) -> str:
    return did + ref if ref.startswith("#") else ref


def public_key_of(method: Mapping[str, Any]) -> PublicKey:
    """Key material of a verification method: Multikey, JsonWebKey(2020) or Ed25519 2020."""
    if "publicKeyMultibase" in method:
        return PublicKey.from_multibase(method["publicKeyMultibase"])
    if "publicKeyJwk" in method:
        jwk = method["publicKeyJwk"]
        if isinstance(jwk, dict) and "d" in jwk:
            raise KeyFormatError("a verification method must never carry a private key")
        return PublicKey.from_jwk(jwk)
    if "publicKeyBase58" in method and method.get("type") == "Ed25519VerificationKey2018":
        raw = multibase_decode("z" + str(method["publicKeyBase58"]))
        return PublicKey.from_raw(KeyType.ED25519, raw)
    raise KeyFormatError("verification method has no supported public key encoding")


def resolve_verification_method(
    resolver: DIDResolver, method_id: str, purpose: str
) -> VerificationMethod:
    """Dereference ``method_id`` and check that its controller authorizes it for ``purpose``.

    Raises ResolutionError when the DID cannot be resolved (could not check) and
    VerificationMethodError when the method is absent, malformed or not authorized (invalid).
    """
    if purpose not in _RELATIONSHIPS:
        raise VerificationMethodError(f"unknown proof purpose {purpose!r}")
    if not isinstance(method_id, str) or not method_id.startswith("did:"):
        raise VerificationMethodError(
            f"verification method {method_id!r} is not a DID URL; only DID-based methods are "
            "supported"
        )
    did = did_of(method_id)
    document = resolver.resolve(did)
    if document.get("id") != did:
        raise ResolutionError(f"DID document id {document.get('id')!r} does not match {did}")

    methods: dict[str, Mapping[str, Any]] = {}
    for entry in document.get("verificationMethod", []) or []:
        if isinstance(entry, dict) and isinstance(entry.get("id"), str):
            methods[_absolute(entry["id"], did)] = entry
    authorized: set[str] = set()
    for entry in document.get(purpose, []) or []:
        if isinstance(entry, str):
            authorized.add(_absolute(entry, did))
        elif isinstance(entry, dict) and isinstance(entry.get("id"), str):
            methods.setdefault(_absolute(entry["id"], did), entry)
            authorized.add(_absolute(entry["id"], did))

    method = methods.get(method_id)
    if method is None:
        raise VerificationMethodError(f"verification method {method_id} not found in {did}")
    if method_id not in authorized:
        raise VerificationMethodError(
            f"verification method {method_id} is not authorized for {purpose} by {did}"
        )
    controller = method.get("controller", did)
    if not isinstance(controller, str):
        raise VerificationMethodError(f"verification method {method_id} has no valid controller")
    # Controlled Identifiers 1.0, "Retrieve Verification Method": the method's controller MUST
    # be the document it was found in. Callers bind issuers to ``controller``, so without this
    # a document could list its own key with someone else's DID as controller and sign as them.
    if controller != did:
        raise VerificationMethodError(
            f"verification method {method_id} names {controller} as its controller, not {did}"
        )
    try:
        key = public_key_of(method)
    except KeyFormatError as exc:
        raise VerificationMethodError(f"verification method {method_id}: {exc.detail}") from exc
    return VerificationMethod(
        id=method_id, type=str(method.get("type", "")), controller=controller, public_key=key
    )
