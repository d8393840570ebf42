# ruff: noqa: E501  (the didkit credentials below are pasted verbatim)
"""Legacy proof suites: ``Ed25519Signature2020`` and ``JsonWebSignature2020``, verify only.

* The W3C vc-di-eddsa ``Ed25519Signature2020`` vectors, step by step (canonical forms, hashes,
  signature) and end to end.
* Credentials signed by an independent implementation, SpruceID's didkit 0.3.3 (VC 1.1,
  did:key): ``Ed25519Signature2020`` and ``JsonWebSignature2020`` with Ed25519 and P-256 keys.
  didkit writes the suite context into ``proof["@context"]``; these check that our hashing
  (document contexts, then the proof's) agrees with it. They were issued once by didkit
  (``issue_credential`` with ``created`` fixed) and pasted here, so the tests need no didkit.
* Every legacy proof that verifies carries the warning ``proof.legacy-suite``; tampering,
  malformed signatures and keys of the wrong type fail.
* A UNTP 0.6 ``hashDigest`` link in a graph walk is followed with the warning ``links.legacy``.
"""

from __future__ import annotations

import copy
import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from vcservice.dids import DidKeyResolver, default_resolver, public_key_of
from vcservice.issuing import issue_credential
from vcservice.jsonld import BUNDLED_CONTEXTS, bundled_loader, rdfc
from vcservice.keys import KeyType, b64url_encode, multibase_decode
from vcservice.links import served_bytes
from vcservice.securing import verify_proofs
from vcservice.securing.suites import (
    ED25519_SIGNATURE_2020,
    JSON_WEB_SIGNATURE_2020,
    LEGACY_SUITES,
    legacy_hash_data,
)
from vcservice.securing.suites._legacy import legacy_proof_config
from vcservice.verify import Verifier

from ..conftest import EDDSA_VECTORS, load_json

ED2020 = EDDSA_VECTORS / "Ed25519Signature2020"

#: Issued by didkit 0.3.3 (SpruceID ssi), see the module docstring.
DIDKIT: dict[str, dict[str, Any]] = json.loads(
    r"""
{
    "ed25519-2020": {
        "@context": [
            "https://www.w3.org/2018/credentials/v1",
            {
                "name": "https://schema.org/name",
                "Degree": "https://example.org/vocab#Degree",
                "degree": "https://example.org/vocab#degree"
            }
        ],
        "id": "urn:uuid:8f2f6a52-7c1d-4f0e-9d7e-0c5b7f3b2a11",
        "type": [
            "VerifiableCredential"
        ],
        "credentialSubject": {
            "id": "did:example:ebfeb1f712ebc6f1c276e12ec21",
            "degree": {
                "name": "Bachelor of Science and Arts",
                "type": "Degree"
            }
        },
        "issuer": "did:key:z6MkeviriEu17fTyTocMFfqCZL4hsgrQsxYUhQtm4gzc5wK7",
        "issuanceDate": "2024-01-01T00:00:00Z",
        "proof": {
            "@context": [
                "https://w3id.org/security/suites/ed25519-2020/v1"
            ],
            "type": "Ed25519Signature2020",
            "proofPurpose": "assertionMethod",
            "proofValue": "z5aB5L83nf6atU5xtd6epopgygufbNrondBJKJ3X6jbRVHDoKGpZJcBBQVetsrWBPZMCizLJs5JkW4XtzoyYoVi89",
            "verificationMethod": "did:key:z6MkeviriEu17fTyTocMFfqCZL4hsgrQsxYUhQtm4gzc5wK7#z6MkeviriEu17fTyTocMFfqCZL4hsgrQsxYUhQtm4gzc5wK7",
            "created": "2024-01-01T00:00:00Z"
        }
    },
    "jws-2020-ed25519": {
        "@context": [
            "https://www.w3.org/2018/credentials/v1",
            {
                "Degree": "https://example.org/vocab#Degree",
                "degree": "https://example.org/vocab#degree",
                "name": "https://schema.org/name"
            }
        ],
        "id": "urn:uuid:8f2f6a52-7c1d-4f0e-9d7e-0c5b7f3b2a11",
        "type": [
            "VerifiableCredential"
        ],
        "credentialSubject": {
            "id": "did:example:ebfeb1f712ebc6f1c276e12ec21",
            "degree": {
                "name": "Bachelor of Science and Arts",
                "type": "Degree"
            }
        },
        "issuer": "did:key:z6MkeviriEu17fTyTocMFfqCZL4hsgrQsxYUhQtm4gzc5wK7",
        "issuanceDate": "2024-01-01T00:00:00Z",
        "proof": {
            "@context": [
                "https://w3id.org/security/suites/jws-2020/v1"
            ],
            "type": "JsonWebSignature2020",
            "proofPurpose": "assertionMethod",
            "verificationMethod": "did:key:z6MkeviriEu17fTyTocMFfqCZL4hsgrQsxYUhQtm4gzc5wK7#z6MkeviriEu17fTyTocMFfqCZL4hsgrQsxYUhQtm4gzc5wK7",
            "created": "2024-01-01T00:00:00Z",
            "jws": "eyJhbGciOiJFZERTQSIsImNyaXQiOlsiYjY0Il0sImI2NCI6ZmFsc2V9..iJXKG5p3qh9_n2zsCqutbNa2lB6524A7YnthsshkN4YzlZ6XzSbcueVqlwF1MY3o0M0KVN__xKPiOEHTPrz5DA"
        }
    },
    "jws-2020-p256": {
        "@context": [
            "https://www.w3.org/2018/credentials/v1",
            {
                "name": "https://schema.org/name",
                "Degree": "https://example.org/vocab#Degree",
                "degree": "https://example.org/vocab#degree"
            }
        ],
        "id": "urn:uuid:8f2f6a52-7c1d-4f0e-9d7e-0c5b7f3b2a11",
        "type": [
            "VerifiableCredential"
        ],
        "credentialSubject": {
            "id": "did:example:ebfeb1f712ebc6f1c276e12ec21",
            "degree": {
                "name": "Bachelor of Science and Arts",
                "type": "Degree"
            }
        },
        "issuer": "did:key:zDnaewj8phyt8KAyvhYo7LYfegiBKfbz2MfoSiRkZGkgUPfAu",
        "issuanceDate": "2024-01-01T00:00:00Z",
        "proof": {
            "@context": [
                "https://w3id.org/security/suites/jws-2020/v1"
            ],
            "type": "JsonWebSignature2020",
            "proofPurpose": "assertionMethod",
            "verificationMethod": "did:key:zDnaewj8phyt8KAyvhYo7LYfegiBKfbz2MfoSiRkZGkgUPfAu#zDnaewj8phyt8KAyvhYo7LYfegiBKfbz2MfoSiRkZGkgUPfAu",
            "created": "2024-01-01T00:00:00Z",
            "jws": "eyJhbGciOiJFUzI1NiIsImNyaXQiOlsiYjY0Il0sImI2NCI6ZmFsc2V9..xIuuVcwhmwEVEf4IG8WKH-mDI2TEroe5y9wdWdFPpjvBsTWNNmtDb663SvqFO5SmGU5aM6PiQhDRr0jhcN0Zcg"
        }
    }
}
"""
)


