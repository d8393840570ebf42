"""The two families every suite here belongs to: RDFC-1.0 and JCS.

The four suites differ in three facts only, which their own modules state: the name, the key
types, and the hash (SHA-256; SHA-384 for P-384 under ECDSA). The rest is fixed by the family
and written once here, so eddsa and ecdsa cannot drift apart:

* **RDFC** (``eddsa-rdfc-2022``, ``ecdsa-rdfc-2019``): the document is canonicalized with
  RDFC-1.0; the proof configuration is the proof options given the *document's* ``@context``
  ("Proof Configuration", step 4), canonicalized the same way. Either one coming out empty is
  refused (see :func:`_rdfc_statements`).
* **JCS** (``eddsa-jcs-2022``, ``ecdsa-jcs-2019``): document and proof configuration are
  RFC 8785 JSON. The stored proof carries the document's ``@context`` (Create Proof, step 2),
  and a verifier checks that the document's ``@context`` starts with the proof's, then hashes
  the document under the proof's ``@context`` (Verify Proof, steps 4–5). Without that check a
  JCS signature, which covers only JSON text, would survive a swap of the contexts that give
  that text its meaning.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from vcservice.errors import CanonicalizationError, InputError
from vcservice.jsonld import StaticDocumentLoader, jcs, rdfc
from vcservice.keys import KeyType, PublicKey, Signer

_CURVE_HASH = {KeyType.P256: "sha256", KeyType.P384: "sha384"}


def sha256_only(key_type: KeyType) -> str:
    """EdDSA suites hash with SHA-256 (vc-di-eddsa, "Hashing")."""
    return "sha256"


def sha_by_curve(key_type: KeyType) -> str:
    """ECDSA suites match the hash to the curve: SHA-256 for P-256, SHA-384 for P-384."""
    return _CURVE_HASH[key_type]


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _rdfc_statements(value: Mapping[str, Any], loader: StaticDocumentLoader, what: str) -> bytes:
    """RDFC-1.0 bytes, refusing an empty dataset.

    JSON-LD silently drops terms its context does not define. With no (or an empty) context
    both canonical forms are empty, and one signature over two empty hashes would verify for
    every such document; a proof configuration that drops its own terms would leave purpose
    and verification method unsigned.
    """
    # Inside the verifier's shared_walks() block the data-model check reuses this walk (see
    # Verifier.verify_credential for why the cache is not an argument of canonicalize).
    canonical = rdfc(value, loader)
    if not canonical:
        raise CanonicalizationError(
            f"the {what} yields no RDF statements under its @context, so a proof would cover "
            "nothing"
        )
    try:
        return canonical.encode("utf-8")
    except UnicodeEncodeError as exc:  # lone surrogates survive JSON parsing, not UTF-8
        raise CanonicalizationError(f"the {what} contains text that is not valid Unicode") from exc


@dataclass(frozen=True)
class _Suite:
    name: str
    key_types: frozenset[KeyType]
    hash_name: Callable[[KeyType], str]

    def digest(self, data: bytes, key_type: KeyType) -> bytes:
        return hashlib.new(self.hash_name(key_type), data).digest()

    def sign(self, hash_data: bytes, signer: Signer) -> bytes:
        # KeyPair.sign emits the raw form both specs put on the wire: 64-byte Ed25519, or
        # ECDSA r||s (IEEE P1363) after hashing with the curve's own hash.
        return signer.sign(hash_data)

    def verify(self, hash_data: bytes, signature: bytes, key: PublicKey) -> bool:
        return key.key_type in self.key_types and key.verify(signature, hash_data)


@dataclass(frozen=True)
class RdfcSuite(_Suite):
    """A suite of the RDFC-1.0 family (see the module docstring)."""

    def proof_options(self, document: Mapping[str, Any], options: dict[str, Any]) -> dict[str, Any]:
        return dict(options)

    def unsecured_document(
        self, document: Mapping[str, Any], proof: Mapping[str, Any]
    ) -> Mapping[str, Any]:
        return document

    def canonicalize_document(
        self, document: Mapping[str, Any], loader: StaticDocumentLoader
    ) -> bytes:
        return _rdfc_statements(document, loader, "document")

    def canonicalize_proof_config(
        self,
        document: Mapping[str, Any],
        proof: Mapping[str, Any],
        loader: StaticDocumentLoader,
    ) -> bytes:
        config = {**proof, "@context": document.get("@context")}
        return _rdfc_statements(config, loader, "proof configuration")


@dataclass(frozen=True)
class JcsSuite(_Suite):
    """A suite of the JCS family (see the module docstring)."""

    def proof_options(self, document: Mapping[str, Any], options: dict[str, Any]) -> dict[str, Any]:
        proof = dict(options)
        if "@context" in document:
            proof["@context"] = copy.deepcopy(document["@context"])
        return proof

    def unsecured_document(
        self, document: Mapping[str, Any], proof: Mapping[str, Any]
    ) -> Mapping[str, Any]:
        if "@context" not in proof:
            return document
        signed = _as_list(proof["@context"])
        if _as_list(document.get("@context"))[: len(signed)] != signed:
            raise InputError("the document's @context does not start with the proof's @context")
        return {**document, "@context": proof["@context"]}

    def canonicalize_document(
        self, document: Mapping[str, Any], loader: StaticDocumentLoader
    ) -> bytes:
        return jcs(document)

    def canonicalize_proof_config(
        self,
        document: Mapping[str, Any],
        proof: Mapping[str, Any],
        loader: StaticDocumentLoader,
    ) -> bytes:
        return jcs(proof)
