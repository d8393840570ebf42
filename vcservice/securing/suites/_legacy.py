"""Legacy (pre-Data Integrity 1.0) Linked Data proof suites, for verification only.

Other platforms still emit proofs whose ``type`` names the suite itself rather than
``DataIntegrityProof`` + ``cryptosuite``: ``Ed25519Signature2020`` (SpruceID's didkit, Digital
Bazaar's older libraries) and ``JsonWebSignature2020`` (Catena-X, Transmute, the UNTP 0.1
samples). This service never issues them; the verifier accepts them with the warning
``proof.legacy-suite`` so that a credential from such a platform can be read, not silently
treated as current.

Both suites share the Linked Data Signatures hashing, which is what ``eddsa-rdfc-2022`` later
standardized: URDNA2015 (= RDFC-1.0) of the proof options (the proof without its signature)
and of the document (without ``proof``), SHA-256 of each, and
``hashData = SHA-256(proof options) || SHA-256(document)``. They differ in how the signature
over hashData is written (:class:`LegacySuite`).

**The proof options' @context.** Digital Bazaar's libraries (and the W3C vectors) canonicalize
the proof under the *document's* ``@context``. SpruceID's ssi/didkit writes the suite context
into the proof (``proof["@context"]``) when the document does not name it, and canonicalizes
the proof with the document's contexts first and the proof's own after them. Both are the same
rule, applied here: the document's ``@context`` followed by the proof's (if any).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

from vcservice.jsonld import StaticDocumentLoader
from vcservice.keys import KeyType, PublicKey
from vcservice.securing.suites._families import _rdfc_statements


@runtime_checkable
class LegacySuite(Protocol):
    """A verify-only legacy proof suite, named by the proof's ``type``."""

    @property
    def proof_type(self) -> str:
        """The proof ``type``, e.g. ``Ed25519Signature2020``."""
        ...

    @property
    def key_types(self) -> frozenset[KeyType]:
        """Key types the suite verifies with; any other verification method is refused."""
        ...

    @property
    def signature_member(self) -> str:
        """The proof member that carries the signature (``proofValue`` or ``jws``)."""
        ...

    def signature_problem(self, value: str) -> str:
        """Why ``value`` cannot be this suite's signature; empty when it is well formed."""
        ...

    def verify(self, hash_data: bytes, value: str, key: PublicKey) -> bool:
        """Whether the signature ``value`` is valid for hashData under ``key``."""
        ...


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def legacy_proof_config(document: Mapping[str, Any], options: Mapping[str, Any]) -> dict[str, Any]:
    """The proof options as canonicalized: the document's @context, then the proof's own."""
    contexts = _as_list(document.get("@context")) + _as_list(options.get("@context"))
    return {**options, "@context": contexts}


def legacy_hash_data(
    document: Mapping[str, Any], options: Mapping[str, Any], loader: StaticDocumentLoader
) -> bytes:
    """SHA-256(URDNA2015 proof options) || SHA-256(URDNA2015 document without proof).

    ``options`` is the proof without its signature member. Raises CanonicalizationError (as
    the Data Integrity suites do) when either side yields no RDF statements, and
    ContextNotAllowedError for a context that is not bundled.
    """
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    canonical_document = _rdfc_statements(unsecured, loader, "document")
    config = legacy_proof_config(unsecured, options)
    canonical_config = _rdfc_statements(config, loader, "proof configuration")
    return hashlib.sha256(canonical_config).digest() + hashlib.sha256(canonical_document).digest()
