"""vc+jwt / vp+jwt: round trips, envelopes, header and claims rules, tampering, resolution.

Tokens with unusual headers are built by ``_token`` (base64url of JSON + a raw signature), so
each rule is tested on the exact bytes that break it rather than through sign_jwt's defaults.
"""

from __future__ import annotations

import base64
import dataclasses
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from jwcrypto.jwk import JWK
from jwcrypto.jws import JWS

from vcservice.dids import DidKeyResolver, StaticResolver, did_key_document
from vcservice.errors import InputError, ResolutionError, SigningError
from vcservice.keys import KeyPair, KeyType, Signer, SigningKey, b64url_encode
from vcservice.report import Outcome, VerificationReport
from vcservice.securing import jose
from vcservice.securing.jose import (
    MAX_JWS_SIZE,
    JoseResult,
    envelope,
    issue_vc_jwt,
    issue_vp_jwt,
    parse_envelope,
    sign_jwt,
    verify_jwt,
)

V2 = "https://www.w3.org/ns/credentials/v2"
NOW = datetime(2026, 1, 1, tzinfo=UTC)
ALL_PASSED_VC = ["jose.parse", "jose.header", "proof.verification-method", "proof.signature"]


# --- helpers ---------------------------------------------------------------------------------
@pytest.fixture(scope="module", params=list(KeyType), ids=lambda t: t.jws_alg)
def signer(request: pytest.FixtureRequest) -> Signer:
    return Signer.did_key(KeyPair.generate(request.param))


@pytest.fixture(scope="module")
def ed_signer() -> Signer:
    return Signer.did_key(KeyPair.generate(KeyType.ED25519))


def credential_for(signer: Signer, **extra: Any) -> dict[str, Any]:
    return {
        "@context": [V2],
        "id": "urn:uuid:6a1676b8-b51f-11ed-937b-d76685a20ff5",
        "type": ["VerifiableCredential"],
        "issuer": signer.controller,
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:subject", "name": "Alice"},
        **extra,
    }


def presentation_for(signer: Signer, **extra: Any) -> dict[str, Any]:
    return {
        "@context": [V2],
        "type": ["VerifiablePresentation"],
        "holder": signer.controller,
        "verifiableCredential": [],
        **extra,
    }


def _segment(value: Any) -> str:
    return b64url_encode(json.dumps(value).encode("utf-8"))


def _token(header: dict[str, Any], payload: Any, key: SigningKey | None) -> str:
    """A compact JWS with exactly this header, signed (raw) by ``key``, or unsigned."""
    signing_input = f"{_segment(header)}.{_segment(payload)}"
    signature = key.sign(signing_input.encode("ascii")) if key is not None else b""
    return f"{signing_input}.{b64url_encode(signature)}"


def _header(signer: Signer, **overrides: Any) -> dict[str, Any]:
    header = {"alg": signer.key.key_type.jws_alg, "kid": signer.verification_method}
    header["typ"] = "vc+jwt"
    header.update(overrides)
    return {k: v for k, v in header.items() if v is not None}


