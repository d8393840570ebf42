"""vc+sd-jwt: issued through our Signer, verified by the pipeline and by the reference
implementation, derived by a holder, and refused when its disclosures do not fit."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from jwcrypto.jwk import JWK
from sd_jwt.verifier import SDJWTVerifier

from vcservice.dids import DidKeyResolver, did_key_for
from vcservice.errors import InputError
from vcservice.issuing import issue_credential
from vcservice.jsonld import bundled_loader
from vcservice.keys import KeyPair, KeyType, Signer
from vcservice.securing.jose import parse_envelope
from vcservice.securing.sdjwt import (
    derive_enveloped,
    derive_vc_sd_jwt,
    envelope_sd_jwt,
    issue_vc_sd_jwt,
)
from vcservice.verify import Verifier

AT = datetime(2026, 6, 1, tzinfo=UTC)


def _signer(key_type: KeyType) -> Signer:
    key = KeyPair.from_secret(key_type, hashlib.sha256(key_type.value.encode()).digest())
    did = did_key_for(key.public)
    return Signer(key, f"{did}#{key.public.multibase}")


def _credential(signer: Signer) -> dict[str, Any]:
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://www.w3.org/ns/credentials/examples/v2",
        ],
        "type": ["VerifiableCredential", "ExampleCopperCathodeCredential"],
        "issuer": signer.controller,
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {
            "id": "urn:uuid:5c8d9a1e-2b3f-4c6d-8e9f-0a1b2c3d4e5f",
            "grade": "Cu 8.0 MIX",
            "yieldPercent": 97,
        },
    }


def _verify(value: Any) -> Any:
    return Verifier(resolver=DidKeyResolver(), loader=bundled_loader()).verify_credential(
        value, at=AT
    )


@pytest.mark.parametrize("key_type", [KeyType.ED25519, KeyType.P256])
def test_issued_derived_and_verified_with_only_the_disclosed_claims(key_type: KeyType) -> None:
    signer = _signer(key_type)
    secured = issue_credential(_credential(signer), signer, "vc+sd-jwt", loader=bundled_loader())
    media_type, token = parse_envelope(secured)
    assert media_type == "application/vc+sd-jwt"
    assert token.count("~") == 3
    full = _verify(secured)
    assert full.verified, [c.to_dict() for c in full.errors]
    assert full.document["credentialSubject"]["yieldPercent"] == 97

    derived = derive_vc_sd_jwt(token, ["/credentialSubject/grade"])
    assert derive_enveloped(secured, ["/credentialSubject/grade"])["id"].count("~") == 2
    assert derived.count("~") == 2
    for served in (derived, envelope_sd_jwt(derived)):
        report = _verify(served)
        assert report.verified, [c.to_dict() for c in report.errors]
        subject = report.document["credentialSubject"]
        assert subject["grade"] == "Cu 8.0 MIX"
        assert "yieldPercent" not in subject

    # The reference implementation's verifier accepts what our Signer signed.
    public = JWK.from_pyca(signer.key.public.key)
    checked = SDJWTVerifier(derived, lambda iss, header: public).get_verified_payload()
    assert checked["credentialSubject"]["grade"] == "Cu 8.0 MIX"


def _b64(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


def test_disclosures_that_do_not_fit_fail_and_bad_requests_are_refused() -> None:
    signer = _signer(KeyType.ED25519)
    token = issue_vc_sd_jwt(_credential(signer), signer)
    stray = token + _b64(["c2FsdA", "grade", "Cu 9.9"]) + "~"  # opens no digest
    repeated = token + token.split("~")[1] + "~"
    bound = token + token.split("~")[0]  # a key-binding JWT where none is bound
    for bad in (stray, repeated, bound):
        report = _verify(bad)
        assert "jose.disclosures" in {c.id for c in report.errors}, bad[-40:]
        assert report.document is None
    with pytest.raises(InputError, match="cannot be selectively disclosable"):
        issue_vc_sd_jwt(_credential(signer), signer, disclosable=["/issuer"])
    with pytest.raises(InputError, match="no claim at"):
        derive_vc_sd_jwt(token, ["/credentialSubject/colour"])
    with pytest.raises(InputError, match="only an application/vc\\+sd-jwt credential"):
        derive_enveloped(
            issue_credential(_credential(signer), signer, "vc+jwt", loader=bundled_loader()), []
        )
    with pytest.raises(InputError, match="need format vc\\+sd-jwt"):
        issue_credential(
            _credential(signer), signer, "vc+jwt", loader=bundled_loader(), disclosable=[]
        )
