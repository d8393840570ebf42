"""The hash-link rule for derived credentials (docs/hash-links.md, "Derived credentials"): a
pinned link served a derived credential is ``links.derived``, indeterminate, never a pass."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from tests.graph.test_walk import BASE, SIGNER, credential, ids, link, verify
from vcservice.dids import did_key_for
from vcservice.graph._derived import derived_form
from vcservice.issuing import issue_credential
from vcservice.jsonld import bundled_loader
from vcservice.keys import KeyPair, KeyType, Signer
from vcservice.securing.jose import parse_envelope
from vcservice.securing.sdjwt import derive_vc_sd_jwt, envelope_sd_jwt
from vcservice.securing.suites.ecdsa_sd_2023 import derive_proof


def test_a_link_served_a_derived_sd_jwt_is_indeterminate_and_vouches_for_nothing() -> None:
    base = credential("ore", [], "vc+sd-jwt")
    token = parse_envelope(base)[1]
    derived = envelope_sd_jwt(derive_vc_sd_jwt(token, ["/credentialSubject/name"]))
    top = credential("cathode", [link(BASE + "ore", base)])

    whole = verify({BASE + "ore": base, BASE + "cathode": top}, BASE + "cathode")
    assert [e.digest for e in whole.edges] == ["passed"]
    assert whole.verified, [c.to_dict() for c in whole.errors]

    report = verify({BASE + "ore": derived, BASE + "cathode": top}, BASE + "cathode")
    assert [e.digest for e in report.edges] == ["derived"]
    assert "links.derived" in ids(report, "indeterminate")
    assert "links.digest" not in ids(report) | ids(report, "passed")
    assert not report.verified
    assert not report.nodes[BASE + "ore"].reached
    assert report.nodes[BASE + "ore"].valid  # the issuer did sign what it discloses


def _multibase(header: bytes) -> str:
    return "u" + base64.urlsafe_b64encode(header + b"\x85").rstrip(b"=").decode()


def test_derived_forms_are_told_from_base_ones_and_from_a_changed_credential() -> None:
    base = credential("ore", [], "vc+sd-jwt")
    token = parse_envelope(base)[1]
    assert derived_form(base) is None  # every disclosure: the issuance itself
    assert (
        derived_form(derive_vc_sd_jwt(token, [])) == "an SD-JWT with 2 digest(s) left undisclosed"
    )
    signed = credential("plain", [], "vc+jwt")
    assert derived_form(signed) is None  # a changed vc+jwt stays a digest mismatch

    def ecdsa_sd(header: bytes) -> dict[str, Any]:
        proof = {"cryptosuite": "ecdsa-sd-2023", "proofValue": _multibase(header)}
        return {"issuer": SIGNER.controller, "proof": proof}

    assert derived_form(ecdsa_sd(b"\xd9\x5d\x01")) == (
        "an ecdsa-sd-2023 credential with a derived proof"
    )
    assert derived_form(ecdsa_sd(b"\xd9\x5d\x00")) is None


def test_a_link_served_an_ecdsa_sd_2023_derived_credential_is_indeterminate() -> None:
    key = KeyPair.from_secret(KeyType.P256, hashlib.sha256(b"derived-links").digest())
    signer = Signer(key, f"{did_key_for(key.public)}#{key.public.multibase}")
    document = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "id": "urn:example:ore",
        "issuer": signer.controller,
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": "https://example.org/products/ore", "name": "ore"},
    }
    loader = bundled_loader()
    base = issue_credential(document, signer, "ecdsa-sd-2023", loader=loader)
    derived = derive_proof(base, ["/credentialSubject/name"], loader)
    top = credential("cathode", [link(BASE + "ore", base)])
    report = verify({BASE + "ore": derived, BASE + "cathode": top}, BASE + "cathode")
    assert [e.digest for e in report.edges] == ["derived"]
    assert "links.derived" in ids(report, "indeterminate")
    assert not report.verified
