"""The Data Integrity engine: signing options, proof sets and chains, verification methods,
presentations with challenge and domain, malformed proofs, and what is raised, not reported."""

from __future__ import annotations

import copy
import hashlib
import re
from datetime import UTC, datetime
from typing import Any

import pytest

import vcservice.securing
from vcservice.dids import DidKeyResolver, StaticResolver
from vcservice.errors import CanonicalizationError, ContextNotAllowedError, SigningError
from vcservice.jsonld import bundled_loader
from vcservice.keys import KeyPair, KeyType, Signer, multibase_encode
from vcservice.report import Outcome, VerificationReport
from vcservice.securing import DataIntegrityResult, add_proof, verify_proofs

from ..conftest import EDDSA_VECTORS, load_json

V2 = "https://www.w3.org/ns/credentials/v2"
EXAMPLES_V2 = "https://www.w3.org/ns/credentials/examples/v2"
COMPATIBLE = [
    ("eddsa-rdfc-2022", KeyType.ED25519),
    ("eddsa-jcs-2022", KeyType.ED25519),
    ("ecdsa-rdfc-2019", KeyType.P256),
    ("ecdsa-rdfc-2019", KeyType.P384),
    ("ecdsa-jcs-2019", KeyType.P256),
    ("ecdsa-jcs-2019", KeyType.P384),
]
INCOMPATIBLE = [
    ("eddsa-rdfc-2022", KeyType.P256),
    ("eddsa-rdfc-2022", KeyType.P384),
    ("eddsa-jcs-2022", KeyType.P256),
    ("eddsa-jcs-2022", KeyType.P384),
    ("ecdsa-rdfc-2019", KeyType.ED25519),
    ("ecdsa-jcs-2019", KeyType.ED25519),
]
CREATED = "2025-01-02T03:04:05Z"


def _pair_id(pair: tuple[str, KeyType]) -> str:
    return f"{pair[0]}-{pair[1].value}"


def _credential() -> dict[str, Any]:
    credential: dict[str, Any] = load_json(EDDSA_VECTORS / "unsigned.json")
    return credential


def _signer(key_type: KeyType = KeyType.ED25519) -> Signer:
    return Signer.did_key(KeyPair.generate(key_type))


def _sign(
    document: dict[str, Any], suite: str = "eddsa-rdfc-2022", **kwargs: Any
) -> dict[str, Any]:
    signer = kwargs.pop("signer", None) or _signer(
        KeyType.ED25519 if suite.startswith("eddsa") else KeyType.P256
    )
    kwargs.setdefault("created", CREATED)
    return add_proof(document, suite, signer, loader=bundled_loader(), **kwargs)


def _verify(document: dict[str, Any], **kwargs: Any) -> DataIntegrityResult:
    kwargs.setdefault("resolver", DidKeyResolver())
    return verify_proofs(document, loader=bundled_loader(), **kwargs)


def _outcomes(report: VerificationReport, check_id: str) -> list[Outcome]:
    return [c.outcome for c in report.checks if c.id == check_id]


def _details(report: VerificationReport, check_id: str) -> str:
    return " | ".join(c.problem.detail for c in report.checks if c.id == check_id and c.problem)


# --- signing --------------------------------------------------------------------------------


@pytest.mark.parametrize("pair", COMPATIBLE, ids=_pair_id)
def test_round_trip_for_every_suite_and_key_type(pair: tuple[str, KeyType]) -> None:
    suite, key_type = pair
    signer = _signer(key_type)
    secured = _sign(_credential(), suite, signer=signer)
    assert secured["proof"]["cryptosuite"] == suite
    result = _verify(secured)
    assert result.report.verified, result.report.to_dict()
    assert [m.controller for m in result.verification_methods] == [signer.controller]


