"""The UNTP playground's enveloped vc+jwt DPP (made by project-vckit) parses and verifies.

The issuer is a did:web; its DID document is supplied offline through StaticResolver. vckit
names each verification method after its Ed25519 public key in hex (the ``kid`` fragment is
``<publicKeyHex>-JsonWebKey-key-0``), which is also how the issuer's published did.json lists it,
so the test builds the document from that key: the signature verifies with the issuer's real
key. A document with another key fails ``proof.signature`` (invalid,
not "could not check"), and an unknown DID is indeterminate; in both cases the payload is
still decoded.
"""

from __future__ import annotations

import base64
from functools import cache
from typing import Any

import pytest

from vcservice.dids import StaticResolver
from vcservice.keys import KeyPair, KeyType, PublicKey, b64url_encode
from vcservice.report import Outcome
from vcservice.securing.jose import JoseResult, parse_envelope, verify_jwt

from ..conftest import UNTP, load_json

SAMPLE = UNTP / "test-fixtures" / "untp-playground" / "dpp-enveloped-vc-jwt-signed.json"
DID = "did:web:uncefact.github.io:project-vckit:test-and-development"
KEY_HEX = "7af136a8efa11a4df2e9010b972bdb92a0013724b50e5efa45407a2ddea184e6"
KID = f"{DID}#{KEY_HEX}-JsonWebKey-key-0"


@cache
def _jws() -> tuple[str, str]:
    return parse_envelope(load_json(SAMPLE)["verifiableCredential"])


def _document() -> dict[str, Any]:
    raw = bytes.fromhex(KEY_HEX)
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/jwk/v1"],
        "id": DID,
        "verificationMethod": [
            {
                "id": KID,
                "type": "JsonWebKey",
                "controller": DID,
                "publicKeyJwk": {"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(raw)},
            },
            {
                "id": f"{DID}#{KEY_HEX}-Ed25519VerificationKey2020-key-0",
                "type": "Ed25519VerificationKey2020",
                "controller": DID,
                "publicKeyMultibase": PublicKey.from_raw(KeyType.ED25519, raw).multibase,
            },
        ],
        "assertionMethod": [KID, f"{DID}#{KEY_HEX}-Ed25519VerificationKey2020-key-0"],
    }


def _verify(resolver: StaticResolver) -> JoseResult:
    media_type, jws = _jws()
    return verify_jwt(jws, resolver=resolver, expected_typ=media_type)


def test_sample_envelope_parses() -> None:
    media_type, jws = _jws()
    assert media_type == "application/vc+jwt"
    assert jws.count(".") == 2
    assert len(base64.urlsafe_b64decode(jws.split(".")[2] + "==")) == 64  # Ed25519


def test_sample_signature_verifies_with_the_issuers_published_key() -> None:
    result = _verify(StaticResolver({DID: _document()}))
    assert result.verified, result.report.to_dict()
    assert [(c.id, c.outcome) for c in result.report.checks] == [
        ("jose.parse", Outcome.PASSED),
        ("jose.header", Outcome.PASSED),
        ("proof.verification-method", Outcome.PASSED),
        ("proof.signature", Outcome.PASSED),
        ("jose.claims", Outcome.PASSED),
    ]
    assert result.header == {"alg": "EdDSA", "kid": KID, "cty": "vc", "typ": "vc+jwt"}
    assert result.verification_method is not None
    assert result.verification_method.id == KID
    assert result.verification_method.type == "JsonWebKey"
    payload = result.payload
    assert payload is not None
    assert "DigitalProductPassport" in payload["type"]
    assert payload["issuer"]["id"] == DID  # the key's DID is the issuer
    assert payload["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert not {"vc", "iss", "exp"} & set(payload)  # VC 2.0 payload, no JWT claims


def test_published_key_spellings_agree() -> None:
    """The kid's hex, the JWK x and the multibase spell one key."""
    methods = {m["type"]: m for m in _document()["verificationMethod"]}
    from_jwk = PublicKey.from_jwk(methods["JsonWebKey"]["publicKeyJwk"])
    from_multibase = PublicKey.from_multibase(
        methods["Ed25519VerificationKey2020"]["publicKeyMultibase"]
    )
    assert from_jwk.key_type is KeyType.ED25519
    assert from_jwk.raw == from_multibase.raw == bytes.fromhex(KEY_HEX)


def test_sample_with_another_key_fails_the_signature_not_the_parse() -> None:
    document = _document()
    impostor = KeyPair.generate(KeyType.ED25519).public.to_jwk()
    for method in document["verificationMethod"]:
        if method["id"] == KID:
            method["publicKeyJwk"] = impostor
    result = _verify(StaticResolver({DID: document}))
    outcomes = {c.id: c.outcome for c in result.report.checks}
    assert outcomes == {
        "jose.parse": Outcome.PASSED,
        "jose.header": Outcome.PASSED,
        "proof.verification-method": Outcome.PASSED,
        "proof.signature": Outcome.FAILED,
        "jose.claims": Outcome.PASSED,
    }
    assert result.payload is not None
    assert "DigitalProductPassport" in result.payload["type"]
    assert result.verification_method is None


def test_sample_with_unknown_issuer_did_is_indeterminate() -> None:
    result = _verify(StaticResolver({}))
    outcomes = {c.id: c.outcome for c in result.report.checks}
    assert outcomes["proof.verification-method"] is Outcome.INDETERMINATE
    assert Outcome.FAILED not in outcomes.values()
    assert result.payload is not None


@pytest.mark.parametrize("expected_typ", ["vp+jwt", "application/vp+jwt"])
def test_sample_is_not_a_presentation(expected_typ: str) -> None:
    _, jws = _jws()
    result = verify_jwt(jws, resolver=StaticResolver({DID: _document()}), expected_typ=expected_typ)
    assert result.report.has_failed("jose.header")