def _decode(segment: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def verify(token: Any, **kwargs: Any) -> JoseResult:
    kwargs.setdefault("resolver", DidKeyResolver())
    kwargs.setdefault("now", NOW)
    return verify_jwt(token, **kwargs)


def outcomes(report: VerificationReport) -> dict[str, str]:
    return {c.id: c.outcome.value for c in report.checks}


def failed_ids(report: VerificationReport) -> set[str]:
    return {c.id for c in report.checks if c.outcome is Outcome.FAILED}


def detail(report: VerificationReport, check_id: str) -> str:
    return " | ".join(c.problem.detail for c in report.checks if c.id == check_id and c.problem)


# --- round trips -----------------------------------------------------------------------------
def test_vc_round_trip(signer: Signer) -> None:
    credential = credential_for(signer)
    token = issue_vc_jwt(credential, signer)
    result = verify(token)
    assert result.verified, result.report.to_dict()
    assert [c.id for c in result.report.checks] == [*ALL_PASSED_VC, "jose.claims"]
    assert result.payload == credential
    assert result.header == {
        "alg": signer.key.key_type.jws_alg,
        "kid": signer.verification_method,
        "typ": "vc+jwt",
    }
    assert result.verification_method is not None
    assert result.verification_method.id == signer.verification_method
    assert result.verification_method.public_key.raw == signer.key.public.raw


def test_vp_round_trip_with_challenge_and_domain(signer: Signer) -> None:
    presentation = presentation_for(signer)
    token = issue_vp_jwt(presentation, signer, challenge="n-0S6_WzA2Mj", domain="verifier.example")
    result = verify(
        token,
        expected_typ="vp+jwt",
        purpose="authentication",
        challenge="n-0S6_WzA2Mj",
        domain="verifier.example",
    )
    assert result.verified, result.report.to_dict()
    assert list(outcomes(result.report)) == [
        *ALL_PASSED_VC,
        "jose.claims",
        "proof.challenge",
        "proof.domain",
    ]
    assert result.header is not None
    assert result.header["typ"] == "vp+jwt"
    assert result.payload == {**presentation, "nonce": "n-0S6_WzA2Mj", "aud": "verifier.example"}
    assert "nonce" not in presentation  # the caller's document is not modified


@pytest.mark.parametrize(
    ("challenge", "domain", "failed"),
    [
        ("other", "verifier.example", {"proof.challenge"}),
        ("abc", "elsewhere.example", {"proof.domain"}),
        ("other", "elsewhere.example", {"proof.challenge", "proof.domain"}),
    ],
)
def test_vp_wrong_challenge_or_domain(
    ed_signer: Signer, challenge: str, domain: str, failed: set[str]
) -> None:
    token = issue_vp_jwt(
        presentation_for(ed_signer), ed_signer, challenge="abc", domain="verifier.example"
    )
    result = verify(
        token, expected_typ="vp+jwt", purpose="authentication", challenge=challenge, domain=domain
    )
    assert failed_ids(result.report) == failed
    assert outcomes(result.report)["proof.signature"] == "passed"


def test_vp_without_nonce_or_aud_fails_when_the_verifier_expects_them(ed_signer: Signer) -> None:
    token = issue_vp_jwt(presentation_for(ed_signer), ed_signer)
    result = verify(
        token, expected_typ="vp+jwt", purpose="authentication", challenge="abc", domain="d.example"
    )
    assert failed_ids(result.report) == {"proof.challenge", "proof.domain"}
    assert "no nonce claim" in detail(result.report, "proof.challenge")


def test_aud_may_be_an_array(ed_signer: Signer) -> None:
    payload = presentation_for(ed_signer, aud=["a.example", "verifier.example"])
    token = sign_jwt(payload, ed_signer, typ="vp+jwt")
    result = verify(
        token, expected_typ="vp+jwt", purpose="authentication", domain="verifier.example"
    )
    assert result.verified, result.report.to_dict()


def test_presentation_is_not_accepted_as_credential_and_back(ed_signer: Signer) -> None:
    vp = issue_vp_jwt(presentation_for(ed_signer), ed_signer)
    vc = issue_vc_jwt(credential_for(ed_signer), ed_signer)
    assert failed_ids(verify(vp).report) == {"jose.header"}
    assert failed_ids(verify(vc, expected_typ="vp+jwt").report) == {"jose.header"}
    assert "is not vc+jwt" in detail(verify(vp).report, "jose.header")


def test_expected_typ_may_be_a_media_type(ed_signer: Signer) -> None:
    token = issue_vc_jwt(credential_for(ed_signer), ed_signer)
    assert verify(token, expected_typ="application/vc+jwt").verified
    with pytest.raises(InputError):
        verify(token, expected_typ="application/json")


def test_result_is_frozen_and_exposes_verified(ed_signer: Signer) -> None:
    result = verify(issue_vc_jwt(credential_for(ed_signer), ed_signer))
    assert result.verified is result.report.verified is True
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.payload = None  # type: ignore[misc]


def test_public_names() -> None:
    assert set(jose.__all__) == {
        "JWT_CLAIMS",
        "MAX_JWS_SIZE",
        "JoseResult",
        "decode_unverified",
        "document_of",
        "envelope",
        "issue_vc_jwt",
        "issue_vp_jwt",
        "outer_problems",  # issue 13: the envelope object is judged too
        "parse_envelope",
        "sign_jwt",
        "verify_jwt",
    }


def test_document_of_strips_only_registered_jwt_claims() -> None:
    payload = {"@context": [V2], "iss": "did:ex:1", "nonce": "n", "aud": "d", "exp": 1, "id": "x"}
    assert jose.document_of(payload) == {"@context": [V2], "id": "x"}


# --- signing ---------------------------------------------------------------------------------
def test_sign_jwt_header_and_payload(signer: Signer) -> None:
    payload = {"@context": [V2], "type": ["VerifiableCredential"], "name": "Zoë ✓"}
    token = sign_jwt(payload, signer, typ="vc+jwt", cty="vc")
    header_segment, payload_segment, signature_segment = token.split(".")
    assert _decode(header_segment) == {
        "alg": signer.key.key_type.jws_alg,
        "kid": signer.verification_method,
        "typ": "vc+jwt",
        "cty": "vc",
    }
    assert _decode(payload_segment) == payload  # the payload is the document, not a "vc" claim
    size = 96 if signer.key.key_type is KeyType.P384 else 64
    assert len(base64.urlsafe_b64decode(signature_segment + "==")) == size


def test_issue_vc_jwt_adds_no_claims(ed_signer: Signer) -> None:
    credential = credential_for(ed_signer)
    token = issue_vc_jwt(credential, ed_signer)
    assert _decode(token.split(".")[1]) == credential


def test_issue_refuses_another_issuer_or_holder(ed_signer: Signer) -> None:
    with pytest.raises(SigningError, match="not the signing key's controller"):
        issue_vc_jwt(credential_for(ed_signer, issuer={"id": "did:example:other"}), ed_signer)
    with pytest.raises(SigningError, match="holder"):
        issue_vp_jwt(presentation_for(ed_signer, holder="did:example:other"), ed_signer)
    issuer_object = {"id": ed_signer.controller, "name": "Mine Pty Ltd"}
    assert verify(issue_vc_jwt(credential_for(ed_signer, issuer=issuer_object), ed_signer)).verified


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"vc": {}}, "must not carry a 'vc'"),
        ({"vp": {}}, "must not carry a 'vp'"),
        ({"x": float("nan")}, "not serializable"),
        ({"x": {1, 2}}, "not serializable"),
        ({"x": "\ud800"}, "not serializable"),
    ],
)
def test_issue_refuses_documents_that_cannot_be_a_vc_jwt(
    ed_signer: Signer, document: dict[str, Any], message: str
) -> None:
    with pytest.raises(InputError, match=message):
        issue_vc_jwt(credential_for(ed_signer, **document), ed_signer)