def _text(name: str) -> str:
    return (ED2020 / name).read_text(encoding="utf-8")


def _verify(document: dict[str, Any]) -> Any:
    return verify_proofs(document, resolver=DidKeyResolver(), loader=bundled_loader()).report


# --- contexts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://w3id.org/security/suites/ed25519-2020/v1",
        "https://w3id.org/security/suites/jws-2020/v1",
    ],
)
def test_legacy_suite_contexts_are_bundled_and_pinned(url: str) -> None:
    (entry,) = [c for c in BUNDLED_CONTEXTS if c.url == url]
    assert len(entry.sha256) == 64
    assert url in bundled_loader()


# --- W3C vectors, step by step ----------------------------------------------------------------


def test_w3c_vector_canonical_document() -> None:
    signed = load_json(ED2020 / "signedEdSig.json")
    unsecured = {k: v for k, v in signed.items() if k != "proof"}
    assert rdfc(unsecured, bundled_loader()) == _text("canonDocEdSig.txt")


def test_w3c_vector_canonical_proof_configuration() -> None:
    signed = load_json(ED2020 / "signedEdSig.json")
    options = {k: v for k, v in signed["proof"].items() if k != "proofValue"}
    config = legacy_proof_config(signed, options)
    assert config == load_json(ED2020 / "proofConfigEdSig.json")
    assert rdfc(config, bundled_loader()) == _text("proofCanonEdSig.txt")


def test_w3c_vector_hashes_and_signature() -> None:
    signed = load_json(ED2020 / "signedEdSig.json")
    options = {k: v for k, v in signed["proof"].items() if k != "proofValue"}
    hash_data = legacy_hash_data(signed, options, bundled_loader())
    assert hash_data == bytes.fromhex(_text("combinedHashEdSig.txt").strip())
    assert hash_data[:32].hex() == _text("proofHashEdSig.txt").strip()
    assert hash_data[32:].hex() == _text("docHashEdSig.txt").strip()
    proof_value = _text("sigBTC58EdSig.txt").strip()
    assert signed["proof"]["proofValue"] == proof_value
    assert multibase_decode(proof_value).hex() == _text("sigHexEdSig.txt").strip()
    key = DidKeyResolver().resolve(signed["proof"]["verificationMethod"].split("#")[0])
    method = key["verificationMethod"][0]
    assert ED25519_SIGNATURE_2020.verify(hash_data, proof_value, public_key_of(method))


