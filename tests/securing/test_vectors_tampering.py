"""Tampering with a signed W3C vector: one changed character anywhere must break verification.

Each signed vector (one per suite, plus the four-proof chain) is a test id. The changes hit the
proofValue (at several positions, with a valid base58 character, an invalid one, and a wrong
multibase prefix), the issuer and claim values. A change that still decodes must fail
``proof.signature``; one that does not decode must fail ``proof.malformed``: never pass, and
never be mistaken for an outage (indeterminate).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from vcservice.dids import DidKeyResolver
from vcservice.jsonld import bundled_loader
from vcservice.report import Outcome
from vcservice.securing import verify_proofs

from ..conftest import ECDSA_VECTORS, EDDSA_VECTORS, W3C, load_json

SIGNED = [
    EDDSA_VECTORS / "eddsa-rdfc-2022" / "signedDataInt.json",
    EDDSA_VECTORS / "eddsa-jcs-2022" / "signedJCS.json",
    ECDSA_VECTORS / "ecdsa-rdfc-2019-p256" / "signedECDSAP256.json",
    ECDSA_VECTORS / "ecdsa-rdfc-2019-p384" / "signedECDSAP384.json",
    ECDSA_VECTORS / "ecdsa-jcs-2019-p256" / "signedJCSECDSAP256.json",
    ECDSA_VECTORS / "ecdsa-jcs-2019-p384" / "signedJCSECDSAP384.json",
    EDDSA_VECTORS / "proof-set-chain" / "signedProofChain2.json",
]
BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def _test_id(path: Path) -> str:
    return str(path.relative_to(W3C / "vectors"))


def _replace(text: str, index: int, alphabet: str) -> str:
    """``text`` with the character at ``index`` swapped for the next one in ``alphabet``."""
    index %= len(text)
    char = text[index]
    new = alphabet[(alphabet.index(char) + 1) % len(alphabet)] if char in alphabet else alphabet[0]
    return text[:index] + new + text[index + 1 :]


def _first_proof(document: dict[str, Any]) -> dict[str, Any]:
    proof = document["proof"]
    first: dict[str, Any] = proof[0] if isinstance(proof, list) else proof
    return first


def _verify(document: dict[str, Any]) -> Any:
    return verify_proofs(document, resolver=DidKeyResolver(), loader=bundled_loader())


def _tampered(path: Path, change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    document: dict[str, Any] = copy.deepcopy(load_json(path))
    change(document)
    return document


def _assert_rejected(document: dict[str, Any], check_id: str) -> None:
    report = _verify(document).report
    assert not report.verified
    assert report.has_failed(check_id), report.to_dict()
    assert not any(c.outcome is Outcome.INDETERMINATE for c in report.checks)


@pytest.mark.parametrize("path", SIGNED, ids=_test_id)
def test_the_untampered_vector_verifies(path: Path) -> None:
    assert _verify(load_json(path)).report.verified


@pytest.mark.parametrize("position", [1, 2, 17, 40, -2, -1])
@pytest.mark.parametrize("path", SIGNED, ids=_test_id)
def test_a_changed_proof_value_character_fails_the_signature(path: Path, position: int) -> None:
    def change(document: dict[str, Any]) -> None:
        proof = _first_proof(document)
        proof["proofValue"] = _replace(proof["proofValue"], position, BASE58)

    _assert_rejected(_tampered(path, change), "proof.signature")


@pytest.mark.parametrize(
    ("position", "alphabet"),
    [(0, "u"), (5, "0"), (-1, "l")],
    ids=["multibase-prefix", "non-base58-zero", "non-base58-ell"],
)
@pytest.mark.parametrize("path", SIGNED, ids=_test_id)
def test_an_undecodable_proof_value_is_malformed(path: Path, position: int, alphabet: str) -> None:
    def change(document: dict[str, Any]) -> None:
        proof = _first_proof(document)
        proof["proofValue"] = _replace(proof["proofValue"], position, alphabet)

    _assert_rejected(_tampered(path, change), "proof.malformed")


@pytest.mark.parametrize("position", [8, 19, -1])
@pytest.mark.parametrize("path", SIGNED, ids=_test_id)
def test_a_changed_issuer_character_fails_the_signature(path: Path, position: int) -> None:
    def change(document: dict[str, Any]) -> None:
        document["issuer"] = _replace(
            document["issuer"], position, "abcdefghijklmnopqrstuvwxyz0123456789"
        )

    _assert_rejected(_tampered(path, change), "proof.signature")


@pytest.mark.parametrize(
    ("field", "position"),
    [("alumniOf", 0), ("alumniOf", 11), ("alumniOf", -1), ("id", -1)],
    ids=["alumniOf-first", "alumniOf-middle", "alumniOf-last", "subject-id-last"],
)
@pytest.mark.parametrize("path", SIGNED, ids=_test_id)
def test_a_changed_claim_character_fails_the_signature(
    path: Path, field: str, position: int
) -> None:
    def change(document: dict[str, Any]) -> None:
        subject = document["credentialSubject"]
        subject[field] = _replace(
            subject[field], position, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
        )

    _assert_rejected(_tampered(path, change), "proof.signature")


@pytest.mark.parametrize("path", SIGNED, ids=_test_id)
def test_a_changed_validity_date_fails_the_signature(path: Path) -> None:
    def change(document: dict[str, Any]) -> None:
        document["validFrom"] = _replace(document["validFrom"], -2, "0123456789")

    _assert_rejected(_tampered(path, change), "proof.signature")