def test_issue_refuses_non_objects(ed_signer: Signer) -> None:
    with pytest.raises(InputError):
        issue_vc_jwt([], ed_signer)  # type: ignore[arg-type]
    with pytest.raises(InputError):
        sign_jwt("text", ed_signer)  # type: ignore[arg-type]


def test_issue_vp_refuses_conflicting_nonce(ed_signer: Signer) -> None:
    with pytest.raises(InputError, match="conflicts"):
        issue_vp_jwt(presentation_for(ed_signer, nonce="old"), ed_signer, challenge="new")
    token = issue_vp_jwt(presentation_for(ed_signer, nonce="same"), ed_signer, challenge="same")
    assert _decode(token.split(".")[1])["nonce"] == "same"


def test_sign_refuses_a_kid_that_is_not_a_did_url() -> None:
    signer = Signer(KeyPair.generate(KeyType.ED25519), "https://issuer.example/keys/1")
    with pytest.raises(SigningError, match="not a DID URL"):
        sign_jwt({"a": 1}, signer)


# --- envelopes -------------------------------------------------------------------------------
def test_envelope_round_trip(ed_signer: Signer) -> None:
    token = issue_vc_jwt(credential_for(ed_signer), ed_signer)
    wrapped = envelope(token)
    assert wrapped == {
        "@context": V2,
        "id": f"data:application/vc+jwt,{token}",
        "type": "EnvelopedVerifiableCredential",
    }
    assert parse_envelope(wrapped) == ("application/vc+jwt", token)


def test_presentation_envelope_round_trip(ed_signer: Signer) -> None:
    token = issue_vp_jwt(presentation_for(ed_signer), ed_signer)
    wrapped = envelope(token, "application/vp+jwt")
    assert wrapped["type"] == "EnvelopedVerifiablePresentation"
    media_type, jws = parse_envelope(wrapped)
    assert (media_type, jws) == ("application/vp+jwt", token)
    result = verify(jws, expected_typ=media_type, purpose="authentication")
    assert result.verified


