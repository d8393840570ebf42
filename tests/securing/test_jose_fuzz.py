"""Garbage in, report out: verify_jwt and parse_envelope never raise on hostile input.

verify_jwt may only *report* (jose.parse, jose.header, ... failed or indeterminate) whatever the
token; parse_envelope may only raise InputError. Hypothesis feeds random strings, token-shaped
strings, random headers and payloads (signed with a real key half of the time, so the claim
and signature paths run too) and random envelopes.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from vcservice.dids import DidKeyResolver
from vcservice.errors import InputError
from vcservice.keys import KeyPair, KeyType, Signer, b64url_encode
from vcservice.report import Outcome
from vcservice.securing.jose import JoseResult, parse_envelope, verify_jwt

SIGNERS = [Signer.did_key(KeyPair.generate(t)) for t in KeyType]
RESOLVER = DidKeyResolver()
NOW = datetime(2026, 1, 1, tzinfo=UTC)
FUZZ = settings(max_examples=300, deadline=None, database=None)

json_values = st.recursive(
    st.none()
    | st.booleans()
    # integers a double holds exactly: larger ones are refused by the strict reader
    # (json-number-range, tests/ingress), as a parser on another platform would round them
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
header_names = st.sampled_from(
    ["alg", "kid", "typ", "cty", "crit", "b64", "iss", "jwk", "jku", "x5u", "zip"]
) | st.text(max_size=6)
claim_names = st.sampled_from(
    [
        "iss",
        "sub",
        "jti",
        "exp",
        "nbf",
        "iat",
        "vc",
        "vp",
        "aud",
        "nonce",
        "id",
        "issuer",
        "holder",
        "credentialSubject",
        "@context",
        "type",
    ]
) | st.text(max_size=6)
header_values = {
    "alg": st.sampled_from(["EdDSA", "ES256", "ES384", "none", "HS256", "RS256", ""]) | json_values,
    "kid": st.sampled_from([s.verification_method for s in SIGNERS])
    | st.sampled_from(["did:key:z6Mk", "did:key:", "did:web:x.example#k", "did:a:b#c"])
    | st.text(max_size=30).map(lambda t: "did:key:" + t)
    | json_values,
    "typ": st.sampled_from(["vc+jwt", "vp+jwt", "VC+JWT", "vc+ld+json+jwt", "JWT"]) | json_values,
    "crit": st.lists(st.sampled_from(["b64", "exp", "kid"]) | st.text(max_size=4), max_size=3)
    | json_values,
    "b64": st.booleans() | json_values,
}


def _check_invariants(result: JoseResult) -> None:
    checks = result.report.checks
    assert checks
    assert checks[0].id == "jose.parse"
    assert all(isinstance(c.outcome, Outcome) for c in checks)
    signature_passed = any(
        c.id == "proof.signature" and c.outcome is Outcome.PASSED for c in checks
    )
    assert (result.verification_method is not None) == signature_passed
    if result.payload is None:
        assert [c.id for c in checks] == ["jose.parse"]
    json.dumps(result.report.to_dict())  # the report always serializes


def _verify(token: Any, **kwargs: Any) -> JoseResult:
    result = verify_jwt(token, resolver=RESOLVER, now=NOW, **kwargs)
    _check_invariants(result)
    return result


@FUZZ
@given(st.text(max_size=300))
def test_random_text(token: str) -> None:
    assert not _verify(token).verified


@FUZZ
@given(
    st.from_regex(
        r"\A[A-Za-z0-9_-]{0,60}\.[A-Za-z0-9_-]{0,200}\.[A-Za-z0-9_-]{0,100}\Z", fullmatch=True
    )
)
def test_token_shaped_text(token: str) -> None:
    assert not _verify(token).verified


@FUZZ
@given(st.binary(max_size=120), st.binary(max_size=300), st.binary(max_size=100))
def test_random_segment_bytes(header: bytes, payload: bytes, signature: bytes) -> None:
    token = ".".join(b64url_encode(part) for part in (header, payload, signature))
    assert not _verify(token).verified


@st.composite
def headers(draw: st.DrawFn, signer: Signer | None, typ: str) -> dict[str, Any]:
    """Mostly-valid headers for ``signer`` with a few random changes, or anything at all."""
    if signer is None or draw(st.integers(0, 3)) == 0:
        header = draw(st.dictionaries(header_names, json_values, max_size=5))
    else:
        header = {"alg": signer.key.key_type.jws_alg, "kid": signer.verification_method}
        header["typ"] = typ
    for name, values in header_values.items():
        if draw(st.integers(0, 4)) == 0:
            header[name] = draw(values)
    return header


@st.composite
def claims(draw: st.DrawFn, signer: Signer | None) -> dict[str, Any]:
    """A credential-ish payload with random (often plausible) JWT claims."""
    payload = draw(st.dictionaries(claim_names, json_values, max_size=6))
    controller = signer.controller if signer else "did:example:x"
    plausible: dict[str, st.SearchStrategy[Any]] = {
        "iss": st.sampled_from([controller, "did:example:other"]),
        "issuer": st.sampled_from([controller, {"id": controller}, {"name": 1}]),
        "jti": st.sampled_from(["urn:a", "urn:b"]),
        "id": st.sampled_from(["urn:a", "urn:b"]),
        "sub": st.sampled_from(["did:example:s", "did:example:t"]),
        "credentialSubject": st.sampled_from([{"id": "did:example:s"}, [{"id": "x"}, 3], {}]),
        "exp": st.floats(1.7e9, 1.8e9) | st.integers(-(2**53), 2**53),
        "nbf": st.floats(1.7e9, 1.8e9),
        "iat": st.floats(1.7e9, 1.8e9),
        "nonce": st.sampled_from(["n1", "n2"]),
        "aud": st.sampled_from(["d1", ["d1", "d2"], ["d2"]]),
    }
    for name, values in plausible.items():
        if draw(st.integers(0, 3)) == 0:
            payload[name] = draw(values)
    return payload


@FUZZ
@given(st.data())
def test_random_headers_and_payloads(data: st.DataObject) -> None:
    signer = data.draw(st.sampled_from(SIGNERS) | st.none(), "signer")
    typ = data.draw(st.sampled_from(["vc+jwt", "vp+jwt"]), "expected_typ")
    header = data.draw(headers(signer, typ), "header")
    payload = data.draw(claims(signer), "payload")
    signing_input = (
        b64url_encode(json.dumps(header).encode())
        + "."
        + b64url_encode(json.dumps(payload).encode())
    )
    if signer is not None:  # a genuine signature, so the later checks run on random claims
        signature = signer.sign(signing_input.encode("ascii"))
    else:
        signature = data.draw(st.binary(max_size=100), "signature")
    result = _verify(
        f"{signing_input}.{b64url_encode(signature)}",
        expected_typ=typ,
        purpose=data.draw(st.sampled_from(["assertionMethod", "authentication", "keyAgreement"])),
        challenge=data.draw(st.none() | st.sampled_from(["n1", "n2"])),
        domain=data.draw(st.none() | st.sampled_from(["d1", "d2"])),
    )
    assert result.payload == payload
    assert result.header == header


@FUZZ
@given(
    st.dictionaries(
        st.sampled_from(["@context", "type", "id"]) | st.text(max_size=4),
        json_values
        | st.sampled_from(["EnvelopedVerifiableCredential", "EnvelopedVerifiablePresentation"])
        | st.text(max_size=40).map(lambda t: "data:" + t)
        | st.from_regex(r"\Adata:application/v[cp]\+jwt,[A-Za-z0-9_.+-]{0,30}\Z", fullmatch=True),
        max_size=4,
    )
    | json_values
)
def test_random_envelopes(obj: Any) -> None:
    try:
        media_type, jws = parse_envelope(obj)
    except InputError:
        return
    assert media_type.startswith("application/")
    assert jws.count(".") == 2