@pytest.mark.parametrize("pair", INCOMPATIBLE, ids=_pair_id)
def test_a_key_type_the_suite_cannot_use_is_a_signing_error(pair: tuple[str, KeyType]) -> None:
    suite, key_type = pair
    with pytest.raises(SigningError, match="cannot sign with"):
        _sign(_credential(), suite, signer=_signer(key_type))


def test_an_unknown_suite_is_a_signing_error() -> None:
    with pytest.raises(SigningError, match="unknown cryptosuite 'bbs-2023'"):
        _sign(_credential(), "bbs-2023")


def test_the_input_document_is_never_mutated_nor_shared() -> None:
    credential = _credential()
    pristine = copy.deepcopy(credential)
    secured = _sign(credential)
    assert credential == pristine
    secured["credentialSubject"]["alumniOf"] = "changed"
    secured["@context"].append("changed")
    assert credential == pristine

    once = _sign(_credential())
    twice = _sign(once, "eddsa-jcs-2022")
    twice["proof"][0]["proofValue"] = "changed"
    twice["@context"].append("changed")
    assert once["proof"]["proofValue"] != "changed"
    assert twice["proof"][1]["@context"] == [V2, EXAMPLES_V2]


def test_created_defaults_to_now_in_utc_whole_seconds() -> None:
    signer = _signer()
    before = datetime.now(UTC).replace(microsecond=0)
    secured = add_proof(_credential(), "eddsa-rdfc-2022", signer, loader=bundled_loader())
    created = secured["proof"]["created"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", created)
    assert before <= datetime.fromisoformat(created) <= datetime.now(UTC)


@pytest.mark.parametrize(
    "created", ["2023-02-24T23:36:38.123+05:30", "2023-02-24T23:36:38", "2024-02-29T24:00:00Z"]
)
def test_any_xsd_datetime_is_accepted_for_created(created: str) -> None:
    assert _verify(_sign(_credential(), created=created)).report.verified


@pytest.mark.parametrize(
    "created", ["yesterday", "2023-02-30T00:00:00Z", "2023-02-24 23:36:38Z", "2023-02-24T25:00:00Z"]
)
def test_a_malformed_created_is_a_signing_error(created: str) -> None:
    with pytest.raises(SigningError, match="dateTime"):
        _sign(_credential(), created=created)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"proof_id": "not a url"}, "absolute URL"),
        ({"previous_proof": "urn:uuid:missing"}, "not a proof of this document"),
        ({"previous_proof": []}, "at least one proof"),
    ],
    ids=["relative-id", "missing-previous", "empty-previous"],
)
def test_unusable_proof_options_are_signing_errors(options: dict[str, Any], message: str) -> None:
    with pytest.raises(SigningError, match=message):
        _sign(_credential(), **options)


def test_a_duplicate_proof_id_is_a_signing_error() -> None:
    secured = _sign(_credential(), proof_id="urn:uuid:one")
    with pytest.raises(SigningError, match="already has a proof with id"):
        _sign(secured, proof_id="urn:uuid:one")


def test_a_context_that_is_not_bundled_is_raised_when_signing_and_verifying() -> None:
    credential = _credential()
    credential["@context"].append("https://w3id.org/citizenship/v4rc1")
    with pytest.raises(ContextNotAllowedError):
        _sign(credential)
    secured = _sign(_credential())
    secured["@context"].append("https://w3id.org/citizenship/v4rc1")
    with pytest.raises(ContextNotAllowedError):
        _verify(secured)


# --- what a proof covers ---------------------------------------------------------------------


@pytest.mark.parametrize("document", [{"claim": "x"}, {"@context": {}, "claim": "x"}])
def test_rdfc_refuses_a_document_whose_terms_all_drop_out(document: dict[str, Any]) -> None:
    with pytest.raises(CanonicalizationError, match="no RDF statements"):
        _sign(document)