def test_parse_envelope_accepts_spec_and_pipeline_shapes(ed_signer: Signer) -> None:
    token = issue_vc_jwt(credential_for(ed_signer), ed_signer)
    # The VC-JOSE-COSE example uses a type array and a context array; the pipeline passes a
    # bare {"type", "id"} for a data: URL given on its own; media types are case-insensitive.
    for obj in (
        {
            "@context": [V2],
            "type": ["EnvelopedVerifiableCredential"],
            "id": f"data:application/vc+jwt,{token}",
        },
        {"type": "EnvelopedVerifiableCredential", "id": f"DATA:Application/VC+JWT,{token}"},
    ):
        assert parse_envelope(obj) == ("application/vc+jwt", token)
    legacy = {"type": "EnvelopedVerifiableCredential", "id": f"data:application/vc-ld+jwt,{token}"}
    assert parse_envelope(legacy) == ("application/vc-ld+jwt", token)


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        ("data:application/vc+jwt,a.b.c", "JSON object"),
        ({"id": "data:application/vc+jwt,a.b.c"}, "type"),
        ({"type": "VerifiableCredential", "id": "data:application/vc+jwt,a.b.c"}, "type"),
        (
            {
                "type": ["EnvelopedVerifiableCredential", "EnvelopedVerifiablePresentation"],
                "id": "data:application/vc+jwt,a.b.c",
            },
            "exactly one",
        ),
        ({"type": "EnvelopedVerifiableCredential"}, "data: URL"),
        ({"type": "EnvelopedVerifiableCredential", "id": "https://x.example/vc"}, "data: URL"),
        ({"type": "EnvelopedVerifiableCredential", "id": 7}, "data: URL"),
        ({"type": "EnvelopedVerifiableCredential", "id": "data:application/vc+jwt"}, "','"),
        ({"type": "EnvelopedVerifiableCredential", "id": "data:application/jwt,a.b.c"}, "unknown"),
        ({"type": "EnvelopedVerifiableCredential", "id": "data:vc+jwt,a.b.c"}, "unknown"),
        ({"type": "EnvelopedVerifiableCredential", "id": "data:,a.b.c"}, "unknown"),
        (
            {"type": "EnvelopedVerifiableCredential", "id": "data:application/vc+jwt;base64,YQ"},
            "parameters",
        ),
        (
            {"type": "EnvelopedVerifiableCredential", "id": "data:application/vp+jwt,a.b.c"},
            "cannot carry",
        ),
        ({"type": "EnvelopedVerifiableCredential", "id": "data:application/vc+jwt,a.b"}, "compact"),
        (
            {"type": "EnvelopedVerifiableCredential", "id": "data:application/vc+jwt,a.b."},
            "compact",
        ),
        (
            {"type": "EnvelopedVerifiableCredential", "id": "data:application/vc+jwt,a.b.c.d.e"},
            "compact",
        ),
        (
            {"type": "EnvelopedVerifiableCredential", "id": "data:application/vc+jwt,a.b+.c"},
            "compact",
        ),
        ({"type": "EnvelopedVerifiableCredential", "id": "data:application/vc+jwt,{}"}, "compact"),
    ],
)
def test_parse_envelope_rejects_malformed(obj: Any, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_envelope(obj)


def test_envelope_rejects_bad_input(ed_signer: Signer) -> None:
    token = issue_vc_jwt(credential_for(ed_signer), ed_signer)
    with pytest.raises(InputError, match="media type"):
        envelope(token, "application/jwt")
    with pytest.raises(InputError, match="media type"):
        envelope(token, "application/vc+ld+json+jwt")  # read, never written
    with pytest.raises(InputError, match="compact JWS"):
        envelope(token + ".x.y")


# --- jose.parse ------------------------------------------------------------------------------
def _good_parts(signer: Signer) -> list[str]:
    return issue_vc_jwt(credential_for(signer), signer).split(".")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda t: None, "string"),
        (lambda t: t.encode(), "string"),
        (lambda t: "", "3 dot-separated segments"),
        (lambda t: "a.b", "3 dot-separated segments"),
        (lambda t: t + ".x.y", "JWE"),
        (lambda t: json.dumps({"payload": "e30", "signatures": []}), "JSON serialization"),
        (lambda t: "." + t.split(".", 1)[1], "header segment is empty"),
        (lambda t: t.split(".")[0] + "..sig", "detached"),
        (lambda t: t.replace(".", " .", 1), "not unpadded base64url"),
        (lambda t: t.replace(".", "=.", 1), "not unpadded base64url"),
        (lambda t: t.replace(".", "é.", 1), "non-ASCII"),
        (lambda t: "e30." + t.split(".", 1)[1], "payload"),  # header {} is fine; see below
    ],
)
def test_unusable_tokens_fail_parse(ed_signer: Signer, make: Any, message: str) -> None:
    token = make(".".join(_good_parts(ed_signer)))
    result = verify(token)
    if message == "payload":  # "{}" parses; the header check then fails instead
        assert failed_ids(result.report) == {"jose.header"}
        return
    assert outcomes(result.report) == {"jose.parse": "failed"}
    assert message in detail(result.report, "jose.parse")
    assert result.payload is None


