"""Hash links: the digestMultibase rule, which bytes it covers, and reading UNTP 0.6 links.

Digests are recomputed here with an independent base58 encoder and hashlib, so a bug shared by
``digest_bytes`` and ``check_digest`` cannot make the tests agree with themselves.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import pytest
import rfc8785

from vcservice.errors import InputError
from vcservice.keys import KeyPair, KeyType, Signer
from vcservice.links import (
    Digest,
    DigestError,
    check_digest,
    check_link,
    digest_bytes,
    digest_document,
    link_digests,
    parse_digest_multibase,
    parse_hash_digest,
    served_bytes,
)
from vcservice.model._digests import multibase_problem
from vcservice.securing.jose import envelope, issue_vc_jwt

from ..conftest import UNTP, load_json

ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def b58(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    out = ""
    while number:
        number, rest = divmod(number, 58)
        out = ALPHABET[rest] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def expected(data: bytes, code: int = 0x12, fn: Any = hashlib.sha256) -> str:
    digest = fn(data).digest()
    return "z" + b58(bytes([code, len(digest)]) + digest)


CREDENTIAL: dict[str, Any] = {
    "@context": ["https://www.w3.org/ns/credentials/v2"],
    "type": ["VerifiableCredential"],
    "issuer": "did:example:mine",
    "credentialSubject": {"id": "urn:lot:1", "mass": 1.5e3, "name": "Kupfer ✓"},
}


@pytest.fixture(scope="module")
def jws() -> str:
    signer = Signer.did_key(KeyPair.generate(KeyType.ED25519))
    return issue_vc_jwt({**CREDENTIAL, "issuer": signer.controller}, signer)


# --- the rule ----------------------------------------------------------------------------------
@pytest.mark.parametrize("data", [b"", b"abc", bytes(range(256)), b"\0\0x"])
def test_digest_bytes_is_base58btc_sha2_256_multihash(data: bytes) -> None:
    assert digest_bytes(data) == expected(data)
    assert digest_bytes(data).startswith("zQm")  # 0x12 0x20 always encodes as "Qm"


def test_digest_bytes_refuses_text() -> None:
    with pytest.raises(DigestError):
        digest_bytes("abc")  # type: ignore[arg-type]


def test_json_credential_digest_covers_its_jcs_bytes() -> None:
    assert digest_document(CREDENTIAL) == expected(rfc8785.dumps(CREDENTIAL))


def test_json_digest_ignores_member_order_and_whitespace() -> None:
    reordered = json.loads(json.dumps(dict(reversed(list(CREDENTIAL.items()))), indent=4))
    assert digest_document(reordered) == digest_document(CREDENTIAL)


def test_json_digest_changes_with_any_value() -> None:
    changed = {**CREDENTIAL, "credentialSubject": {**CREDENTIAL["credentialSubject"], "mass": 1501}}
    assert digest_document(changed) != digest_document(CREDENTIAL)


def test_vc_jwt_digest_covers_the_compact_jws_bytes(jws: str) -> None:
    assert digest_document(jws) == expected(jws.encode("ascii"))


def test_enveloped_credential_digest_is_its_jws_digest(jws: str) -> None:
    wrapped = envelope(jws)
    assert digest_document(wrapped) == digest_document(jws)
    assert digest_document(wrapped["id"]) == digest_document(jws)  # the data: URL alone
    assert served_bytes(wrapped) == jws.encode("ascii")


@pytest.mark.parametrize("value", ["not a jws", "a.b", "a.b.c.d", " eyJ.eyJ.sig", [1, 2], 3, None])
def test_unusable_values_are_refused(value: Any) -> None:
    with pytest.raises(InputError):
        digest_document(value)


def test_non_json_values_are_refused() -> None:
    with pytest.raises(DigestError):
        digest_document({"n": float("nan")})


def test_bytes_are_hashed_as_they_are() -> None:
    raw = json.dumps(CREDENTIAL, indent=2).encode()
    assert digest_document(raw) == expected(raw) != digest_document(CREDENTIAL)


# --- checking ----------------------------------------------------------------------------------
def test_check_digest(jws: str) -> None:
    assert check_digest(CREDENTIAL, digest_document(CREDENTIAL))
    assert check_digest(rfc8785.dumps(CREDENTIAL), digest_document(CREDENTIAL))
    assert check_digest(envelope(jws), digest_document(jws))
    assert not check_digest(
        {**CREDENTIAL, "issuer": "did:example:other"}, digest_document(CREDENTIAL)
    )
    assert not check_digest(CREDENTIAL, digest_document(jws))


def test_check_digest_accepts_other_trusted_multihashes() -> None:
    data = rfc8785.dumps(CREDENTIAL)
    sha384 = expected(data, 0x20, hashlib.sha384)
    assert check_digest(CREDENTIAL, sha384)
    sha3 = hashlib.sha3_256(data).digest()
    u_form = "u" + base64.urlsafe_b64encode(bytes([0x16, 32]) + sha3).decode().rstrip("=")
    assert check_digest(CREDENTIAL, u_form)
    assert parse_digest_multibase(u_form).multibase == "z" + b58(bytes([0x16, 32]) + sha3)


def test_check_digest_raises_on_a_malformed_digest() -> None:
    with pytest.raises(DigestError, match="base58btc"):
        check_digest(CREDENTIAL, "abc123-example-digest-invalid")  # the UNTP schema's example


BARE = "z" + b58(hashlib.sha256(b"x").digest())
MALFORMED = {
    "not-a-string": (42, "must be a string"),
    "empty": ("", "base58btc"),
    "prefix-only": ("z", "base58btc"),
    "wrong-prefix": ("m" + "A" * 40, "base58btc"),
    "base58-invalid-char": ("zQm0OIl", "base58btc"),
    "base64url-padded": ("uEiA=", "base58btc"),
    "too-short": ("z2", "too short"),
    "bare-digest": (BARE, "bare 32-byte digest"),
    "unknown-hash": ("z" + b58(bytes([0x11, 20]) + bytes(20)), "code 0x11"),
    "declared-length": ("z" + b58(bytes([0x12, 31]) + bytes(32)), "declares 31"),
    "truncated": ("z" + b58(bytes([0x12, 32]) + bytes(31)), "carries 31"),
    "too-long-text": ("z" + "2" * 300, "characters"),
}


@pytest.mark.parametrize("name", list(MALFORMED))
def test_malformed_digest_multibase_is_explained(name: str) -> None:
    value, message = MALFORMED[name]
    with pytest.raises(DigestError, match=message):
        parse_digest_multibase(value)


def test_untp_sample_placeholder_digest_is_refused() -> None:
    """The UNTP 0.7.0 DIA sample's render template carries placeholder text as its digest."""
    sample = (
        UNTP / "untp-0.7.0-prerelease-2026-04-03/samples/dia/DigitalIdentityAnchor_instance.json"
    )
    with pytest.raises(DigestError, match="not base58btc"):
        link_digests(load_json(sample)["renderTemplate2024"])


