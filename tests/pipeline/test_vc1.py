"""VC 1.1 through the pipeline: issued and verified with Data Integrity, refused with JOSE."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from vcservice.dids import DidKeyResolver
from vcservice.issuing import CredentialRejectedError, issue_credential
from vcservice.jsonld import bundled_loader
from vcservice.keys import KeyPair, Signer
from vcservice.report import Outcome, VerificationReport
from vcservice.securing.dataintegrity import add_proof
from vcservice.securing.jose import envelope, issue_vc_jwt, issue_vp_jwt
from vcservice.verify import Verifier

LOADER = bundled_loader()
NOW = datetime(2026, 6, 1, tzinfo=UTC)
V1 = "https://www.w3.org/2018/credentials/v1"
DI_V2 = "https://w3id.org/security/data-integrity/v2"
SUITES = [
    ("ed25519", "eddsa-rdfc-2022"),
    ("ed25519", "eddsa-jcs-2022"),
    ("p256", "ecdsa-rdfc-2019"),
    ("p384", "ecdsa-rdfc-2019"),
    ("p256", "ecdsa-jcs-2019"),
    ("p384", "ecdsa-jcs-2019"),
]


def _vc1(**extra: Any) -> dict[str, Any]:
    """The shape the W3C Data Integrity suites send (VC 1.1 context only)."""
    document: dict[str, Any] = {
        "@context": [V1],
        "id": "urn:uuid:da4d67e2-7bca-4826-bdbd-4f4eae363a0d",
        "type": ["VerifiableCredential"],
        "issuanceDate": "2026-01-01T00:00:00Z",
        "expirationDate": "2027-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:alice"},
    }
    document.update(extra)
    return document


def _verifier() -> Verifier:
    return Verifier(resolver=DidKeyResolver(), clock=lambda: NOW)


def _outcomes(report: VerificationReport) -> dict[str, Outcome]:
    return {c.id: c.outcome for c in report.checks if c.path is None}


def _signer(key_type: str) -> Signer:
    return Signer.did_key(KeyPair.generate(key_type))


@pytest.mark.parametrize(("key_type", "fmt"), SUITES)
def test_vc_1_1_issue_verify_round_trip(key_type: str, fmt: str) -> None:
    signer = _signer(key_type)
    secured = issue_credential(_vc1(), signer, fmt, loader=LOADER)
    # DataIntegrityProof is not a VC 1.1 term: its context is added, once, at the end.
    assert secured["@context"] == [V1, DI_V2]
    assert secured["issuer"] == signer.controller
    assert secured["issuanceDate"] == "2026-01-01T00:00:00Z"
    report = _verifier().verify_credential(secured)
    assert report.verified, report.to_dict()
    outcomes = _outcomes(report)
    for check in (
        "proof.signature",
        "proof.issuer-binding",
        "datamodel.issuance-date",
        "datamodel.expiration-date",
        "validity.not-yet-valid",
        "validity.expired",
    ):
        assert outcomes[check] is Outcome.PASSED, check
    [warning] = report.warnings
    assert warning.id == "datamodel.legacy-vc1"
    assert warning.problem is not None
    assert warning.problem.title == "VC 1.1 document"

    tampered = copy.deepcopy(secured)
    tampered["issuanceDate"] = "2026-01-02T00:00:00Z"
    assert _verifier().verify_credential(tampered).has_failed("proof.signature")


def test_a_present_data_integrity_context_is_not_added_again() -> None:
    for contexts in ([V1, DI_V2], [V1, "https://w3id.org/security/data-integrity/v1"]):
        secured = issue_credential(
            _vc1(**{"@context": contexts}), _signer("ed25519"), "eddsa-rdfc-2022", loader=LOADER
        )
        assert secured["@context"] == contexts
        assert _verifier().verify_credential(secured).verified


def test_vc_1_1_is_checked_against_the_1_1_rules_before_signing() -> None:
    with pytest.raises(CredentialRejectedError) as caught:
        issue_credential(
            _vc1(issuanceDate="yesterday"), _signer("ed25519"), "eddsa-rdfc-2022", loader=LOADER
        )
    assert caught.value.title == "Credential does not conform to the VC 1.1 data model"
    assert [c.id for c in caught.value.report.errors] == ["datamodel.issuance-date"]
    with pytest.raises(CredentialRejectedError) as undefined:
        issue_credential(_vc1(grade="A"), _signer("ed25519"), "eddsa-jcs-2022", loader=LOADER)
    assert [c.id for c in undefined.value.report.errors] == ["datamodel.undefined-terms"]


def test_vc_1_1_is_refused_for_vc_jwt_on_issue() -> None:
    with pytest.raises(CredentialRejectedError) as caught:
        issue_credential(_vc1(), _signer("ed25519"), "vc+jwt", loader=LOADER)
    [error] = caught.value.report.errors
    assert error.id == "datamodel.context"
    assert caught.value.detail.startswith("datamodel.context: this is a VC 1.1 credential")
    assert "VC-JOSE-COSE" in caught.value.detail


def test_vc_1_1_in_a_jose_envelope_is_reported_on_verify() -> None:
    signer = _signer("p256")
    # Made by hand: issue_credential refuses to produce it.
    secured = envelope(issue_vc_jwt(_vc1(issuer=signer.controller), signer))
    report = _verifier().verify_credential(secured)
    assert not report.verified
    assert [c.id for c in report.errors] == ["datamodel.context"]
    assert "VC-JOSE-COSE" in (report.errors[0].problem.detail if report.errors[0].problem else "")
    assert [c.id for c in report.warnings] == ["datamodel.legacy-vc1"]


@pytest.mark.parametrize(
    ("at", "failed", "prop"),
    [
        (datetime(2025, 12, 31, tzinfo=UTC), "validity.not-yet-valid", "issuanceDate"),
        (datetime(2027, 1, 2, tzinfo=UTC), "validity.expired", "expirationDate"),
    ],
)
def test_vc_1_1_validity_window(at: datetime, failed: str, prop: str) -> None:
    secured = issue_credential(_vc1(), _signer("ed25519"), "eddsa-rdfc-2022", loader=LOADER)
    report = _verifier().verify_credential(secured, at=at)
    assert [c.id for c in report.errors] == [failed]
    assert report.errors[0].problem is not None
    assert report.errors[0].problem.detail.startswith(prop)


def test_vc_1_1_without_expiration_and_with_a_zoneless_issuance_date() -> None:
    credential = _vc1(issuanceDate="2026-01-01T00:00:00")
    del credential["expirationDate"]
    secured = issue_credential(credential, _signer("ed25519"), "eddsa-rdfc-2022", loader=LOADER)
    assert _verifier().verify_credential(secured).verified
    early = _verifier().verify_credential(secured, at=datetime(2025, 12, 31, 23, tzinfo=UTC))
    assert [c.id for c in early.errors] == ["validity.not-yet-valid"]


def test_vc_1_1_valid_until_narrows_the_window() -> None:
    secured = issue_credential(
        _vc1(validUntil="2026-03-01T00:00:00Z"),
        _signer("ed25519"),
        "eddsa-rdfc-2022",
        loader=LOADER,
    )
    report = _verifier().verify_credential(secured)
    assert [c.id for c in report.errors] == ["validity.expired"]
    assert report.errors[0].problem is not None
    assert report.errors[0].problem.detail.startswith("validUntil")


def test_vc_1_1_presentation_with_data_integrity() -> None:
    issuer, holder = _signer("ed25519"), _signer("p256")
    credential = issue_credential(_vc1(), issuer, "eddsa-rdfc-2022", loader=LOADER)
    presentation = {
        "@context": [V1, DI_V2],
        "type": ["VerifiablePresentation"],
        "holder": holder.controller,
        "verifiableCredential": [credential],
    }
    signed = add_proof(
        presentation,
        "ecdsa-rdfc-2019",
        holder,
        loader=LOADER,
        purpose="authentication",
        challenge="c-1",
    )
    report = _verifier().verify_presentation(signed, challenge="c-1")
    assert report.verified, report.to_dict()
    warned = [(c.id, c.path) for c in report.warnings]
    assert warned == [
        ("datamodel.legacy-vc1", None),
        ("datamodel.legacy-vc1", "verifiableCredential[0]"),
    ]
    assert _outcomes(report)["presentation.holder-binding"] is Outcome.PASSED

    expired = _verifier().verify_presentation(
        signed, challenge="c-1", at=datetime(2027, 2, 1, tzinfo=UTC)
    )
    assert [(c.id, c.path) for c in expired.errors] == [
        ("validity.expired", "verifiableCredential[0]")
    ]


def test_vc_1_1_presentation_as_vp_jwt_is_refused() -> None:
    holder = _signer("ed25519")
    presentation = {
        "@context": [V1],
        "type": ["VerifiablePresentation"],
        "holder": holder.controller,
    }
    jws = issue_vp_jwt(presentation, holder)
    report = _verifier().verify_presentation(jws)
    assert [c.id for c in report.errors] == ["datamodel.context"]
    assert [c.id for c in report.warnings] == ["datamodel.legacy-vc1"]