def test_non_canonical_base64url_is_refused(ed_signer: Signer) -> None:
    header, payload, signature = _good_parts(ed_signer)
    # 64 bytes → 86 characters, whose last one carries 4 unused bits: flip one of them.
    assert len(signature) % 4 == 2
    last = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".index(signature[-1])
    twin = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[last ^ 1]
    assert base64.urlsafe_b64decode(signature[:-1] + twin + "==") == base64.urlsafe_b64decode(
        signature + "=="
    )
    result = verify(f"{header}.{payload}.{signature[:-1]}{twin}")
    assert "not canonical" in detail(result.report, "jose.parse")


@pytest.mark.parametrize(
    ("payload_bytes", "message"),
    [
        (b'["a credential in an array"]', "not a JSON object"),
        (b'"text"', "not a JSON object"),
        (b"\xff\xfe{}", "not UTF-8 JSON"),
        (b'{"a": NaN}', "not UTF-8 JSON"),
        (b'{"a": Infinity}', "not UTF-8 JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "not UTF-8 JSON"),
        (b'{"a": 1' + b"0" * 5000 + b"}", "not UTF-8 JSON"),
        (b"\xef\xbb\xbf{}", "not UTF-8 JSON"),
    ],
    ids=["array", "string", "utf16", "nan", "infinity", "deep", "huge-int", "bom"],
)
def test_payload_must_be_a_json_object(
    ed_signer: Signer, payload_bytes: bytes, message: str
) -> None:
    header = _segment(_header(ed_signer))
    token = f"{header}.{b64url_encode(payload_bytes)}.{b64url_encode(b'x' * 64)}"
    result = verify(token)
    assert outcomes(result.report) == {"jose.parse": "failed"}
    assert message in detail(result.report, "jose.parse")
    assert result.header == _header(ed_signer)  # what could be decoded is still returned
    assert result.payload is None


def test_duplicate_header_names_are_refused(ed_signer: Signer) -> None:
    kid = ed_signer.verification_method
    raw = f'{{"alg":"EdDSA","kid":"{kid}","typ":"vc+jwt","alg":"none"}}'.encode()
    token = f"{b64url_encode(raw)}.{_segment(credential_for(ed_signer))}.{b64url_encode(b'x' * 64)}"
    assert "duplicate member name 'alg'" in detail(verify(token).report, "jose.parse")


def test_size_limit(ed_signer: Signer) -> None:
    token = issue_vc_jwt(credential_for(ed_signer), ed_signer)
    assert verify(token, max_size=len(token)).verified
    assert "limit is" in detail(verify(token, max_size=len(token) - 1).report, "jose.parse")
    huge = "a" * (MAX_JWS_SIZE + 1)  # refused before it is even split
    assert "limit is 1048576" in detail(verify(huge).report, "jose.parse")
    big = issue_vc_jwt(credential_for(ed_signer, padding="p" * MAX_JWS_SIZE), ed_signer)
    assert outcomes(verify(big).report) == {"jose.parse": "failed"}


# --- jose.header -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"alg": "none"}, 'alg "none"'),
        ({"alg": "HS256"}, "symmetric"),
        ({"alg": "RS256"}, "not one of EdDSA, ES256, ES384"),
        ({"alg": "Ed25519"}, "not one of"),
        ({"alg": ["EdDSA"]}, "not one of"),
        ({"alg": None}, "not one of"),
        ({"kid": None}, "kid is missing"),
        ({"kid": "https://issuer.example/keys#1"}, "not a DID URL"),
        ({"kid": "#key-1"}, "not a DID URL"),
        ({"kid": 7}, "not a DID URL"),
        ({"typ": None}, "typ None is not vc+jwt"),
        ({"typ": "JWT"}, "is not vc+jwt"),
        ({"typ": "vp+jwt"}, "is not vc+jwt"),
        ({"typ": "vc+sd-jwt"}, "is not vc+jwt"),
        ({"typ": 1}, "is not vc+jwt"),
        ({"cty": ["vc"]}, "cty must be a string"),
        ({"b64": False, "crit": ["b64"]}, "unencoded payloads"),
        ({"b64": "true"}, "unencoded payloads"),
        ({"crit": ["exp"], "exp": 1}, "not understood: ['exp']"),
        ({"crit": []}, "non-empty array"),
        ({"crit": "b64"}, "non-empty array"),
        ({"crit": ["b64"]}, "listed but absent: ['b64']"),
    ],
)
def test_header_rules(ed_signer: Signer, overrides: dict[str, Any], message: str) -> None:
    token = _token(_header(ed_signer, **overrides), credential_for(ed_signer), ed_signer.key)
    result = verify(token)
    assert outcomes(result.report) == {"jose.parse": "passed", "jose.header": "failed"}
    assert message in detail(result.report, "jose.header")
    assert result.payload == credential_for(ed_signer)  # still decoded, still not verified
    assert result.verification_method is None