def test_crm_sample_bare_digest_is_refused() -> None:
    """BC OrgBook's OCA bundle link (project-crm mines-act permit) carries a bare SHA-256."""
    sample = (
        UNTP
        / "critical-minerals/project-crm/credentials/copper_mine"
        / "dcc_mines_act_permit_mine ordered.json"
    )
    with pytest.raises(DigestError, match="bare 32-byte digest"):
        link_digests(load_json(sample)["renderMethod"][0])


CONSISTENCY = [
    expected(b"a"),
    expected(b"a", 0x13, hashlib.sha512),
    expected(b"a", 0x15, hashlib.sha3_384),
    *[v for v, _ in MALFORMED.values() if isinstance(v, str) and len(v) < 256],
]


@pytest.mark.parametrize("value", CONSISTENCY)
def test_agrees_with_the_data_model_well_formedness_rule(value: str) -> None:
    """model._digests checks digestMultibase shape at issuance; both agree on what is usable."""
    try:
        parse_digest_multibase(value)
        usable = True
    except DigestError:
        usable = False
    assert usable == (multibase_problem(value) is None)


# --- links -------------------------------------------------------------------------------------
def test_untp_07_link() -> None:
    digest = digest_document(CREDENTIAL)
    link = {"linkURL": "https://example.com/dpp/1", "linkName": "DPP", "digestMultibase": digest}
    assert link_digests(link) == [parse_digest_multibase(digest)]
    assert check_link(CREDENTIAL, link)
    assert not check_link({**CREDENTIAL, "id": "urn:x"}, link)


def test_untp_06_link_from_the_release_sample() -> None:
    """The shape of a 0.6.1 SecureLink: hex hashDigest + hashMethod."""
    sample = load_json(UNTP / "untp-0.6.1/untp-dpp/artefacts/untp-dpp-instance.json")
    link = _find_secure_link(sample)
    [digest] = link_digests(link)
    assert digest == Digest("sha2-256", bytes.fromhex(link["hashDigest"]), "hashDigest")


def _find_secure_link(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        if "hashDigest" in value:
            return value
        value = list(value.values())
    if isinstance(value, list):
        for item in value:
            if isinstance(item, dict | list) and (found := _find_secure_link(item)):
                return found
    return {}


def test_untp_06_link_is_checked_over_the_same_bytes() -> None:
    hex_digest = hashlib.sha256(rfc8785.dumps(CREDENTIAL)).hexdigest()
    link = {"linkURL": "https://x", "hashDigest": hex_digest.upper(), "hashMethod": "SHA-256"}
    assert check_link(CREDENTIAL, link)
    assert not check_link({**CREDENTIAL, "id": "urn:x"}, link)
    assert parse_hash_digest(hex_digest, "SHA-256").multibase == digest_document(CREDENTIAL)


def test_link_with_both_forms_must_match_both() -> None:
    good = hashlib.sha256(rfc8785.dumps(CREDENTIAL)).hexdigest()
    link = {
        "digestMultibase": digest_document(CREDENTIAL),
        "hashDigest": good,
        "hashMethod": "SHA-256",
    }
    assert check_link(CREDENTIAL, link)
    assert not check_link(CREDENTIAL, {**link, "hashDigest": "0" * 64})
    assert not check_link(CREDENTIAL, {**link, "digestMultibase": expected(b"other")})


@pytest.mark.parametrize(
    ("digest", "method", "message"),
    [
        ("a" * 40, "SHA-1", "SHA-1 is refused"),
        ("a" * 64, "MD5", "not one of"),
        ("a" * 64, None, "needs hashMethod"),
        ("a" * 63, "SHA-256", "63 hex digits"),
        ("g" * 64, "SHA-256", "hexadecimal"),
        (None, "SHA-256", "hexadecimal"),
    ],
)
def test_malformed_untp_06_digest(digest: Any, method: Any, message: str) -> None:
    link = {"hashDigest": digest, "hashMethod": method}
    with pytest.raises(DigestError, match=message):
        link_digests({k: v for k, v in link.items() if v is not None})


def test_link_without_digest_is_not_a_hash_link() -> None:
    assert link_digests({"linkURL": "https://x"}) == []
    with pytest.raises(DigestError, match="no digestMultibase"):
        check_link(CREDENTIAL, {"linkURL": "https://x"})
    with pytest.raises(DigestError, match="empty array"):
        link_digests({"digestMultibase": []})
