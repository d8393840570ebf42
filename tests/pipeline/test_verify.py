"""The verification pipeline: presentations, bindings, validity windows, outcomes."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from vcservice.dids import DidKeyResolver, StaticResolver, did_key_document
from vcservice.errors import InputError, ResolutionError
from vcservice.issuing import CredentialRejectedError, issue_credential
from vcservice.jsonld import bundled_loader
from vcservice.keys import KeyPair, Signer
from vcservice.report import Outcome
from vcservice.securing.dataintegrity import add_proof
from vcservice.securing.jose import envelope, issue_vp_jwt
from vcservice.verify import Verifier

LOADER = bundled_loader()
NOW = datetime(2026, 6, 1, tzinfo=UTC)


def _credential(**extra: Any) -> dict[str, Any]:
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://www.w3.org/ns/credentials/examples/v2",
        ],
        "id": "urn:uuid:7f0d1b8e-1c2a-4b8e-9a51-2f3b4c5d6e7f",
        "type": ["VerifiableCredential", "ExampleMaterialCredential"],
        "validFrom": "2026-01-01T00:00:00Z",
        "validUntil": "2027-01-01T00:00:00Z",
        "credentialSubject": {"id": "urn:uuid:3f1e7c2a-5b6d-4e8f-9a0b-1c2d3e4f5a6b", "grade": "A"},
        **extra,
    }


@pytest.fixture(scope="module")
def issuer() -> Signer:
    return Signer.did_key(KeyPair.generate("ed25519"))


@pytest.fixture(scope="module")
def holder() -> Signer:
    return Signer.did_key(KeyPair.generate("p256"))


def _verifier() -> Verifier:
    return Verifier(resolver=DidKeyResolver(), clock=lambda: NOW)


def _outcomes(report: Any) -> dict[str, Outcome]:
    return {c.id: c.outcome for c in report.checks if c.path is None}


@pytest.mark.parametrize("fmt", ["vc+jwt", "eddsa-rdfc-2022", "eddsa-jcs-2022"])
def test_issued_credential_verifies_with_every_check_named(issuer: Signer, fmt: str) -> None:
    secured = issue_credential(_credential(), issuer, fmt, loader=LOADER)
    report = _verifier().verify_credential(secured)
    assert report.verified, report.to_dict()
    outcomes = _outcomes(report)
    for check in ("proof.signature", "proof.issuer-binding", "validity.expired", "datamodel.type"):
        assert outcomes[check] is Outcome.PASSED


@pytest.mark.parametrize(
    ("at", "failed"),
    [
        (datetime(2025, 12, 31, tzinfo=UTC), "validity.not-yet-valid"),
        (datetime(2027, 1, 2, tzinfo=UTC), "validity.expired"),
    ],
)
def test_validity_window(issuer: Signer, at: datetime, failed: str) -> None:
    secured = issue_credential(_credential(), issuer, "eddsa-rdfc-2022", loader=LOADER)
    report = _verifier().verify_credential(secured, at=at)
    assert not report.verified
    assert [c.id for c in report.errors] == [failed]


def test_issuer_that_did_not_sign_fails_binding(issuer: Signer) -> None:
    """A proof by one DID on a credential naming another DID as issuer is not that issuer's."""
    other = Signer.did_key(KeyPair.generate("ed25519"))
    unsigned = _credential(issuer=other.controller)
    forged = add_proof(unsigned, "eddsa-rdfc-2022", issuer, loader=LOADER)
    report = _verifier().verify_credential(forged)
    assert _outcomes(report)["proof.signature"] is Outcome.PASSED
    assert [c.id for c in report.errors] == ["proof.issuer-binding"]


@pytest.mark.parametrize(
    "issuer_first", [True, False], ids=["issuer-then-witness", "witness-then-issuer"]
)
@pytest.mark.parametrize("chained", [True, False], ids=["chain", "set"])
def test_issuer_binding_with_a_second_signer(
    issuer: Signer, issuer_first: bool, chained: bool
) -> None:
    """A proof set or chain in which the issuer is one of the signers is bound to the issuer.

    Regression (W3C vc-di-eddsa-test-suite, "previousProof" as a string): a chain whose first
    proof was made by another key and whose second, chained proof by the issuer failed
    ``proof.issuer-binding``, because every signer had to be the issuer.
    """
    witness = Signer.did_key(KeyPair.generate("ed25519"))
    first, second = (issuer, witness) if issuer_first else (witness, issuer)
    one = add_proof(
        _credential(issuer=issuer.controller),
        "eddsa-rdfc-2022",
        first,
        loader=LOADER,
        proof_id="urn:uuid:0b8e8f3e-first",
    )
    two = add_proof(
        one,
        "eddsa-rdfc-2022",
        second,
        loader=LOADER,
        previous_proof="urn:uuid:0b8e8f3e-first" if chained else None,
    )
    report = _verifier().verify_credential(two)
    assert report.verified, report.to_dict()
    assert _outcomes(report)["proof.issuer-binding"] is Outcome.PASSED


