"""Registrations (SCITT signed statements): the round trip, every refusal, and what the
registration digest binds."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from vcservice.dids import StaticResolver, did_key_document
from vcservice.errors import ResolutionError, StatementError
from vcservice.jsonld import jcs
from vcservice.keys import KeyPair, KeyType, Signer
from vcservice.ledger.postings import MAX_AMOUNT_MG, Charge, Source
from vcservice.registry import (
    RECEIPT_PROPERTY,
    STATEMENT_CTY,
    Registration,
    read_registration,
    registration_digest,
    sign_registration,
    verify_registration,
)
from vcservice.registry.cose import CWT_CLAIMS, CWT_IAT, CWT_ISS, CWT_SUB, HEADER_CTY, sign1
from vcservice.registry.statements import MAX_DEBITS

from .pycose_shim import pycose_verifies

HOLDER = Signer.did_key(KeyPair.generate(KeyType.ED25519))
STRANGER = Signer.did_key(KeyPair.generate(KeyType.P256))
RESOLVER = StaticResolver(
    {s.controller: did_key_document(s.controller) for s in (HOLDER, STRANGER)}
)
HOME = "did:web:registry.example"
AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
DIGEST = "zQmRegistrationDigestOfTheDebitingCredential"
CHARGE = Charge(
    product="https://id.example/01/1/10/LOT",
    kind="carbonFootprint",
    amount_mg=45_000_000_000,
    sources=(Source("https://credentials.example/move", "zQmUpstream"),),
    pointer="/credentialSubject/0/movedProduct/0/product/certifiedProperty/0",
)


def _registration(**changes: Any) -> Registration:
    fields: dict[str, Any] = {
        "registry": HOME,
        "drawer": HOLDER.controller,
        "credential_id": "urn:uuid:0b7e5c4e-3c1d-4a59-9a43-3f1c0f3c4d11",
        "credential_digest": DIGEST,
        "debits": (CHARGE,),
    }
    return Registration(**(fields | changes))


def _statement(
    payload: Any,
    *,
    signer: Signer = HOLDER,
    cty: Any = STATEMENT_CTY,
    iss: Any = HOLDER.controller,
    sub: Any = DIGEST,
    raw: bytes | None = None,
) -> bytes:
    """A COSE_Sign1 with any payload and claims (sign_registration would refuse most)."""
    claims = {CWT_ISS: iss, CWT_SUB: sub, CWT_IAT: int(AT.timestamp())}
    protected = {HEADER_CTY: cty, CWT_CLAIMS: claims}
    return sign1(protected, raw if raw is not None else jcs(payload), signer)


def _payload(**changes: Any) -> dict[str, Any]:
    return _registration().payload() | changes


def _debit(**changes: Any) -> dict[str, Any]:
    debit: dict[str, Any] = _registration().payload()["debits"][0]
    return debit | changes


def _refused(statement: bytes, detail: str) -> None:
    with pytest.raises(StatementError, match=detail) as caught:
        read_registration(statement)
    assert caught.value.slug == "registry.statement"


# --- the round trip ---------------------------------------------------------------------------


@pytest.mark.parametrize("key_type", list(KeyType), ids=str)
def test_round_trip(key_type: KeyType) -> None:
    holder = Signer.did_key(KeyPair.generate(key_type))
    resolver = StaticResolver({holder.controller: did_key_document(holder.controller)})
    registration = _registration(
        drawer=holder.controller,
        debits=(CHARGE, Charge(None, "recycledContent", 1, CHARGE.sources * 2, "")),
    )
    statement = sign_registration(registration, holder, AT)
    message, read = read_registration(statement)
    assert read == registration
    assert message.kid == holder.verification_method
    assert message.claims == {
        CWT_ISS: holder.controller,
        CWT_SUB: DIGEST,
        CWT_IAT: int(AT.timestamp()),
    }
    assert message.payload == jcs(registration.payload())
    verify_registration(message, resolver)
    assert pycose_verifies(statement, holder.key.public)


def test_payload_shape() -> None:
    assert _registration().payload() == {
        "type": "CreditDebitRegistration",
        "registry": HOME,
        "issuer": HOLDER.controller,
        "credentialId": "urn:uuid:0b7e5c4e-3c1d-4a59-9a43-3f1c0f3c4d11",
        "credentialDigest": DIGEST,
        "debits": [
            {
                "sources": [{"url": "https://credentials.example/move", "digest": "zQmUpstream"}],
                "product": CHARGE.product,
                "propertyKind": "carbonFootprint",
                "amountMg": "45000000000",
                "pointer": CHARGE.pointer,
            }
        ],
    }


def test_a_pointer_may_be_left_out() -> None:
    debit = _debit()
    del debit["pointer"]
    _, read = read_registration(_statement(_payload(debits=[debit])))
    assert read.debits[0].pointer == ""


def test_sign_registration_refuses_another_signer() -> None:
    with pytest.raises(StatementError, match="not by the drawer"):
        sign_registration(_registration(), STRANGER, AT)


# --- refusals ---------------------------------------------------------------------------------


def test_not_a_statement() -> None:
    _refused(b"not COSE", "not a COSE_Sign1")
    _refused(jcs(_payload()), "not a COSE_Sign1")


@pytest.mark.parametrize("cty", ["application/json", None, 50, STATEMENT_CTY + ";x"], ids=repr)
def test_wrong_content_type(cty: Any) -> None:
    _refused(_statement(_payload(), cty=cty), "content type is not")


def test_payload_not_json() -> None:
    _refused(_statement(None, raw=b"{not json"), "payload is not JSON")
    _refused(_statement(None, raw=b""), "payload is not JSON")


@pytest.mark.parametrize(
    "payload",
    [[], "registration", {**_registration().payload(), "type": "Other"}, {}],
    ids=["array", "text", "other type", "empty"],
)
def test_payload_not_a_registration(payload: Any) -> None:
    _refused(_statement(payload), "payload is a CreditDebitRegistration object")


@pytest.mark.parametrize(
    "iss",
    [STRANGER.controller, None, "", HOLDER.verification_method],
    ids=["stranger", "none", "empty", "a DID URL"],  # fixed ids: xdist workers must agree
)
def test_iss_is_not_the_issuer(iss: Any) -> None:
    _refused(_statement(_payload(), iss=iss), "must all name the drawer")


def test_issuer_is_not_the_signer() -> None:
    payload = _payload(issuer=STRANGER.controller)
    _refused(_statement(payload, iss=STRANGER.controller), "must all name the drawer")


def test_kid_of_another_did() -> None:
    _refused(_statement(_payload(), signer=STRANGER), "must all name the drawer")


@pytest.mark.parametrize("sub", ["zQmAnother", None, 7], ids=repr)
def test_sub_is_not_the_credential_digest(sub: Any) -> None:
    _refused(_statement(_payload(), sub=sub), "sub is not its credentialDigest")


@pytest.mark.parametrize(
    "amount",
    [
        "0",
        "-1",
        "1e3",
        "1.5",
        " 1",
        "+1",
        "",
        "١٢",  # Arabic-Indic digits: str.isdigit, but not ASCII
        str(MAX_AMOUNT_MG + 1),
        "9" * 20,
        "0" * 19 + "1",
        1000,
        1.0,
        None,
        ["1"],
        True,
    ],
    ids=repr,
)
def test_bad_amounts(amount: Any) -> None:
    _refused(_statement(_payload(debits=[_debit(amountMg=amount)])), r"debits\[0\]\.amountMg")


def test_amount_bounds() -> None:
    for amount in ("1", str(MAX_AMOUNT_MG), "0000000000000000001"):
        _, read = read_registration(_statement(_payload(debits=[_debit(amountMg=amount)])))
        assert read.debits[0].amount_mg == int(amount)


@pytest.mark.parametrize(
    "debits",
    [[], None, "debits", {"0": {}}, [_debit()] * (MAX_DEBITS + 1)],
    ids=["none", "null", "text", "object", "too many"],
)
def test_number_of_debits(debits: Any) -> None:
    _refused(_statement(_payload(debits=debits)), f"names 1 to {MAX_DEBITS} debits")


def test_the_most_debits() -> None:
    _, read = read_registration(_statement(_payload(debits=[_debit()] * MAX_DEBITS)))
    assert len(read.debits) == MAX_DEBITS


def test_missing_debits() -> None:
    payload = _payload()
    del payload["debits"]
    _refused(_statement(payload), "names 1 to")


@pytest.mark.parametrize(
    ("sources", "detail"),
    [
        ([], r"debits\[1\]\.sources lists 1 to 64"),
        (None, r"debits\[1\]\.sources lists 1 to 64"),
        ({"url": "u", "digest": "d"}, r"debits\[1\]\.sources lists 1 to 64"),
        ([{"url": "u", "digest": "d"}] * 65, r"debits\[1\]\.sources lists 1 to 64"),
        (["https://x.example"], r"debits\[1\]\.sources holds \{url, digest\} objects"),
        ([{"url": "u"}], "digest is text"),
        ([{"digest": "d"}], "url is text"),
        ([{"url": "", "digest": "d"}], "url is text"),
        ([{"url": "u", "digest": 5}], "digest is text"),
        ([{"url": "u", "digest": "d" * 257}], "digest is text of 1 to 256"),
        ([{"url": "u" * 2049, "digest": "d"}], "url is text of 1 to 2048"),
    ],
)
def test_malformed_sources(sources: Any, detail: str) -> None:
    debits = [_debit(), _debit(sources=sources)]
    _refused(_statement(_payload(debits=debits)), detail)


@pytest.mark.parametrize(
    ("change", "detail"),
    [
        ({"product": ""}, r"debits\[0\]\.product is null or text"),
        ({"product": 7}, r"debits\[0\]\.product is null or text"),
        ({"product": "p" * 2049}, r"debits\[0\]\.product is null or text"),
        ({"propertyKind": ""}, "propertyKind is text"),
        ({"propertyKind": None}, "propertyKind is text"),
        ({"propertyKind": "k" * 65}, "propertyKind is text of 1 to 64"),
        ({"pointer": 3}, r"debits\[0\]\.pointer is text"),
        ({"pointer": "/" * 2049}, r"debits\[0\]\.pointer is text"),
    ],
)
def test_malformed_debit_fields(change: dict[str, Any], detail: str) -> None:
    _refused(_statement(_payload(debits=[_debit(**change)])), detail)


def test_a_debit_is_an_object() -> None:
    _refused(_statement(_payload(debits=[_debit(), "debit"])), r"debits\[1\] is an object")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("registry", None),
        ("registry", ""),
        ("issuer", 5),
        ("credentialId", ""),
        ("credentialId", "u" * 2049),
        ("credentialDigest", None),
        ("credentialDigest", "z" * 257),
    ],
)
def test_malformed_fields(field: str, value: Any) -> None:
    sub = value if field == "credentialDigest" else DIGEST
    _refused(_statement(_payload(**{field: value}), sub=sub), f"{field} is text of 1 to")


def test_signature_by_another_key() -> None:
    impostor = Signer(KeyPair.generate(KeyType.ED25519), HOLDER.verification_method)
    message, _ = read_registration(sign_registration(_registration(), impostor, AT))
    with pytest.raises(StatementError, match="signature does not verify"):
        verify_registration(message, RESOLVER)


def test_signature_of_another_alg() -> None:
    """The holder's kid, but a P-256 signature: the alg is not the key's."""
    impostor = Signer(KeyPair.generate(KeyType.P256), HOLDER.verification_method)
    message, _ = read_registration(sign_registration(_registration(), impostor, AT))
    with pytest.raises(StatementError, match="signature does not verify"):
        verify_registration(message, RESOLVER)


def test_a_kid_the_did_does_not_list() -> None:
    unlisted = Signer(HOLDER.key, HOLDER.controller + "#key-9")
    message, _ = read_registration(sign_registration(_registration(), unlisted, AT))
    with pytest.raises(StatementError, match=r"the registration's key: .*not found"):
        verify_registration(message, RESOLVER)


def test_an_unresolvable_drawer_is_not_called_a_forgery() -> None:
    message, _ = read_registration(sign_registration(_registration(), HOLDER, AT))
    with pytest.raises(ResolutionError):
        verify_registration(message, StaticResolver({}))


# --- the registration digest ------------------------------------------------------------------


def _credential() -> dict[str, Any]:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": "urn:uuid:0b7e5c4e-3c1d-4a59-9a43-3f1c0f3c4d11",
        "type": ["VerifiableCredential", "DigitalTraceabilityEvent"],
        "issuer": HOLDER.controller,
        "validFrom": "2026-01-15T00:00:00Z",
        "credentialSubject": [
            {"type": ["MoveEvent"], "id": "urn:event:1", "quantity": 45},
            {"type": ["MakeEvent"], "id": "urn:event:2", "creditRegistry": {"id": HOME}},
        ],
    }


def _set(path: tuple[Any, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        target: Any = document
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value

    return change


UNBOUND = {
    "proof": _set(("proof",), {"type": "DataIntegrityProof", "proofValue": "z1"}),
    "credentialStatus": _set(("credentialStatus",), [{"type": "BitstringStatusListEntry"}]),
    "creditReceipt of an event": _set(("credentialSubject", 0, RECEIPT_PROPERTY), ["uAAA"]),
    "creditReceipt of each event": lambda d: [
        s.setdefault(RECEIPT_PROPERTY, ["uBBB"]) for s in d["credentialSubject"]
    ],
}
BOUND = {
    "id": _set(("id",), "urn:uuid:another"),
    "issuer": _set(("issuer",), STRANGER.controller),
    "validFrom": _set(("validFrom",), "2026-01-16T00:00:00Z"),
    "type": _set(("type",), ["VerifiableCredential"]),
    "an event's field": _set(("credentialSubject", 0, "quantity"), 46),
    "an event's home": _set(("credentialSubject", 1, "creditRegistry", "id"), "did:web:x"),
    "an added event": lambda d: d["credentialSubject"].append({"id": "urn:event:3"}),
    "a creditReceipt not on an event": _set(("creditReceipt",), ["uAAA"]),
    "a receipt nested deeper": _set(
        ("credentialSubject", 1, "creditRegistry", RECEIPT_PROPERTY), 1
    ),
    "a top-level field": _set(("name",), "Shipping"),
}


@pytest.mark.parametrize("change", list(UNBOUND.values()), ids=list(UNBOUND))
def test_registration_digest_ignores(change: Callable[[dict[str, Any]], Any]) -> None:
    document = _credential()
    changed = copy.deepcopy(document)
    change(changed)
    assert changed != document
    assert registration_digest(changed) == registration_digest(document)


@pytest.mark.parametrize("change", list(BOUND.values()), ids=list(BOUND))
def test_registration_digest_binds(change: Callable[[dict[str, Any]], Any]) -> None:
    document = _credential()
    changed = copy.deepcopy(document)
    change(changed)
    assert registration_digest(changed) != registration_digest(document)


def test_registration_digest_of_a_single_subject() -> None:
    document = _credential()
    document["credentialSubject"] = document["credentialSubject"][0]
    with_receipt = copy.deepcopy(document)
    with_receipt["credentialSubject"][RECEIPT_PROPERTY] = ["uAAA"]
    assert registration_digest(with_receipt) == registration_digest(document)
    with_receipt["credentialSubject"]["quantity"] = 1
    assert registration_digest(with_receipt) != registration_digest(document)


def test_registration_digest_leaves_the_document_alone() -> None:
    document = _credential()
    document["proof"] = {"type": "DataIntegrityProof"}
    document["credentialSubject"][0][RECEIPT_PROPERTY] = ["uAAA"]
    before = copy.deepcopy(document)
    digest = registration_digest(document)
    assert document == before
    assert digest.startswith("z")
    odd = {"credentialSubject": ["not an event", 3, None]}
    assert registration_digest(odd) == registration_digest(copy.deepcopy(odd))
