"""did:jwk: spec examples, round trips for every key type, and every way a DID can be malformed."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vcservice.dids import (
    DidJwkResolver,
    did_jwk_document,
    did_jwk_for,
    public_key_of,
    resolve_verification_method,
)
from vcservice.errors import ResolutionError, VerificationMethodError
from vcservice.keys import KeyPair, KeyType, PublicKey, b64url_encode

# Examples from the did:jwk spec, https://github.com/quartzjer/did-jwk/blob/main/spec.md
# (commit 8137ac4a9f7edd67a2b21077e4afc188bba7806b), copied byte for byte.
SPEC_P256_DID = (
    "did:jwk:eyJjcnYiOiJQLTI1NiIsImt0eSI6IkVDIiwieCI6ImFjYklRaXVNczNpOF91c3pFakoydHBUdFJNNEVVM3l6"
    "OTFQSDZDZEgyVjAiLCJ5IjoiX0tjeUxqOXZXTXB0bm1LdG00NkdxRHo4d2Y3NEk1TEtncmwyR3pIM25TRSJ9"
)
SPEC_P256_JWK = {
    "crv": "P-256",
    "kty": "EC",
    "x": "acbIQiuMs3i8_uszEjJ2tpTtRM4EU3yz91PH6CdH2V0",
    "y": "_KcyLj9vWMptnmKtm46GqDz8wf74I5LKgrl2GzH3nSE",
}
SPEC_X25519_DID = (
    "did:jwk:eyJrdHkiOiJPS1AiLCJjcnYiOiJYMjU1MTkiLCJ1c2UiOiJlbmMiLCJ4IjoiM3A3YmZYdDl3YlRUVzJIQzdP"
    "UTFOei1EUThoYmVHZE5yZngtRkctSUswOCJ9"
)
SPEC_X25519_JWK = {
    "kty": "OKP",
    "crv": "X25519",
    "use": "enc",
    "x": "3p7bfXt9wbTTW2HC7OQ1Nz-DQ8hbeGdNrfx-FG-IK08",
}
SIGNING = ["assertionMethod", "authentication", "capabilityInvocation", "capabilityDelegation"]


def spec_document(did: str, jwk: dict[str, Any], relationships: list[str]) -> dict[str, Any]:
    """The spec's document template (JsonWebKey2020, jws-2020 context).

    The spec's own P-256 example has a typo in ``authentication`` (``did:jwk:$eyJ...``); the
    template above it, and every implementation, use the plain DID, as here.
    """
    vm = did + "#0"
    return {
        "@context": [
            "https://www.w3.org/ns/did/v1",
            "https://w3id.org/security/suites/jws-2020/v1",
        ],
        "id": did,
        "verificationMethod": [
            {"id": vm, "type": "JsonWebKey2020", "controller": did, "publicKeyJwk": jwk}
        ],
        **{relationship: [vm] for relationship in relationships},
    }


def did_from_json(text: str) -> str:
    return "did:jwk:" + b64url_encode(text.encode("utf-8"))


def did_from_jwk(jwk: dict[str, Any]) -> str:
    return did_from_json(json.dumps(jwk))


# --- spec vectors -----------------------------------------------------------------------------
def test_spec_p256_did_is_reproduced_byte_for_byte() -> None:
    assert did_jwk_for(PublicKey.from_jwk(SPEC_P256_JWK)) == SPEC_P256_DID


def test_spec_p256_document_in_jsonwebkey2020_form() -> None:
    document = did_jwk_document(SPEC_P256_DID, method_type="JsonWebKey2020")
    assert document == spec_document(SPEC_P256_DID, SPEC_P256_JWK, [*SIGNING, "keyAgreement"])


def test_spec_x25519_enc_key_gets_only_key_agreement() -> None:
    document = DidJwkResolver(method_type="JsonWebKey2020").resolve(SPEC_X25519_DID)
    assert document == spec_document(SPEC_X25519_DID, SPEC_X25519_JWK, ["keyAgreement"])


def test_default_form_is_jsonwebkey_with_the_bundled_jwk_context() -> None:
    document = DidJwkResolver().resolve(SPEC_P256_DID)
    assert document["@context"] == [
        "https://www.w3.org/ns/did/v1",
        "https://w3id.org/security/jwk/v1",
    ]
    assert document["verificationMethod"][0]["type"] == "JsonWebKey"
    assert document["verificationMethod"][0]["publicKeyJwk"] == SPEC_P256_JWK


# --- round trips ------------------------------------------------------------------------------
@pytest.mark.parametrize("key_type", list(KeyType))
def test_round_trip_for_each_key_type(key_type: KeyType) -> None:
    pair = KeyPair.generate(key_type)
    did = did_jwk_for(pair.public)
    document = DidJwkResolver().resolve(did)

    assert document["id"] == did
    (method,) = document["verificationMethod"]
    assert method["id"] == did + "#0"
    assert method["controller"] == did
    assert method["publicKeyJwk"] == pair.public.to_jwk()
    assert public_key_of(method).raw == pair.public.raw
    for relationship in [*SIGNING, "keyAgreement"]:
        assert document[relationship] == [did + "#0"]

    found = resolve_verification_method(DidJwkResolver(), did + "#0", "assertionMethod")
    assert found.public_key.verify(pair.sign(b"ore lot 42"), b"ore lot 42")


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(list(KeyType)), st.binary(min_size=1, max_size=64))
def test_any_key_signs_for_its_did_jwk(key_type: KeyType, message: bytes) -> None:
    pair = KeyPair.generate(key_type)
    did = did_jwk_for(pair.public)
    method = resolve_verification_method(DidJwkResolver(), did + "#0", "authentication")
    assert method.public_key.verify(pair.sign(message), message)


def test_did_jwk_for_is_deterministic_jcs() -> None:
    pair = KeyPair.generate(KeyType.ED25519)
    did = did_jwk_for(pair.public)
    assert did == did_jwk_for(pair.public)
    jwk_json = json.dumps(pair.public.to_jwk(), sort_keys=True, separators=(",", ":"))
    assert did == did_from_json(jwk_json)


# --- use ------------------------------------------------------------------------------------
def test_use_sig_drops_key_agreement() -> None:
    jwk = {**KeyPair.generate(KeyType.ED25519).public.to_jwk(), "use": "sig"}
    document = did_jwk_document(did_from_jwk(jwk))
    assert "keyAgreement" not in document
    for relationship in SIGNING:
        assert relationship in document


def test_use_enc_key_cannot_assert() -> None:
    jwk = {**KeyPair.generate(KeyType.P256).public.to_jwk(), "use": "enc"}
    did = did_from_jwk(jwk)
    assert resolve_verification_method(DidJwkResolver(), did + "#0", "keyAgreement")
    with pytest.raises(VerificationMethodError, match="not authorized for assertionMethod"):
        resolve_verification_method(DidJwkResolver(), did + "#0", "assertionMethod")


def test_extra_members_stay_in_the_verification_method_only() -> None:
    jwk = {**KeyPair.generate(KeyType.ED25519).public.to_jwk(), "kid": "k1", "x-tenant": "acme"}
    document = did_jwk_document(did_from_jwk(jwk))
    assert document["verificationMethod"][0]["publicKeyJwk"] == jwk
    assert document["verificationMethod"][0]["id"].endswith("#0")  # kid is never the fragment


def test_unsupported_curve_resolves_but_cannot_verify() -> None:
    # secp256k1 is a valid did:jwk, just not a key this service verifies with.
    jwk = {"kty": "EC", "crv": "secp256k1", "x": "A" * 43, "y": "A" * 43}
    did = did_from_jwk(jwk)
    assert did_jwk_document(did)["id"] == did
    with pytest.raises(VerificationMethodError, match="unsupported JWK curve"):
        resolve_verification_method(DidJwkResolver(), did + "#0", "assertionMethod")


# --- malformed --------------------------------------------------------------------------------
_ED = KeyPair.generate(KeyType.ED25519)
_P256 = KeyPair.generate(KeyType.P256)
_GOOD = did_jwk_for(_ED.public)


@pytest.mark.parametrize(
    ("did", "message"),
    [
        pytest.param("did:key:z6Mk", "not a did:jwk", id="other-method"),
        pytest.param("did:jwk:", "unpadded base64url", id="empty"),
        pytest.param(_GOOD + "#0", "unpadded base64url", id="did-url-fragment"),
        pytest.param(_GOOD + "=", "unpadded base64url", id="padding"),
        pytest.param(_GOOD.replace("e", "+", 1), "unpadded base64url", id="base64-not-url"),
        pytest.param("did:jwk:e30AA", "cannot be 1 more", id="impossible-length"),
        pytest.param("did:jwk:e31", "non-canonical", id="non-canonical-bits"),  # e30 is {}
        pytest.param(did_from_json("{not json"), "not UTF-8 JSON", id="not-json"),
        pytest.param("did:jwk:" + b64url_encode(b"\xff\xfe{}"), "not UTF-8 JSON", id="not-utf8"),
        pytest.param(did_from_json("[1, 2]"), "must be a JSON object", id="array"),
        pytest.param(
            did_from_json('{"kty":"OKP","crv":"Ed25519","x":"a","x":"b"}'),
            "duplicate member",
            id="duplicate-member",
        ),
        pytest.param(did_from_jwk(_ED.to_jwk()), "private key material", id="private-okp"),
        pytest.param(did_from_jwk(_P256.to_jwk()), "private key material", id="private-ec"),
        pytest.param(
            did_from_jwk({"kty": "oct", "k": "c2VjcmV0"}), "private key material", id="symmetric"
        ),
        pytest.param(
            did_from_jwk({"kty": "RSA", "n": "AQAB", "e": "AQAB", "p": "AQ"}),
            "private key material",
            id="private-rsa",
        ),
        pytest.param(did_from_jwk({"crv": "P-256", "x": "AA"}), "kty", id="no-kty"),
        pytest.param(did_from_jwk({"kty": "OKP", "crv": "Ed25519"}), "no 'x'", id="no-x"),
        pytest.param(
            did_from_jwk({"kty": "OKP", "crv": "Ed25519", "x": 42}), "no 'x'", id="x-not-string"
        ),
        pytest.param(
            did_from_jwk({"kty": "OKP", "crv": "X25519", "x": "a+b"}),
            "base64url",
            id="x-not-base64url",
        ),
        pytest.param(
            did_from_jwk({"kty": "OKP", "crv": "Ed25519", "x": "AAAA"}),
            "32 bytes",
            id="ed25519-short-key",
        ),
        pytest.param(
            did_from_jwk({"kty": "EC", "crv": "P-256", "x": "A" * 43, "y": "A" * 43}),
            "invalid P-256 public key",
            id="p256-point-not-on-curve",
        ),
        pytest.param(
            did_from_jwk({**_ED.public.to_jwk(), "use": "both"}), "neither 'sig'", id="bad-use"
        ),
        pytest.param("did:jwk:" + "A" * 9000, "at most", id="too-long"),
    ],
)
def test_malformed_did_jwk_is_a_resolution_error(did: str, message: str) -> None:
    with pytest.raises(ResolutionError, match=message):
        DidJwkResolver().resolve(did)


def test_unknown_method_type_is_refused() -> None:
    with pytest.raises(ValueError, match="method_type"):
        DidJwkResolver(method_type="Ed25519VerificationKey2020")  # type: ignore[arg-type]