def test_issuer_binding_fails_when_no_signer_is_the_issuer(issuer: Signer) -> None:
    """Two valid proofs by others do not make a credential the named issuer's."""
    others = [Signer.did_key(KeyPair.generate("ed25519")) for _ in range(2)]
    one = add_proof(
        _credential(issuer=issuer.controller),
        "eddsa-rdfc-2022",
        others[0],
        loader=LOADER,
        proof_id="urn:uuid:0b8e8f3e-first",
    )
    two = add_proof(
        one, "eddsa-rdfc-2022", others[1], loader=LOADER, previous_proof="urn:uuid:0b8e8f3e-first"
    )
    report = _verifier().verify_credential(two)
    assert [c.id for c in report.errors] == ["proof.issuer-binding"]


def test_issuer_binding_with_a_second_signer_whose_proof_fails(issuer: Signer) -> None:
    """The issuer being among the signers never excuses another proof of the set failing."""
    witness = Signer.did_key(KeyPair.generate("ed25519"))
    one = add_proof(_credential(issuer=issuer.controller), "eddsa-rdfc-2022", issuer, loader=LOADER)
    two = add_proof(one, "eddsa-rdfc-2022", witness, loader=LOADER)
    two["proof"][1]["proofValue"] = two["proof"][0]["proofValue"]
    report = _verifier().verify_credential(two)
    assert not report.verified
    assert "proof.signature" in {c.id for c in report.errors}


@pytest.mark.parametrize(
    "value",
    [None, {"id": None}, {"name": "Example Certifier"}, 42],
    ids=["null", "object-id-null", "object-without-id", "number"],
)
def test_issue_rejects_an_issuer_that_is_present_but_names_no_url(
    issuer: Signer, value: Any
) -> None:
    """Only an absent issuer is filled in from the key; ``"issuer": null`` is non-conforming.

    Regression (W3C vc-data-model-2.0-test-suite, 4.7 Issuer): a credential with
    ``"issuer": null`` was issued with the signer's DID filled in.
    """
    with pytest.raises(CredentialRejectedError) as info:
        issue_credential(_credential(issuer=value), issuer, "eddsa-rdfc-2022", loader=LOADER)
    assert [c.id for c in info.value.report.errors] == ["datamodel.issuer"]


def test_issue_fills_in_an_absent_issuer(issuer: Signer) -> None:
    secured = issue_credential(_credential(), issuer, "eddsa-rdfc-2022", loader=LOADER)
    assert secured["issuer"] == issuer.controller


def test_unresolvable_issuer_is_indeterminate_not_failed(issuer: Signer) -> None:
    class Down:
        def resolve(self, did: str) -> dict[str, Any]:
            raise ResolutionError(f"{did}: connection refused")

    secured = issue_credential(_credential(), issuer, "vc+jwt", loader=LOADER)
    report = Verifier(resolver=Down(), clock=lambda: NOW).verify_credential(secured)
    assert not report.verified
    assert {c.outcome for c in report.errors} == {Outcome.INDETERMINATE}


def test_issue_rejects_malformed_credentials(issuer: Signer) -> None:
    with pytest.raises(CredentialRejectedError) as info:
        issue_credential(_credential(validFrom="yesterday"), issuer, "vc+jwt", loader=LOADER)
    assert "datamodel.valid-from" in info.value.detail
    with pytest.raises(InputError, match="already carries a proof"):
        issue_credential(_credential(proof={"type": "X"}), issuer, "vc+jwt", loader=LOADER)
    with pytest.raises(InputError, match="unknown format"):
        issue_credential(_credential(), issuer, "rsa-2048", loader=LOADER)


def test_non_credential_input_is_an_input_error() -> None:
    with pytest.raises(InputError):
        _verifier().verify_credential(42)


def _presentation(holder: Signer, *credentials: Any) -> dict[str, Any]:
    presentation: dict[str, Any] = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": holder.controller,
    }
    if credentials:
        presentation["verifiableCredential"] = list(credentials)
    return presentation