def test_a_signature_over_nothing_is_not_a_universal_forgery() -> None:
    """Signing two empty hashes must not make every context-less document verify."""
    signer = _signer()
    empty = hashlib.sha256(b"").digest()
    proof = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": CREATED,
        "verificationMethod": signer.verification_method,
        "proofPurpose": "assertionMethod",
        "proofValue": multibase_encode(signer.sign(empty + empty)),
    }
    with pytest.raises(CanonicalizationError):
        _verify({"anything": "at all", "proof": proof})


def test_jcs_secures_plain_json_without_any_context() -> None:
    secured = _sign({"claim": "x", "n": 1}, "eddsa-jcs-2022")
    assert "@context" not in secured["proof"]
    assert _verify(secured).report.verified
    secured["n"] = 2
    assert _verify(secured).report.has_failed("proof.signature")


def test_jcs_refuses_a_document_whose_contexts_were_swapped() -> None:
    secured = _sign(_credential(), "eddsa-jcs-2022")
    assert secured["proof"]["@context"] == [V2, EXAMPLES_V2]
    secured["@context"] = [EXAMPLES_V2, V2]
    report = _verify(secured).report
    assert report.has_failed("proof.signature")
    assert "does not start with" in _details(report, "proof.signature")


def test_jcs_accepts_contexts_appended_after_signing() -> None:
    """vc-di-eddsa, Verify Proof (eddsa-jcs-2022), step 4: the document need only *start*
    with the proof's @context, so a later proof of a set may add its own."""
    secured = _sign(_credential(), "eddsa-jcs-2022")
    secured["@context"].append("https://w3id.org/security/data-integrity/v2")
    assert _verify(secured).report.verified


# --- proof sets and chains --------------------------------------------------------------------


def test_proof_set_with_two_signers_and_two_suites() -> None:
    first, second = _signer(KeyType.ED25519), _signer(KeyType.P384)
    secured = _sign(_credential(), "eddsa-rdfc-2022", signer=first)
    secured = _sign(secured, "ecdsa-jcs-2019", signer=second)
    assert isinstance(secured["proof"], list)
    assert len(secured["proof"]) == 2
    result = _verify(secured)
    assert result.report.verified, result.report.to_dict()
    assert [m.controller for m in result.verification_methods] == [
        first.controller,
        second.controller,
    ]
    assert _outcomes(result.report, "proof.signature") == [Outcome.PASSED] * 2


def test_every_proof_of_a_set_must_verify() -> None:
    secured = _sign(_sign(_credential()), "ecdsa-rdfc-2019")
    secured["proof"][1]["proofValue"] = _sign(_credential(), "ecdsa-rdfc-2019")["proof"][
        "proofValue"
    ]
    result = _verify(secured)
    assert not result.report.verified
    assert _outcomes(result.report, "proof.signature") == [Outcome.PASSED, Outcome.FAILED]


def _chain() -> dict[str, Any]:
    secured = _sign(_credential(), proof_id="urn:uuid:first")
    return _sign(
        secured, "ecdsa-jcs-2019", proof_id="urn:uuid:second", previous_proof="urn:uuid:first"
    )


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "eddsa-jcs-2022", "ecdsa-rdfc-2019"])
def test_proof_chain_round_trip(suite: str) -> None:
    secured = _sign(_chain(), suite, previous_proof=["urn:uuid:first", "urn:uuid:second"])
    result = _verify(secured)
    assert result.report.verified, result.report.to_dict()
    assert _outcomes(result.report, "proof.chain") == [Outcome.PASSED] * 2
    assert len(result.verification_methods) == 3


def test_a_chained_proof_vouches_for_the_proof_it_follows() -> None:
    secured = _chain()
    first = secured["proof"][0]
    first["proofValue"] = _sign(_credential(), proof_id="urn:uuid:first")["proof"]["proofValue"]
    result = _verify(secured)
    assert _outcomes(result.report, "proof.signature") == [Outcome.FAILED, Outcome.FAILED]


