"""The cryptosuite registry, and the contract between the engine and a suite."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import pytest

from vcservice.dids import DidKeyResolver
from vcservice.errors import SigningError
from vcservice.jsonld import StaticDocumentLoader, bundled_loader
from vcservice.keys import KeyPair, KeyType, PublicKey, Signer
from vcservice.securing import add_proof, default_suites, verify_proofs
from vcservice.securing.suites import (
    ECDSA_RDFC_2019,
    EDDSA_JCS_2022,
    EDDSA_RDFC_2022,
    Cryptosuite,
    RdfcSuite,
    SuiteRegistry,
)

from ..conftest import EDDSA_VECTORS, load_json


def test_the_default_registry_has_the_five_suites() -> None:
    assert default_suites().names == {
        "eddsa-rdfc-2022",
        "eddsa-jcs-2022",
        "ecdsa-rdfc-2019",
        "ecdsa-jcs-2019",
        "ecdsa-sd-2023",
    }
    assert default_suites() is default_suites()


def test_every_suite_implements_the_protocol() -> None:
    registry = default_suites()
    for name in registry.names:
        suite = registry.get(name)
        assert isinstance(suite, Cryptosuite)
        assert suite.name == name


def test_with_suite_returns_a_new_registry() -> None:
    empty = SuiteRegistry()
    one = empty.with_suite(EDDSA_RDFC_2022)
    assert empty.names == frozenset()
    assert one.names == {"eddsa-rdfc-2022"}
    assert one.get("eddsa-rdfc-2022") is EDDSA_RDFC_2022
    assert one.get("ecdsa-rdfc-2019") is None


def test_a_suite_is_registered_once() -> None:
    with pytest.raises(ValueError, match="already registered"):
        default_suites().with_suite(EDDSA_RDFC_2022)


@pytest.mark.parametrize(
    ("suite", "error", "message"),
    [
        (object(), TypeError, "does not implement"),
        (replace(EDDSA_RDFC_2022, name="EdDSA 2022"), ValueError, "lowercase dashed"),
        (replace(EDDSA_RDFC_2022, key_types=frozenset()), ValueError, "non-empty set"),
        (
            replace(EDDSA_RDFC_2022, key_types=frozenset({"ed25519"})),  # type: ignore[arg-type]
            ValueError,
            "KeyType",
        ),
        (replace(EDDSA_RDFC_2022, hash_name=lambda _k: "md5"), ValueError, "256-bit"),
        (
            replace(ECDSA_RDFC_2019, key_types=frozenset({KeyType.P256, KeyType.ED25519})),
            ValueError,
            "no digest for ed25519",
        ),
    ],
    ids=["not-a-suite", "bad-name", "no-key-types", "not-key-types", "weak-hash", "no-hash"],
)
def test_a_broken_suite_is_refused_when_registered(
    suite: Any, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        SuiteRegistry().with_suite(suite)


def test_the_registry_is_injected_into_signing_and_verifying() -> None:
    only_jcs = SuiteRegistry().with_suite(EDDSA_JCS_2022)
    signer = Signer.did_key(KeyPair.generate(KeyType.ED25519))
    credential = load_json(EDDSA_VECTORS / "unsigned.json")
    secured = add_proof(
        credential,
        "eddsa-rdfc-2022",
        signer,
        loader=bundled_loader(),
        created="2025-01-01T00:00:00Z",
    )
    result = verify_proofs(
        secured, resolver=DidKeyResolver(), loader=bundled_loader(), suites=only_jcs
    )
    assert result.report.has_failed("proof.cryptosuite")
    with pytest.raises(SigningError, match="unknown cryptosuite 'eddsa-rdfc-2022'"):
        add_proof(credential, "eddsa-rdfc-2022", signer, loader=bundled_loader(), suites=only_jcs)


@dataclass
class CountingSuite:
    """Delegates to a real suite and counts the canonicalizations the engine asks for."""

    inner: RdfcSuite
    calls: dict[str, int] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def key_types(self) -> frozenset[KeyType]:
        return self.inner.key_types

    def _count(self, step: str) -> None:
        self.calls[step] = self.calls.get(step, 0) + 1

    def proof_options(self, document: Mapping[str, Any], options: dict[str, Any]) -> dict[str, Any]:
        return self.inner.proof_options(document, options)

    def unsecured_document(
        self, document: Mapping[str, Any], proof: Mapping[str, Any]
    ) -> Mapping[str, Any]:
        return self.inner.unsecured_document(document, proof)

    def canonicalize_document(
        self, document: Mapping[str, Any], loader: StaticDocumentLoader
    ) -> bytes:
        self._count("document")
        return self.inner.canonicalize_document(document, loader)

    def canonicalize_proof_config(
        self, document: Mapping[str, Any], proof: Mapping[str, Any], loader: StaticDocumentLoader
    ) -> bytes:
        self._count("proof config")
        return self.inner.canonicalize_proof_config(document, proof, loader)

    def digest(self, data: bytes, key_type: KeyType) -> bytes:
        return self.inner.digest(data, key_type)

    def sign(self, hash_data: bytes, signer: Signer) -> bytes:
        return self.inner.sign(hash_data, signer)

    def verify(self, hash_data: bytes, signature: bytes, key: PublicKey) -> bool:
        return self.inner.verify(hash_data, signature, key)


@pytest.mark.parametrize("path", ["signedProofSet2.json", "signedProofChain2.json"])
def test_each_proof_is_canonicalized_once_per_verification(path: str) -> None:
    counting = CountingSuite(EDDSA_RDFC_2022)
    registry = SuiteRegistry().with_suite(counting)
    document = load_json(EDDSA_VECTORS / "proof-set-chain" / path)
    result = verify_proofs(
        document, resolver=DidKeyResolver(), loader=bundled_loader(), suites=registry
    )
    assert result.report.verified
    proofs = len(document["proof"])
    assert counting.calls == {"document": proofs, "proof config": proofs}


def test_lone_surrogates_are_a_canonicalization_error() -> None:
    """Python's json accepts "\\ud800"; UTF-8 cannot carry it, so RDFC output cannot be hashed."""
    from vcservice.errors import CanonicalizationError
    from vcservice.jsonld import bundled_loader
    from vcservice.keys import KeyPair, Signer
    from vcservice.securing.dataintegrity import add_proof

    document = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://www.w3.org/ns/credentials/examples/v2",
        ],
        "type": ["VerifiableCredential"],
        "issuer": "did:example:issuer",
        "credentialSubject": {"id": "did:example:subject", "name": "\ud800"},
    }
    signer = Signer.did_key(KeyPair.generate("ed25519"))
    with pytest.raises(CanonicalizationError, match="not valid Unicode"):
        add_proof(document, "eddsa-rdfc-2022", signer, loader=bundled_loader())