def test_unsigned_token_is_refused(ed_signer: Signer) -> None:
    token = _token(_header(ed_signer, alg="none"), credential_for(ed_signer), None)
    assert token.endswith(".")
    result = verify(token)
    assert failed_ids(result.report) == {"jose.header"}
    assert not result.verified


@pytest.mark.parametrize(
    ("header_alg", "key_type"),
    [
        ("ES256", KeyType.ED25519),
        ("EdDSA", KeyType.P256),
        ("ES384", KeyType.P256),
        ("ES256", KeyType.P384),
    ],
)
def test_alg_must_match_the_key(header_alg: str, key_type: KeyType) -> None:
    signer = Signer.did_key(KeyPair.generate(key_type))
    token = _token(_header(signer, alg=header_alg), credential_for(signer), signer.key)
    result = verify(token)
    assert failed_ids(result.report) == {"jose.header"}
    assert f"alg is {header_alg}" in detail(result.report, "jose.header")
    assert "proof.signature" not in outcomes(result.report)


@pytest.mark.parametrize(
    ("typ", "legacy"),
    [
        ("vc+jwt", False),
        ("application/vc+jwt", False),
        ("VC+JWT", False),
        ("vc+ld+json+jwt", True),
        ("application/vc+ld+json+jwt", True),
        ("vc-ld+jwt", True),
    ],
)
def test_typ_spellings(ed_signer: Signer, typ: str, legacy: bool) -> None:
    token = sign_jwt(credential_for(ed_signer), ed_signer, typ=typ)
    result = verify(token)
    assert result.verified, result.report.to_dict()
    assert ("jose.legacy-typ" in outcomes(result.report)) is legacy
    if legacy:
        assert outcomes(result.report)["jose.legacy-typ"] == "warning"


def test_legacy_vp_typ(ed_signer: Signer) -> None:
    token = sign_jwt(presentation_for(ed_signer), ed_signer, typ="vp+ld+json+jwt")
    result = verify(token, expected_typ="vp+jwt", purpose="authentication")
    assert result.verified
    assert [c.id for c in result.report.warnings] == ["jose.legacy-typ"]


def test_b64_true_and_understood_crit_are_accepted(ed_signer: Signer) -> None:
    header = _header(ed_signer, b64=True, crit=["b64"])
    assert verify(_token(header, credential_for(ed_signer), ed_signer.key)).verified


def test_extra_header_parameters_are_ignored_not_trusted(ed_signer: Signer) -> None:
    other = KeyPair.generate(KeyType.ED25519)
    # An embedded jwk (and jku/x5u) must never be used to find the key.
    header = _header(ed_signer, jwk=other.public.to_jwk(), jku="https://evil.example/jwks")
    forged = _token(header, credential_for(ed_signer), other)
    assert failed_ids(verify(forged).report) == {"proof.signature"}
    assert verify(_token(header, credential_for(ed_signer), ed_signer.key)).verified


# --- tampering -------------------------------------------------------------------------------
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def _tampered(token: str, segment: int) -> list[str]:
    """Every one-character change of one segment (next character of the alphabet)."""
    parts = token.split(".")
    out = []
    for i, char in enumerate(parts[segment]):
        changed = list(parts)
        replacement = _ALPHABET[(_ALPHABET.index(char) + 1) % 64]
        changed[segment] = parts[segment][:i] + replacement + parts[segment][i + 1 :]
        out.append(".".join(changed))
    return out