def test_w3c_vector_verifies_end_to_end_with_a_legacy_warning() -> None:
    signed = load_json(ED2020 / "signedEdSig.json")
    result = verify_proofs(signed, resolver=DidKeyResolver(), loader=bundled_loader())
    assert result.report.verified, [c.to_dict() for c in result.report.errors]
    (warning,) = result.report.warnings
    assert warning.id == "proof.legacy-suite"
    assert "Ed25519Signature2020 is a legacy suite (pre-Data Integrity 1.0)" in str(
        warning.to_dict()
    )
    assert "eddsa-rdfc-2022" in str(warning.to_dict())


def test_w3c_vector_tampered_fails() -> None:
    signed = load_json(ED2020 / "signedEdSig.json")
    signed["credentialSubject"]["alumniOf"] = "Another School"
    report = _verify(signed)
    assert report.has_failed("proof.signature")
    assert not report.verified


# --- didkit (independent implementation) ------------------------------------------------------


@pytest.mark.parametrize("name", sorted(DIDKIT))
def test_didkit_credentials_verify_with_a_legacy_warning(name: str) -> None:
    credential = DIDKIT[name]
    report = _verify(credential)
    assert report.verified, [c.to_dict() for c in report.errors]
    assert [w.id for w in report.warnings] == ["proof.legacy-suite"]
    assert credential["proof"]["type"] in str(report.warnings[0].to_dict())


@pytest.mark.parametrize("name", sorted(DIDKIT))
def test_didkit_credentials_pass_the_pipeline_as_vc11_with_two_warnings(name: str) -> None:
    report = Verifier(resolver=default_resolver()).verify_credential(DIDKIT[name])
    assert report.verified, [c.to_dict() for c in report.errors]
    assert {w.id for w in report.warnings} == {"datamodel.legacy-vc1", "proof.legacy-suite"}


@pytest.mark.parametrize("name", sorted(DIDKIT))
@pytest.mark.parametrize(
    "path",
    [
        ("credentialSubject", "degree", "name"),
        ("issuanceDate",),
        ("proof", "created"),
        ("proof", "proofPurpose"),
    ],
    ids="/".join,
)
def test_tampered_didkit_credentials_fail(name: str, path: tuple[str, ...]) -> None:
    credential = copy.deepcopy(DIDKIT[name])
    target = credential
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = "authentication" if path[-1] == "proofPurpose" else "2025-01-01T00:00:00Z"
    report = _verify(credential)
    assert not report.verified


def test_a_proof_context_swap_fails() -> None:
    """The proof's own @context is signed over: dropping it changes (or empties) the config."""
    credential = copy.deepcopy(DIDKIT["ed25519-2020"])
    credential["proof"]["@context"] = ["https://w3id.org/security/suites/jws-2020/v1"]
    assert not _verify(credential).verified


# --- malformed and mismatched legacy proofs ---------------------------------------------------


def test_a_bad_proof_value_is_malformed() -> None:
    credential = copy.deepcopy(DIDKIT["ed25519-2020"])
    credential["proof"]["proofValue"] = "zabc"
    report = _verify(credential)
    assert report.has_failed("proof.malformed")
    assert "64 bytes" in str([c.to_dict() for c in report.errors])


def test_a_legacy_proof_with_previous_proof_is_malformed() -> None:
    credential = copy.deepcopy(DIDKIT["ed25519-2020"])
    credential["proof"]["previousProof"] = "urn:uuid:1"
    assert _verify(credential).has_failed("proof.malformed")


def test_a_legacy_proof_still_checks_the_purpose() -> None:
    credential = DIDKIT["ed25519-2020"]
    result = verify_proofs(
        credential, resolver=DidKeyResolver(), loader=bundled_loader(), purpose="authentication"
    )
    assert result.report.has_failed("proof.purpose")


