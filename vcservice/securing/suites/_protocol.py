"""The cryptosuite protocol: what the Data Integrity engine needs from one ``cryptosuite`` name.

The line between engine and suite follows the specs. The engine
(:mod:`vcservice.securing.dataintegrity`) owns what *vc-data-integrity* says about every proof:
proof sets and chains, purposes, challenge and domain, resolving the verification method. A
suite owns only what its own spec (*vc-di-eddsa*, *vc-di-ecdsa*) says: which keys it takes, how
the document and the proof options become bytes, how those bytes are hashed and signed. Each
step is a separate member so the W3C vectors can be checked step by step (canonical document,
canonical proof configuration, hashes, signature), not only end to end.

hashData is always ``digest(canonical proof config) || digest(canonical document)``; the engine
does the concatenation so no suite can get the order wrong.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

from vcservice.jsonld import StaticDocumentLoader
from vcservice.keys import KeyType, PublicKey, Signer


@runtime_checkable
class Cryptosuite(Protocol):
    """One Data Integrity cryptosuite (``DataIntegrityProof`` with ``cryptosuite`` = ``name``)."""

    @property
    def name(self) -> str:
        """The ``cryptosuite`` identifier, e.g. ``eddsa-rdfc-2022``."""
        ...

    @property
    def key_types(self) -> frozenset[KeyType]:
        """Key types the suite signs and verifies with; anything else is refused up front."""
        ...

    def proof_options(self, document: Mapping[str, Any], options: dict[str, Any]) -> dict[str, Any]:
        """The proof as it will be stored, before ``proofValue`` (create step 1–2).

        The JCS suites copy the document's ``@context`` into the proof here; RDFC suites do not.
        """
        ...

    def unsecured_document(
        self, document: Mapping[str, Any], proof: Mapping[str, Any]
    ) -> Mapping[str, Any]:
        """The document the proof covers, as the suite will canonicalize it.

        Raises :class:`~vcservice.errors.InputError` when this proof cannot cover ``document``
        at all (a JCS proof whose ``@context`` the document does not start with); the engine
        reports that as a failed signature.
        """
        ...

    def canonicalize_document(
        self, document: Mapping[str, Any], loader: StaticDocumentLoader
    ) -> bytes:
        """Transformation: the canonical bytes of the unsecured document."""
        ...

    def canonicalize_proof_config(
        self,
        document: Mapping[str, Any],
        proof: Mapping[str, Any],
        loader: StaticDocumentLoader,
    ) -> bytes:
        """Proof configuration: the canonical bytes of the proof options (no ``proofValue``)."""
        ...

    def digest(self, data: bytes, key_type: KeyType) -> bytes:
        """The suite's hash of one canonical form; ECDSA picks it by the key's curve."""
        ...

    def sign(self, hash_data: bytes, signer: Signer) -> bytes:
        """Proof serialization: the raw signature over hashData."""
        ...

    def verify(self, hash_data: bytes, signature: bytes, key: PublicKey) -> bool:
        """Proof verification: whether ``signature`` is valid for hashData under ``key``."""
        ...


@runtime_checkable
class ProofSuite(Cryptosuite, Protocol):
    """A cryptosuite whose ``proofValue`` is more than one signature over hashData.

    ecdsa-sd-2023 signs quad by quad and packs several signatures, a key and labels into its
    ``proofValue``, and what is verified (a derived proof) is not what was created (a base
    proof). The engine still owns everything else about the proof (its options, purpose,
    verification method, challenge and domain) and hands the suite the proof options and the
    document the proof covers.
    """

    def create_proof(
        self,
        document: Mapping[str, Any],
        proof: Mapping[str, Any],
        signer: Signer,
        loader: StaticDocumentLoader,
        *,
        mandatory_pointers: Sequence[str] | None,
    ) -> dict[str, Any]:
        """``proof`` (the options) with its ``proofValue``; InputError for unusable pointers."""
        ...

    def verify_proof(
        self,
        document: Mapping[str, Any],
        proof: Mapping[str, Any],
        key: PublicKey,
        loader: StaticDocumentLoader,
    ) -> str:
        """Empty if ``proof`` verifies for ``document`` under ``key``, else why not.

        Raises InputError for a ``proofValue`` that cannot be read (or is not one a verifier
        may accept, such as a base proof)."""
        ...