@pytest.mark.parametrize("segment", [0, 1, 2], ids=["header", "payload", "signature"])
def test_any_one_character_change_fails(signer: Signer, segment: int) -> None:
    token = issue_vc_jwt(credential_for(signer), signer)
    resolver = DidKeyResolver()
    for changed in _tampered(token, segment):
        result = verify_jwt(changed, resolver=resolver, now=NOW)
        assert not result.verified, changed
        assert result.verification_method is None
        problems = [c for c in result.report.checks if c.outcome is not Outcome.PASSED]
        assert problems, changed
        for check in problems:
            # Never "could not check", except when the change lands in the kid and it now names
            # a DID the resolver cannot resolve ("did:ley:…", or a did:key whose fingerprint
            # no longer decodes, which DidKeyResolver reports as a ResolutionError).
            assert check.outcome is Outcome.FAILED or (
                segment == 0 and check.id == "proof.verification-method"
            ), result.report.to_dict()


def test_changed_payload_fails_the_signature_and_is_still_decoded(signer: Signer) -> None:
    token = issue_vc_jwt(credential_for(signer), signer)
    header, payload, signature = token.split(".")
    forged = _decode(payload)
    forged["credentialSubject"]["name"] = "Alicf"
    result = verify(f"{header}.{_segment(forged)}.{signature}")
    assert failed_ids(result.report) == {"proof.signature"}
    assert outcomes(result.report)["jose.claims"] == "passed"
    assert result.payload is not None
    assert result.payload["credentialSubject"]["name"] == "Alicf"
    assert result.verification_method is None


def test_padded_ecdsa_signature_is_refused() -> None:
    """jwcrypto splits any ECDSA signature in half; RFC 7518 §3.4 fixes 64 bytes for ES256."""
    signer = Signer.did_key(KeyPair.generate(KeyType.P256))
    header, payload, signature = issue_vc_jwt(credential_for(signer), signer).split(".")
    raw = base64.urlsafe_b64decode(signature + "==")
    padded = b"\x00" + raw[:32] + b"\x00" + raw[32:]
    jws = JWS()
    jws.deserialize(f"{header}.{payload}.{b64url_encode(padded)}")
    jws.verify(JWK(**signer.key.public.to_jwk()))  # jwcrypto alone accepts the second spelling
    result = verify(f"{header}.{payload}.{b64url_encode(padded)}")
    assert failed_ids(result.report) == {"proof.signature"}
    assert "66 bytes; an ES256 signature is 64" in detail(result.report, "proof.signature")


def test_signature_by_another_key_fails(ed_signer: Signer) -> None:
    other = KeyPair.generate(KeyType.ED25519)
    token = _token(_header(ed_signer), credential_for(ed_signer), other)
    assert failed_ids(verify(token).report) == {"proof.signature"}


# --- proof.verification-method ---------------------------------------------------------------
def test_unresolvable_did_is_indeterminate_not_failed(ed_signer: Signer) -> None:
    token = issue_vc_jwt(credential_for(ed_signer), ed_signer)
    result = verify(token, resolver=StaticResolver({}))
    assert outcomes(result.report) == {
        "jose.parse": "passed",
        "jose.header": "passed",
        "proof.verification-method": "indeterminate",
        "jose.claims": "passed",
    }
    assert not failed_ids(result.report)
    assert not result.verified
    assert result.payload == credential_for(ed_signer)


class _DownResolver:
    def resolve(self, did: str) -> dict[str, Any]:
        raise ResolutionError(f"timed out fetching {did}")


def test_resolver_outage_is_indeterminate(ed_signer: Signer) -> None:
    token = issue_vc_jwt(credential_for(ed_signer), ed_signer)
    result = verify(token, resolver=_DownResolver())
    assert outcomes(result.report)["proof.verification-method"] == "indeterminate"
    assert "timed out" in detail(result.report, "proof.verification-method")


def _document_with(signer: Signer, relationship: str) -> dict[str, Any]:
    document = did_key_document(signer.controller)
    for name in (
        "authentication",
        "assertionMethod",
        "capabilityInvocation",
        "capabilityDelegation",
    ):
        if name != relationship:
            del document[name]
    return document


def test_method_not_authorized_for_assertion_fails(ed_signer: Signer) -> None:
    resolver = StaticResolver({ed_signer.controller: _document_with(ed_signer, "authentication")})
    token = issue_vc_jwt(credential_for(ed_signer), ed_signer)
    result = verify(token, resolver=resolver)
    assert failed_ids(result.report) == {"proof.verification-method"}
    assert "not authorized for assertionMethod" in detail(
        result.report, "proof.verification-method"
    )
    assert "proof.signature" not in outcomes(result.report)
    # The same key may authenticate a presentation.
    vp = issue_vp_jwt(presentation_for(ed_signer), ed_signer)
    assert verify(vp, resolver=resolver, expected_typ="vp+jwt", purpose="authentication").verified


