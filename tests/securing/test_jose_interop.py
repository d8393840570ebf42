"""Interop: vc+jwt made by an independent implementation verifies with ours, and back.

The "independent implementation" below follows VC-JOSE-COSE and RFC 7515/7518 using only
``cryptography`` and the standard library, sharing no code with vcservice: it writes the JSON
header by hand (other member order, spaces), pretty-prints the payload (so a verifier that
re-serialized anything would fail), derives did:key identifiers with its own base58btc and
multicodec prefixes, builds JWKs from the curve's public numbers, and converts ECDSA's DER
signatures to r||s by parsing the DER itself. The reverse direction checks our tokens with the
same hand-written code and with jwcrypto's high-level JWS API.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from jwcrypto.jwk import JWK
from jwcrypto.jws import JWS

from vcservice.dids import DidKeyResolver, StaticResolver
from vcservice.keys import KeyPair, KeyType, Signer
from vcservice.securing.jose import envelope, issue_vc_jwt, issue_vp_jwt, parse_envelope, verify_jwt

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_CURVES = {
    "P-256": (ec.SECP256R1(), hashes.SHA256(), 32, "ES256"),
    "P-384": (ec.SECP384R1(), hashes.SHA384(), 48, "ES384"),
}


# --- the independent implementation ------------------------------------------------------------
def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def b64u_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def base58btc(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    out = ""
    while number:
        number, digit = divmod(number, 58)
        out = _B58[digit] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def der_to_raw(der: bytes, size: int) -> bytes:
    """ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } (RFC 3279) → r||s, `size` each."""
    assert der[0] == 0x30
    index = 2 if der[1] < 0x80 else 2 + (der[1] & 0x7F)  # short or long form length
    raw = b""
    for _ in range(2):
        assert der[index] == 0x02
        length = der[index + 1]
        value = der[index + 2 : index + 2 + length].lstrip(b"\0")  # drop the sign byte
        raw += value.rjust(size, b"\0")
        index += 2 + length
    assert index == len(der)
    return raw


def raw_to_der(raw: bytes) -> bytes:
    half = len(raw) // 2
    return encode_dss_signature(
        int.from_bytes(raw[:half], "big"), int.from_bytes(raw[half:], "big")
    )


def compact(header_json: str, payload: dict[str, Any], sign: Any) -> str:
    signing_input = (
        b64u(header_json.encode("utf-8"))
        + "."
        + b64u(json.dumps(payload, indent=2).encode("utf-8"))
    )
    return signing_input + "." + b64u(sign(signing_input.encode("ascii")))


def credential(issuer: str) -> dict[str, Any]:
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://www.w3.org/ns/credentials/examples/v2",
        ],
        "id": "http://university.example/credentials/1872",
        "type": ["VerifiableCredential", "ExampleAlumniCredential"],
        "issuer": issuer,
        "validFrom": "2010-01-01T19:23:24Z",
        "credentialSubject": {
            "id": "did:example:ebfeb1f712ebc6f1c276e12ec21",
            "alumniOf": "Example University",
        },
    }


def ed25519_did_key(public: ed25519.Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "did:key:z" + base58btc(b"\xed\x01" + raw)


def p256_did_key(public: ec.EllipticCurvePublicKey) -> str:
    numbers = public.public_numbers()
    compressed = bytes([2 + (numbers.y & 1)]) + numbers.x.to_bytes(32, "big")
    return "did:key:z" + base58btc(b"\x80\x24" + compressed)  # multicodec p256-pub 0x1200


def ec_jwk(public: ec.EllipticCurvePublicKey, crv: str) -> dict[str, str]:
    size = _CURVES[crv][2]
    numbers = public.public_numbers()
    return {
        "kty": "EC",
        "crv": crv,
        "x": b64u(numbers.x.to_bytes(size, "big")),
        "y": b64u(numbers.y.to_bytes(size, "big")),
    }


# --- theirs → ours ---------------------------------------------------------------------------
def test_independent_ed25519_vc_jwt_verifies() -> None:
    private = ed25519.Ed25519PrivateKey.generate()
    did = ed25519_did_key(private.public_key())
    kid = f"{did}#{did.removeprefix('did:key:')}"
    header = '{"typ": "vc+jwt", "kid": "' + kid + '", "alg": "EdDSA"}'
    token = compact(header, credential(did), private.sign)

    result = verify_jwt(token, resolver=DidKeyResolver())
    assert result.verified, result.report.to_dict()
    assert result.payload == credential(did)
    assert result.verification_method is not None
    assert result.verification_method.id == kid


def test_independent_p256_vc_jwt_verifies() -> None:
    curve, hash_algorithm, size, _ = _CURVES["P-256"]
    private = ec.generate_private_key(curve)
    did = p256_did_key(private.public_key())
    kid = f"{did}#{did.removeprefix('did:key:')}"
    header = '{"kid":"' + kid + '","alg":"ES256","cty":"vc","typ":"vc+jwt"}'

    def sign(data: bytes) -> bytes:
        return der_to_raw(private.sign(data, ec.ECDSA(hash_algorithm)), size)

    token = compact(header, credential(did), sign)
    result = verify_jwt(token, resolver=DidKeyResolver())
    assert result.verified, result.report.to_dict()


@pytest.mark.parametrize("crv", ["P-256", "P-384"])
def test_independent_ecdsa_vc_jwt_with_did_web_jwk_verifies(crv: str) -> None:
    curve, hash_algorithm, size, alg = _CURVES[crv]
    private = ec.generate_private_key(curve)
    did = "did:web:issuer.example"
    kid = did + "#key-1"
    document = {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/jwk/v1"],
        "id": did,
        "verificationMethod": [
            {
                "id": kid,
                "type": "JsonWebKey",
                "controller": did,
                "publicKeyJwk": ec_jwk(private.public_key(), crv),
            }
        ],
        "assertionMethod": ["#key-1"],
    }
    header = json.dumps({"alg": alg, "typ": "vc+jwt", "kid": kid})

    def sign(data: bytes) -> bytes:
        return der_to_raw(private.sign(data, ec.ECDSA(hash_algorithm)), size)

    token = compact(header, credential(did), sign)
    wrapped = {
        "@context": "https://www.w3.org/ns/credentials/v2",
        "id": f"data:application/vc+jwt,{token}",
        "type": "EnvelopedVerifiableCredential",
    }
    media_type, jws = parse_envelope(wrapped)
    result = verify_jwt(jws, resolver=StaticResolver({did: document}), expected_typ=media_type)
    assert result.verified, result.report.to_dict()


def test_der_conversion_handles_short_integers() -> None:
    """r or s below 2^248 has fewer than 32 bytes in DER; r||s must left-pad it."""
    der = encode_dss_signature(5, 2**255 + 7)
    assert der_to_raw(der, 32) == (5).to_bytes(32, "big") + (2**255 + 7).to_bytes(32, "big")


# --- ours → theirs ---------------------------------------------------------------------------
def _independent_verify(token: str, public: Any) -> dict[str, Any]:
    header_segment, payload_segment, signature_segment = token.split(".")
    header = json.loads(b64u_decode(header_segment))
    signing_input = f"{header_segment}.{payload_segment}".encode("ascii")
    signature = b64u_decode(signature_segment)
    if header["alg"] == "EdDSA":
        public.verify(signature, signing_input)
    else:
        crv = "P-256" if header["alg"] == "ES256" else "P-384"
        assert len(signature) == 2 * _CURVES[crv][2]
        public.verify(raw_to_der(signature), signing_input, ec.ECDSA(_CURVES[crv][1]))
    payload: dict[str, Any] = json.loads(b64u_decode(payload_segment))
    return {"header": header, "payload": payload}


@pytest.mark.parametrize("key_type", list(KeyType), ids=lambda t: t.jws_alg)
def test_our_tokens_verify_independently_and_with_jwcrypto(key_type: KeyType) -> None:
    pair = KeyPair.generate(key_type)
    signer = Signer.did_key(pair)
    document = credential(signer.controller)
    token = issue_vc_jwt(document, signer)
    public = pair.private.public_key()

    decoded = _independent_verify(token, public)
    assert decoded["payload"] == document
    assert decoded["header"] == {
        "alg": key_type.jws_alg,
        "kid": signer.verification_method,
        "typ": "vc+jwt",
    }

    jws = JWS()
    jws.deserialize(token, key=JWK.from_pyca(public), alg=key_type.jws_alg)
    assert json.loads(jws.payload) == document

    media_type, jws_text = parse_envelope(envelope(token))
    assert (media_type, jws_text) == ("application/vc+jwt", token)


def test_our_presentation_verifies_independently() -> None:
    pair = KeyPair.generate(KeyType.ED25519)
    signer = Signer.did_key(pair)
    presentation = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": signer.controller,
    }
    token = issue_vp_jwt(presentation, signer, challenge="c-123", domain="https://verifier.example")
    decoded = _independent_verify(token, pair.private.public_key())
    assert decoded["header"]["typ"] == "vp+jwt"
    assert decoded["payload"]["nonce"] == "c-123"
    assert decoded["payload"]["aud"] == "https://verifier.example"