def test_a_chain_whose_previous_proof_is_missing_fails_the_chain_check() -> None:
    secured = _chain()
    secured["proof"][1]["previousProof"] = "urn:uuid:missing"
    report = _verify(secured).report
    assert report.has_failed("proof.chain")
    assert "urn:uuid:missing" in _details(report, "proof.chain")
    assert _outcomes(report, "proof.signature") == [Outcome.PASSED]


def test_removing_the_previous_proof_breaks_the_chain() -> None:
    secured = _chain()
    del secured["proof"][0]
    assert _verify(secured).report.has_failed("proof.chain")


def test_removing_the_chained_proof_leaves_a_valid_document() -> None:
    secured = _chain()
    secured["proof"] = secured["proof"][0]
    assert _verify(secured).report.verified


@pytest.mark.parametrize(
    "links",
    [
        {"urn:uuid:a": "urn:uuid:a"},
        {"urn:uuid:a": "urn:uuid:b", "urn:uuid:b": "urn:uuid:a"},
        {"urn:uuid:a": "urn:uuid:b", "urn:uuid:b": "urn:uuid:c", "urn:uuid:c": "urn:uuid:a"},
    ],
    ids=["self", "two", "three"],
)
def test_a_previous_proof_cycle_fails_the_chain_check(links: dict[str, str]) -> None:
    template = _sign(_credential())["proof"]
    document = _credential()
    document["proof"] = [
        {**template, "id": proof_id, "previousProof": previous}
        for proof_id, previous in links.items()
    ]
    report = _verify(document).report
    assert _outcomes(report, "proof.chain") == [Outcome.FAILED] * len(links)
    assert "cycle" in _details(report, "proof.chain")
    assert "proof.signature" not in {c.id for c in report.checks}


def test_a_previous_proof_naming_two_proofs_is_ambiguous() -> None:
    secured = _chain()
    secured["proof"].append(copy.deepcopy(secured["proof"][0]))
    report = _verify(secured).report
    assert report.has_failed("proof.chain")
    assert "more than one proof" in _details(report, "proof.chain")


# --- verification methods ---------------------------------------------------------------------


def _did_example(signer_key: KeyPair, *, relationships: list[str]) -> tuple[Signer, StaticResolver]:
    did = "did:example:issuer"
    method = f"{did}#key-1"
    document = {
        "@context": ["https://www.w3.org/ns/did/v1"],
        "id": did,
        "verificationMethod": [
            {
                "id": method,
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": signer_key.public.multibase,
            }
        ],
        **{relationship: ["#key-1"] for relationship in relationships},
    }
    return Signer(signer_key, method), StaticResolver({did: document})


def test_a_method_authorized_for_the_purpose_verifies() -> None:
    signer, resolver = _did_example(
        KeyPair.generate(KeyType.ED25519), relationships=["assertionMethod"]
    )
    result = _verify(_sign(_credential(), signer=signer), resolver=resolver)
    assert result.report.verified
    assert [m.controller for m in result.verification_methods] == ["did:example:issuer"]


def test_a_method_not_authorized_for_assertion_fails() -> None:
    signer, resolver = _did_example(
        KeyPair.generate(KeyType.ED25519), relationships=["authentication"]
    )
    result = _verify(_sign(_credential(), signer=signer), resolver=resolver)
    assert result.report.has_failed("proof.verification-method")
    assert "not authorized for assertionMethod" in _details(
        result.report, "proof.verification-method"
    )
    assert result.verification_methods == []


def test_a_resolver_outage_is_indeterminate_not_failed() -> None:
    signer, _ = _did_example(KeyPair.generate(KeyType.ED25519), relationships=["assertionMethod"])
    result = _verify(_sign(_credential(), signer=signer), resolver=StaticResolver({}))
    assert _outcomes(result.report, "proof.verification-method") == [Outcome.INDETERMINATE]
    assert not any(c.outcome is Outcome.FAILED for c in result.report.checks)
    assert not result.report.verified
    assert result.verification_methods == []