def test_kid_naming_a_missing_method_fails(ed_signer: Signer) -> None:
    token = _token(
        _header(ed_signer, kid=ed_signer.controller + "#nope"),
        credential_for(ed_signer),
        ed_signer.key,
    )
    result = verify(token)
    assert failed_ids(result.report) == {"proof.verification-method"}


# --- jose.claims -----------------------------------------------------------------------------
def _claims_result(
    signer: Signer, header: dict[str, Any] | None = None, **claims: Any
) -> JoseResult:
    token = _token(header or _header(signer), credential_for(signer, **claims), signer.key)
    return verify(token)


def test_matching_claims_pass(ed_signer: Signer) -> None:
    result = _claims_result(
        ed_signer,
        iss=ed_signer.controller,
        jti="urn:uuid:6a1676b8-b51f-11ed-937b-d76685a20ff5",
        sub="did:example:subject",
        iat=NOW.timestamp() - 10,
        nbf=NOW.timestamp() - 10,
        exp=NOW.timestamp() + 3600,
    )
    assert result.verified, result.report.to_dict()


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        ({"vc": {"type": ["VerifiableCredential"]}}, "'vc' must not be present"),
        ({"vp": {}}, "'vp' must not be present"),
        ({"iss": "did:example:someone-else"}, "does not match the issuer"),
        ({"iss": 5}, "iss claim must be a string"),
        ({"jti": "urn:uuid:other"}, "does not match the id"),
        ({"jti": 5}, "jti claim must be a string"),
        ({"sub": "did:example:other"}, "matches no credentialSubject id"),
        ({"sub": ["did:example:subject"]}, "sub claim must be a string"),
        ({"exp": NOW.timestamp() - 120}, "signature expired"),
        ({"nbf": NOW.timestamp() + 120}, "not valid yet"),
        ({"iat": NOW.timestamp() + 120}, "issued in the future"),
        ({"exp": "2030-01-01T00:00:00Z"}, "exp must be a NumericDate"),
        ({"iat": True}, "iat must be a NumericDate"),
        (
            {"nbf": NOW.timestamp() - 50, "exp": NOW.timestamp() - 50},
            "exp must be after nbf",
        ),
        ({"aud": 3}, "aud claim must be a string"),
        ({"nonce": 3}, "nonce claim must be a string"),
    ],
)
def test_conflicting_or_malformed_claims_fail(
    ed_signer: Signer, claims: dict[str, Any], message: str
) -> None:
    result = _claims_result(ed_signer, **claims)
    assert failed_ids(result.report) == {"jose.claims"}
    assert message in detail(result.report, "jose.claims")
    assert outcomes(result.report)["proof.signature"] == "passed"


def test_iss_may_match_an_issuer_object(ed_signer: Signer) -> None:
    issuer = {"id": ed_signer.controller, "name": "Mine"}
    assert _claims_result(ed_signer, issuer=issuer, iss=ed_signer.controller).verified
    result = _claims_result(ed_signer, issuer=issuer, iss="did:example:x")
    assert failed_ids(result.report) == {"jose.claims"}


def test_iss_in_the_header_must_match_too(ed_signer: Signer) -> None:
    result = _claims_result(ed_signer, _header(ed_signer, iss="did:example:someone-else"))
    assert "iss header parameter" in detail(result.report, "jose.claims")


def test_presentation_iss_is_held_to_the_holder(ed_signer: Signer) -> None:
    payload = presentation_for(ed_signer, iss="did:example:other")
    token = sign_jwt(payload, ed_signer, typ="vp+jwt")
    result = verify(token, expected_typ="vp+jwt", purpose="authentication")
    assert "does not match the holder" in detail(result.report, "jose.claims")


def test_clock_skew_is_tolerated_and_default_clock_is_used(ed_signer: Signer) -> None:
    assert _claims_result(ed_signer, exp=NOW.timestamp() - 30).verified
    token = _token(_header(ed_signer), credential_for(ed_signer, exp=1), ed_signer.key)
    result = verify_jwt(token, resolver=DidKeyResolver())  # the system clock: long after 1970
    assert failed_ids(result.report) == {"jose.claims"}


def test_naive_now_is_a_caller_error(ed_signer: Signer) -> None:
    token = issue_vc_jwt(credential_for(ed_signer), ed_signer)
    with pytest.raises(InputError, match="timezone-aware"):
        verify_jwt(token, resolver=DidKeyResolver(), now=datetime(2026, 1, 1))