@pytest.mark.parametrize("inner", ["vc+jwt", "eddsa-rdfc-2022"])
def test_data_integrity_presentation_with_challenge(
    issuer: Signer, holder: Signer, inner: str
) -> None:
    credential = issue_credential(_credential(), issuer, inner, loader=LOADER)
    vp = add_proof(
        _presentation(holder, credential),
        "ecdsa-rdfc-2019",
        holder,
        loader=LOADER,
        purpose="authentication",
        challenge="nonce-123",
        domain="https://buyer.example",
    )
    verifier = _verifier()
    report = verifier.verify_presentation(vp, challenge="nonce-123", domain="https://buyer.example")
    assert report.verified, report.to_dict()
    nested = [c for c in report.checks if c.path == "verifiableCredential[0]"]
    assert any(c.id == "proof.signature" and c.outcome is Outcome.PASSED for c in nested)
    assert _outcomes(report)["presentation.holder-binding"] is Outcome.PASSED

    wrong = verifier.verify_presentation(vp, challenge="replayed", domain="https://buyer.example")
    assert [c.id for c in wrong.errors] == ["proof.challenge"]


def test_presentation_with_tampered_embedded_credential(issuer: Signer, holder: Signer) -> None:
    credential = issue_credential(_credential(), issuer, "eddsa-rdfc-2022", loader=LOADER)
    tampered = copy.deepcopy(credential)
    tampered["credentialSubject"]["grade"] = "B"
    vp = add_proof(
        _presentation(holder, tampered),
        "ecdsa-rdfc-2019",
        holder,
        loader=LOADER,
        purpose="authentication",
        challenge="c",
    )
    report = _verifier().verify_presentation(vp, challenge="c")
    assert not report.verified
    assert [(c.id, c.path) for c in report.errors] == [
        ("proof.signature", "verifiableCredential[0]")
    ]


def test_vp_jwt_with_enveloped_credentials(issuer: Signer, holder: Signer) -> None:
    credential = issue_credential(_credential(), issuer, "vc+jwt", loader=LOADER)
    jws = issue_vp_jwt(_presentation(holder, credential), holder, challenge="n", domain="d")
    report = _verifier().verify_presentation(
        envelope(jws, "application/vp+jwt"), challenge="n", domain="d"
    )
    assert report.verified, report.to_dict()
    report = _verifier().verify_presentation(jws, challenge="other", domain="d")
    assert report.has_failed("proof.challenge")


def test_presentation_signed_by_someone_other_than_the_holder(
    issuer: Signer, holder: Signer
) -> None:
    intruder = Signer.did_key(KeyPair.generate("p256"))
    vp = add_proof(
        _presentation(holder),
        "ecdsa-rdfc-2019",
        intruder,
        loader=LOADER,
        purpose="authentication",
        challenge="c",
    )
    report = _verifier().verify_presentation(vp, challenge="c")
    assert [c.id for c in report.errors] == ["presentation.holder-binding"]


def test_presentation_signed_by_the_holder_and_a_witness(holder: Signer) -> None:
    """The holder binding follows the issuer binding: the holder must be one of the signers."""
    witness = Signer.did_key(KeyPair.generate("ed25519"))
    vp = _presentation(holder)
    for signer in (holder, witness):
        vp = add_proof(
            vp,
            _suite_for(signer),
            signer,
            loader=LOADER,
            purpose="authentication",
            challenge="c",
        )
    report = _verifier().verify_presentation(vp, challenge="c")
    assert report.verified, report.to_dict()
    assert _outcomes(report)["presentation.holder-binding"] is Outcome.PASSED


def _suite_for(signer: Signer) -> str:
    return "eddsa-rdfc-2022" if signer.key.key_type.value == "ed25519" else "ecdsa-rdfc-2019"


def test_did_web_issuer_through_static_resolver(issuer: Signer) -> None:
    """A DID document supplied through the resolver interface is all the pipeline needs."""
    did = "did:web:certifier.example"
    key = KeyPair.generate("ed25519")
    signer = Signer(key, f"{did}#key-1")
    document = did_key_document("did:key:" + key.public.multibase)
    document = {
        "id": did,
        "verificationMethod": [
            {
                "id": f"{did}#key-1",
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": key.public.multibase,
            }
        ],
        "assertionMethod": ["#key-1"],
    }
    secured = issue_credential(_credential(), signer, "eddsa-jcs-2022", loader=LOADER)
    verifier = Verifier(resolver=StaticResolver({did: document}), clock=lambda: NOW)
    report = verifier.verify_credential(secured)
    assert report.verified, report.to_dict()