def test_a_method_whose_key_the_suite_cannot_use_fails() -> None:
    secured = _sign(_credential(), "ecdsa-rdfc-2019")
    secured["proof"]["cryptosuite"] = "eddsa-rdfc-2022"
    report = _verify(secured).report
    assert report.has_failed("proof.verification-method")
    assert "p256 key" in _details(report, "proof.verification-method")


def test_the_key_of_another_did_does_not_verify() -> None:
    secured = _sign(_credential())
    other = _signer()
    secured["proof"]["verificationMethod"] = other.verification_method
    assert _verify(secured).report.has_failed("proof.signature")


# --- presentations: purpose, challenge, domain ------------------------------------------------


def _presentation(suite: str, key_type: KeyType, **options: Any) -> tuple[dict[str, Any], Signer]:
    holder = _signer(key_type)
    presentation = {
        "@context": [V2],
        "type": ["VerifiablePresentation"],
        "holder": holder.controller,
        "verifiableCredential": [_sign(_credential())],
    }
    secured = _sign(presentation, suite, signer=holder, purpose="authentication", **options)
    return secured, holder


@pytest.mark.parametrize("pair", COMPATIBLE, ids=_pair_id)
def test_presentation_round_trip_with_challenge_and_domain(pair: tuple[str, KeyType]) -> None:
    secured, holder = _presentation(*pair, challenge="c-123", domain="verifier.example")
    result = _verify(
        secured, purpose="authentication", challenge="c-123", domain="verifier.example"
    )
    assert result.report.verified, result.report.to_dict()
    assert [m.controller for m in result.verification_methods] == [holder.controller]
    checked = {c.id for c in result.report.checks}
    assert {"proof.challenge", "proof.domain"} <= checked


@pytest.mark.parametrize(
    ("signed_with", "expected", "check_id", "detail"),
    [
        ({"challenge": "c-123"}, {"challenge": "c-999"}, "proof.challenge", "not the one"),
        ({}, {"challenge": "c-123"}, "proof.challenge", "has none"),
        ({"domain": "a.example"}, {"domain": "b.example"}, "proof.domain", "excludes"),
        ({}, {"domain": "a.example"}, "proof.domain", "has none"),
    ],
    ids=["wrong-challenge", "missing-challenge", "wrong-domain", "missing-domain"],
)
def test_presentation_challenge_and_domain_mismatches_fail(
    signed_with: dict[str, str], expected: dict[str, str], check_id: str, detail: str
) -> None:
    secured, _ = _presentation("eddsa-rdfc-2022", KeyType.ED25519, **signed_with)
    result = _verify(secured, purpose="authentication", **expected)
    assert result.report.has_failed(check_id)
    assert detail in _details(result.report, check_id)
    assert not result.report.verified


def test_a_domain_list_accepts_any_of_its_domains() -> None:
    secured, _ = _presentation("eddsa-rdfc-2022", KeyType.ED25519, domain="a.example")
    secured["proof"]["domain"] = ["a.example", "b.example"]
    report = _verify(secured, purpose="authentication", domain="b.example").report
    assert _outcomes(report, "proof.domain") == [Outcome.PASSED]
    assert report.has_failed("proof.signature")  # the domain is signed: widening it is tampering


def test_a_replayed_challenge_cannot_be_rewritten() -> None:
    secured, _ = _presentation("eddsa-rdfc-2022", KeyType.ED25519, challenge="c-old")
    secured["proof"]["challenge"] = "c-new"
    report = _verify(secured, purpose="authentication", challenge="c-new").report
    assert _outcomes(report, "proof.challenge") == [Outcome.PASSED]
    assert report.has_failed("proof.signature")