@pytest.mark.parametrize(
    ("header", "problem"),
    [
        ({"alg": "EdDSA"}, "b64"),
        ({"alg": "EdDSA", "b64": True, "crit": ["b64"]}, "b64"),
        ({"alg": "ES256K", "b64": False, "crit": ["b64"]}, "not supported"),
        ({"alg": "none", "b64": False, "crit": ["b64"]}, "not supported"),
    ],
)
def test_a_jws_without_the_detached_unencoded_header_is_malformed(
    header: dict[str, Any], problem: str
) -> None:
    credential = copy.deepcopy(DIDKIT["jws-2020-ed25519"])
    signature = credential["proof"]["jws"].split(".")[2]
    encoded = b64url_encode(json.dumps(header).encode())
    credential["proof"]["jws"] = f"{encoded}..{signature}"
    report = _verify(credential)
    assert report.has_failed("proof.malformed")
    assert problem in str([c.to_dict() for c in report.errors])


def test_a_jws_with_an_attached_payload_is_malformed() -> None:
    credential = copy.deepcopy(DIDKIT["jws-2020-ed25519"])
    header, _, signature = credential["proof"]["jws"].split(".")
    credential["proof"]["jws"] = f"{header}.e30.{signature}"
    assert _verify(credential).has_failed("proof.malformed")


def test_a_jws_whose_alg_does_not_fit_the_key_fails() -> None:
    """An ES256 header on an Ed25519 key's proof: the signature cannot verify."""
    credential = copy.deepcopy(DIDKIT["jws-2020-ed25519"])
    signature = credential["proof"]["jws"].split(".")[2]
    header = {"alg": "ES256", "crit": ["b64"], "b64": False}
    credential["proof"]["jws"] = f"{b64url_encode(json.dumps(header).encode())}..{signature}"
    assert _verify(credential).has_failed("proof.signature")


def test_ed25519signature2020_refuses_a_p256_key() -> None:
    """The P-256 didkit credential's method, under an Ed25519Signature2020 proof."""
    credential = copy.deepcopy(DIDKIT["ed25519-2020"])
    credential["proof"]["verificationMethod"] = DIDKIT["jws-2020-p256"]["proof"][
        "verificationMethod"
    ]
    report = _verify(credential)
    assert report.has_failed("proof.verification-method")
    assert "cannot use" in str([c.to_dict() for c in report.errors])


def test_the_legacy_suites_are_registered_by_proof_type() -> None:
    assert set(LEGACY_SUITES) == {"Ed25519Signature2020", "JsonWebSignature2020"}
    assert LEGACY_SUITES["JsonWebSignature2020"] is JSON_WEB_SIGNATURE_2020
    assert JSON_WEB_SIGNATURE_2020.key_types == {KeyType.ED25519, KeyType.P256, KeyType.P384}


# --- UNTP 0.6 hashDigest links in the graph walk ---------------------------------------------


def test_a_untp06_hash_digest_link_is_followed_with_a_legacy_warning() -> None:
    from ..graph import test_walk as walk

    documents = walk.chain(1)
    upstream = documents[walk.BASE + "c0"]
    legacy_link = walk.link(walk.BASE + "c0")
    legacy_link["hashDigest"] = hashlib.sha256(served_bytes(upstream)).hexdigest()
    legacy_link["hashMethod"] = "SHA-256"
    # UNTP 0.6 defined these terms; 0.7 does not, so the test credential defines them inline.
    untp06_terms = {
        "hashDigest": "https://test.uncefact.org/vocabulary/untp/core/0/hashDigest",
        "hashMethod": "https://test.uncefact.org/vocabulary/untp/core/0/hashMethod",
    }
    document = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://vocabulary.uncefact.org/untp/0.7.0/context/",
            "https://w3id.org/critical-minerals/v1",
            untp06_terms,
        ],
        "type": ["VerifiableCredential"],
        "id": "urn:example:top",
        "issuer": walk.SIGNER.verification_method.split("#")[0],
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {
            "type": ["Product"],
            "id": "https://example.org/products/top",
            "name": "top",
            "sourceCredential": [legacy_link],
        },
    }
    documents[walk.BASE + "top"] = issue_credential(
        document,
        walk.SIGNER,
        "vc+jwt",
        loader=bundled_loader(),
        clock=lambda: datetime(2026, 1, 1, tzinfo=UTC),
    )
    report = walk.verify(documents, walk.BASE + "top")
    assert "links.legacy" in walk.ids(report, "warning")
    assert "links.digest" in walk.ids(report, "passed")
    assert [e.digest for e in report.edges] == ["passed"]
    assert report.verified, [c.to_dict() for c in report.errors]


def test_a_digest_multibase_link_has_no_legacy_warning() -> None:
    from ..graph.test_walk import BASE, chain, credential, ids, link, verify

    documents = chain(1)
    documents[BASE + "top"] = credential("top", [link(BASE + "c0", documents[BASE + "c0"])])
    assert "links.legacy" not in ids(verify(documents, BASE + "top"), "warning")