def test_a_presentation_proof_is_not_an_assertion() -> None:
    secured, _ = _presentation("eddsa-rdfc-2022", KeyType.ED25519)
    report = _verify(secured).report
    assert report.has_failed("proof.purpose")
    assert "'authentication', expected 'assertionMethod'" in _details(report, "proof.purpose")


# --- malformed and unsupported proofs ---------------------------------------------------------


def _with_proof(change: dict[str, Any]) -> dict[str, Any]:
    secured: dict[str, Any] = _sign(_credential())
    secured["proof"] = {k: v for k, v in {**secured["proof"], **change}.items() if v is not None}
    return secured


@pytest.mark.parametrize(
    ("change", "detail"),
    [
        ({"type": None}, "type must be a string"),
        ({"proofValue": None}, "proofValue must be a string"),
        ({"verificationMethod": 7}, "verificationMethod must be a string"),
        ({"proofPurpose": ["assertionMethod"]}, "proofPurpose must be a string"),
        ({"cryptosuite": None}, "cryptosuite must be a string"),
        ({"created": 1677281798}, "created must be a string"),
        ({"challenge": {"value": "c"}}, "challenge must be a string"),
        ({"domain": ["a.example", 3]}, "domain must be a string or a non-empty list"),
        ({"previousProof": []}, "previousProof must be a string or a non-empty list"),
        ({"id": "proof-1"}, "id must be an absolute URL"),
        ({"proofValue": "uSGVsbG8"}, "base58btc"),
        ({"proofValue": "z"}, "base58btc"),
    ],
    ids=lambda value: "-".join(value) if isinstance(value, dict) else None,
)
def test_malformed_proofs(change: dict[str, Any], detail: str) -> None:
    report = _verify(_with_proof(change)).report
    assert report.has_failed("proof.malformed")
    assert detail in _details(report, "proof.malformed")
    assert "proof.signature" not in {c.id for c in report.checks}


@pytest.mark.parametrize(
    "proof", ["zSomething", 42, [["nested"]]], ids=["string", "number", "list"]
)
def test_a_proof_that_is_not_an_object_is_malformed(proof: Any) -> None:
    document = {**_credential(), "proof": proof}
    assert _verify(document).report.has_failed("proof.malformed")


@pytest.mark.parametrize("proof", [None, []], ids=["absent", "empty-list"])
def test_no_proof_fails_presence(proof: Any) -> None:
    document = _credential() if proof is None else {**_credential(), "proof": proof}
    result = _verify(document)
    assert [c.id for c in result.report.checks] == ["proof.present"]
    assert result.report.has_failed("proof.present")


def test_an_unsupported_type_is_reported_as_such() -> None:
    # Ed25519Signature2020 is now a (verified, warned-about) legacy suite; RSA never was.
    report = _verify(_with_proof({"type": "RsaSignature2018"})).report
    assert report.has_failed("proof.type")
    assert "proof.malformed" not in {c.id for c in report.checks}


def test_an_unknown_cryptosuite_is_reported_and_not_verified() -> None:
    report = _verify(_with_proof({"cryptosuite": "bbs-2023"})).report
    assert report.has_failed("proof.cryptosuite")
    assert "proof.signature" not in {c.id for c in report.checks}


@pytest.mark.parametrize("created", ["2023-13-01T00:00:00Z", "2023-02-24", "now"])
def test_a_malformed_created_fails_its_check(created: str) -> None:
    report = _verify(_with_proof({"created": created})).report
    assert report.has_failed("proof.created")


def test_details_name_the_proof() -> None:
    secured = _chain()
    secured["proof"][1]["proofValue"] = "z0"
    assert _details(_verify(secured).report, "proof.malformed").startswith(
        "proof[1] urn:uuid:second:"
    )


def test_public_api_is_exported() -> None:
    for name in ("add_proof", "verify_proofs", "DataIntegrityResult"):
        assert name in vcservice.securing.__all__
    assert all(hasattr(vcservice.securing, name) for name in vcservice.securing.__all__)
