"""The federated credit registry over HTTP: discovery, local registration inside issuing,
registrations by a holder on another platform (``POST /registry/entries``) and witnessing
(``POST /registry/witness``)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient

from vcservice.api import create_app
from vcservice.dids import StaticResolver
from vcservice.jsonld import jcs
from vcservice.keys import KeyPair, KeyType, Signer
from vcservice.ledger import Checkpoint, merkle, sign_checkpoint
from vcservice.ledger.postings import Charge, Source
from vcservice.links import digest_document
from vcservice.registry import (
    RECEIPT_PROPERTY,
    STATEMENT_CTY,
    Receipt,
    Registration,
    decode_receipt_text,
    read_receipt,
    registration_digest,
    sign_registration,
    verify_cosignature,
    verify_receipt,
)
from vcservice.registry.cose import CWT_CLAIMS, CWT_IAT, CWT_ISS, CWT_SUB, HEADER_CTY, sign1
from vcservice.service import Service

from ..ledger.events import CATHODE, certified, link, make_event, move_event, product
from .conftest import PUBLIC_URL, auth
from .test_schemathesis import CHECKS

PROBLEMS = "https://vcservice.dev/problems/"
COSE = "application/cose"
MAKE_URL = "https://credentials.smelter.example/make"
MOVE_URL = "https://credentials.smelter.example/move"
TONNE = 1_000_000_000  # milligrams
AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
HOME = {"id": "did:web:localhost%3A8000", "serviceEndpoint": PUBLIC_URL + "/registry"}


def _issue(client: TestClient, key: str, credential: dict[str, Any]) -> dict[str, Any]:
    response = client.post(
        "/credentials/issue",
        json={"credential": credential, "options": {"format": "eddsa-jcs-2022"}},
        headers=auth(key),
    )
    assert response.status_code == 201, response.text
    issued: dict[str, Any] = response.json()["verifiableCredential"]
    return issued


def _service_resolver(client: TestClient) -> StaticResolver:
    """A resolver that knows only the service's DID document, as served."""
    document = client.get("/.well-known/did.json").json()
    return StaticResolver({document["id"]: document})


def _receipt(client: TestClient, data: bytes) -> Receipt:
    receipt = read_receipt(data)
    verify_receipt(receipt, _service_resolver(client))
    return receipt


def _problem(response: Any, status: int, slug: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem: dict[str, Any] = response.json()
    assert problem["type"] == PROBLEMS + slug, problem
    return problem


def test_transparency_configuration(client: TestClient, service: Service) -> None:
    response = client.get("/.well-known/transparency-configuration")
    assert response.status_code == 200, response.text
    assert response.json() == {
        "issuer": service.service_did,
        "registrationEndpoint": PUBLIC_URL + "/registry/entries",
        "witnessEndpoint": PUBLIC_URL + "/registry/witness",
        "verifiableDataStructure": "RFC9162_SHA256",
        "statementContentType": STATEMENT_CTY,
        "receiptContentType": COSE,
        "witnessEndpoints": [],
    }
    assert service.service_did == HOME["id"]


# --- the credits of a holder the test holds the key of ----------------------------------------


@dataclass
class Holding:
    """``holder`` (a did:key tenant whose key the test holds) holds 45 t of credit of the
    move ``moved`` (digest ``digest``) from ``smelter``, drawn on ``made``."""

    smelter: str
    made: dict[str, Any]
    moved: dict[str, Any]
    digest: str
    holder: Signer


@pytest.fixture
def holding(client: TestClient, service: Service) -> Holding:
    smelter = service.create_tenant("smelter")["api_key"]
    pair = KeyPair.generate(KeyType.ED25519)
    mill = service.create_tenant("mill", did_method="key", key=pair)
    holder = Signer.did_key(pair)
    assert mill["did"] == holder.controller
    made = _issue(client, smelter, make_event([product(CATHODE, [certified(45)])]))
    source = [link(MAKE_URL, digest_document(made))]
    moved = _issue(
        client,
        smelter,
        move_event(product(CATHODE, [certified(45, source=source)]), consignee=mill["did"]),
    )
    return Holding(smelter, made, moved, digest_document(moved), holder)


def test_issuing_names_the_home_and_carries_a_local_receipt(
    client: TestClient, service: Service, holding: Holding
) -> None:
    made_event = holding.made["credentialSubject"][0]
    assert made_event["creditRegistry"] == HOME
    assert RECEIPT_PROPERTY not in made_event  # its debit is an origin: no account drawn on

    move_event_ = holding.moved["credentialSubject"][0]
    assert move_event_["creditRegistry"] == HOME  # it opens the holder's credits
    [text] = move_event_[RECEIPT_PROPERTY]
    receipt = _receipt(client, decode_receipt_text(text))
    assert receipt.registry == service.service_did
    assert receipt.kid.startswith(service.service_did + "#")
    [proven] = receipt.entries
    assert proven.content["kind"] == "debit"
    assert proven.content["account"] == {
        "credentialDigest": digest_document(holding.made),
        "product": CATHODE,
        "propertyKind": "carbonFootprint",
        "holder": service.tenant_did("smelter"),
    }
    assert proven.content["amountMg"] == str(45 * TONNE)
    assert proven.content["credentialId"] == holding.moved["id"]
    # The registration digest of the credential as issued (proof, receipts left out).
    assert proven.content["credentialDigest"] == registration_digest(holding.moved)
    # The receipt's tree is the ledger's, before the move's own credit was posted: its root
    # is the one the ledger proves at that size, in a checkpoint it signed then.
    assert client.get("/ledger/checkpoint").json()["count"] == receipt.tree_size + 1
    proof = client.get(
        f"/ledger/entries/{proven.seq}", params={"treeSize": receipt.tree_size}
    ).json()
    assert proof["entryHash"] == proven.entry_hash
    assert proof["rootHash"] == receipt.root.hex()
    assert proof["checkpoint"] is not None
    # What the receipt shows is what the ledger holds.
    assert client.get(f"/registry/entries/{registration_digest(holding.moved)}").content == (
        decode_receipt_text(text)
    )


# --- registrations by the holder --------------------------------------------------------------


def _downstream(holding: Holding, tonnes: float, ident: str) -> dict[str, Any]:
    """The holder's credential on another platform drawing ``tonnes`` on the move."""
    source = [link(MOVE_URL, holding.digest)]
    document = move_event(
        product(CATHODE, [certified(tonnes, source=source)]), consignee="https://buyer.example"
    )
    return document | {"id": ident, "issuer": holding.holder.controller}


def _registration(
    holding: Holding,
    tonnes: float = 10,
    *,
    ident: str = "urn:uuid:5d3c1a4e-0000-4000-8000-000000000001",
    registry: str = HOME["id"],
    drawer: str | None = None,
    digest: str | None = None,
) -> Registration:
    document = _downstream(holding, tonnes, ident)
    charge = Charge(
        product=CATHODE,
        kind="carbonFootprint",
        amount_mg=int(tonnes * TONNE),
        sources=(Source(MOVE_URL, digest or holding.digest),),
        pointer="/credentialSubject/0/movedProduct/0/product/certifiedProperty/0",
    )
    return Registration(
        registry,
        drawer or holding.holder.controller,
        ident,
        registration_digest(document),
        (charge,),
    )


def _post(client: TestClient, statement: bytes, content_type: str = COSE) -> Any:
    return client.post(
        "/registry/entries", content=statement, headers={"Content-Type": content_type}
    )


def _spent(client: TestClient, digest: str) -> Any:
    salt = bytes.fromhex(client.get("/ledger/spent").json()["salt"])
    key = hashlib.sha256(salt + digest.encode()).hexdigest()
    response = client.get("/ledger/spent", params={"digest": key})
    assert response.status_code == 200, response.text
    return response.json()


def test_a_holder_registers_a_debit(client: TestClient, service: Service, holding: Holding) -> None:
    assert _spent(client, holding.digest) == {"spent": False, "fullySpent": False}
    registration = _registration(holding)
    statement = sign_registration(registration, holding.holder, AT)

    created = _post(client, statement)
    assert created.status_code == 201, created.text
    assert created.headers["content-type"] == COSE
    location = created.headers["location"]
    assert location == f"{PUBLIC_URL}/registry/entries/{registration.credential_digest}"
    receipt = _receipt(client, created.content)
    assert receipt.registry == service.service_did
    [proven] = receipt.entries
    assert proven.content["kind"] == "debit"
    assert proven.content["account"] == {
        "credentialDigest": holding.digest,
        "product": CATHODE,
        "propertyKind": "carbonFootprint",
        "holder": holding.holder.controller,
    }
    assert proven.content["amountMg"] == str(10 * TONNE)
    assert proven.content["credentialId"] == registration.credential_id
    assert proven.content["credentialDigest"] == registration.credential_digest
    assert "tenant" not in proven.content  # no tenant of this service made it
    assert receipt.tree_size == client.get("/ledger/checkpoint").json()["count"]

    again = _post(client, statement)
    assert again.status_code == 200, again.text
    assert again.headers["content-type"] == COSE
    assert again.content == created.content
    # A statement signed later for the same registration is the same registration.
    later = sign_registration(registration, holding.holder, datetime(2026, 4, 1, tzinfo=UTC))
    assert _post(client, later).content == created.content

    fetched = client.get(location.removeprefix(PUBLIC_URL))
    assert fetched.status_code == 200, fetched.text
    assert fetched.headers["content-type"] == COSE
    assert fetched.content == created.content

    assert _spent(client, holding.digest) == {"spent": True, "fullySpent": False}
    # The rest of the credit, by another credential of the holder: fully spent.
    rest = _registration(holding, 35, ident="urn:uuid:5d3c1a4e-0000-4000-8000-000000000002")
    assert _post(client, sign_registration(rest, holding.holder, AT)).status_code == 201
    assert _spent(client, holding.digest) == {"spent": True, "fullySpent": True}


def test_refused_registrations(client: TestClient, service: Service, holding: Holding) -> None:
    holder = holding.holder
    entries = client.get("/ledger/checkpoint").json()["count"]

    problem = _problem(_post(client, b"not a COSE message"), 400, "registry.statement")
    assert "not a COSE_Sign1" in problem["detail"]

    statement = sign_registration(_registration(holding), holder, AT)
    for media_type in ("application/json", "application/octet-stream", "text/plain"):
        wrong_type = _post(client, statement, media_type)
        problem = _problem(wrong_type, 415, "http-415")
        assert "application/cose" in problem["detail"]

    elsewhere = _registration(holding, registry="did:web:registry.example")
    problem = _problem(
        _post(client, sign_registration(elsewhere, holder, AT)), 400, "registry.statement"
    )
    assert "addressed to did:web:registry.example" in problem["detail"]

    impostor = Signer(KeyPair.generate(KeyType.ED25519), holder.verification_method)
    problem = _problem(
        _post(client, sign_registration(_registration(holding), impostor, AT)),
        400,
        "registry.statement",
    )
    assert "does not verify" in problem["detail"]

    # A stranger's statement naming the holder as the drawer: the kid is not the drawer's.
    stranger = Signer.did_key(KeyPair.generate(KeyType.ED25519))
    registration = _registration(holding)
    claims = {CWT_ISS: holder.controller, CWT_SUB: registration.credential_digest, CWT_IAT: 1}
    forged = sign1(
        {HEADER_CTY: STATEMENT_CTY, CWT_CLAIMS: claims}, jcs(registration.payload()), stranger
    )
    problem = _problem(_post(client, forged), 400, "registry.statement")
    assert "must all name the drawer" in problem["detail"]

    # The stranger's own statement, well signed, drawing on credit it does not hold.
    as_stranger = _registration(holding, drawer=stranger.controller)
    problem = _problem(
        _post(client, sign_registration(as_stranger, stranger, AT)), 409, "ledger.not-holder"
    )
    assert stranger.controller in problem["detail"]

    over = _registration(holding, 46, ident="urn:uuid:5d3c1a4e-0000-4000-8000-0000000000aa")
    problem = _problem(
        _post(client, sign_registration(over, holder, AT)), 409, "ledger.insufficient-credit"
    )
    assert "45000 kg" in problem["detail"]

    unknown = _registration(holding, digest="zQmNoSuchCredentialHere")
    problem = _problem(
        _post(client, sign_registration(unknown, holder, AT)), 409, "registry.not-home"
    )
    assert "zQmNoSuchCredentialHere" in problem["detail"]

    # Nothing was written by any of them.
    assert client.get("/ledger/checkpoint").json()["count"] == entries
    assert _spent(client, holding.digest) == {"spent": False, "fullySpent": False}
    missing = client.get(f"/registry/entries/{registration_digest(holding.made)}")
    _problem(missing, 404, "not-found")


def test_a_credential_registers_once(client: TestClient, holding: Holding) -> None:
    first = _registration(holding, 10)
    assert _post(client, sign_registration(first, holding.holder, AT)).status_code == 201
    # The same credential id and issuer, other debits (a re-issued credential).
    other = _registration(holding, 20)
    problem = _problem(
        _post(client, sign_registration(other, holding.holder, AT)), 409, "ledger.already-posted"
    )
    assert "registered other debits" in problem["detail"]


def test_the_smelter_cannot_draw_on_the_holders_credit(
    client: TestClient, service: Service, holding: Holding
) -> None:
    """The smelter (a tenant here) issuing a credential that draws on the move it sent away:
    the local registration is refused like any debit by a non-holder."""
    source = [link(MOVE_URL, holding.digest)]
    response = client.post(
        "/credentials/issue",
        json={
            "credential": move_event(product(CATHODE, [certified(1, source=source)])),
            "options": {"format": "eddsa-jcs-2022"},
        },
        headers=auth(holding.smelter),
    )
    _problem(response, 409, "ledger.not-holder")


# --- witnessing -------------------------------------------------------------------------------

LOG = Signer.did_key(KeyPair.generate(KeyType.ED25519))
LEAVES = [merkle.leaf_hash(f"entry {i}".encode()) for i in range(20)]
FORK = LEAVES[:3] + [merkle.leaf_hash(f"forked {i}".encode()) for i in range(17)]


def _checkpoint(size: int, leaves: list[bytes] = LEAVES, signer: Signer = LOG) -> str:
    checkpoint = Checkpoint(
        issuer=signer.controller,
        count=size,
        head_hash="ab" * 32,
        root_hash=merkle.root(leaves[:size]).hex(),
        issued_at="2026-03-01T12:00:00Z",
    )
    return sign_checkpoint(checkpoint, signer)


def _witness(
    client: TestClient, old: int, new: int, leaves: list[bytes] = LEAVES, **body: Any
) -> Any:
    proof = merkle.consistency_proof(leaves, old, new) if 0 < old < new else []
    request = {"old": old, "consistency": [h.hex() for h in proof], "checkpoint": ""} | body
    if not request["checkpoint"]:
        request["checkpoint"] = _checkpoint(new, leaves)
    return client.post("/registry/witness", json=request)


def test_witnessing(client: TestClient, service: Service) -> None:
    first = _witness(client, 0, 4)
    assert first.status_code == 200, first.text
    cosignature = verify_cosignature(first.json()["cosignature"], _service_resolver(client))
    assert (cosignature.witness, cosignature.log, cosignature.count) == (
        service.service_did,
        LOG.controller,
        4,
    )
    assert cosignature.root_hash == merkle.root(LEAVES[:4]).hex()

    stale = _problem(_witness(client, 0, 6), 409, "registry.witness-stale")
    assert stale["knownSize"] == 4
    stale = _problem(_witness(client, 5, 6), 409, "registry.witness-stale")
    assert stale["knownSize"] == 4

    same = _witness(client, 4, 4)
    assert same.status_code == 200, same.text
    grown = _witness(client, 4, 9)
    assert grown.status_code == 200, grown.text
    assert verify_cosignature(grown.json()["cosignature"], _service_resolver(client)).count == 9
    _problem(_witness(client, 9, 5), 400, "ledger.consistency")  # smaller than the one seen

    state = client.get("/registry/witness").json()
    assert state["witness"] == service.service_did
    assert state["equivocations"] == []
    [witnessed] = state["logs"]
    assert witnessed["log"] == LOG.controller
    assert witnessed["count"] == 9
    seen = witnessed["checkpoint"]

    # The log shows another history past entry 3: caught, answered 409, kept as evidence.
    forked = _checkpoint(12, FORK)
    problem = _problem(
        _witness(client, 9, 12, FORK, checkpoint=forked), 409, "registry.equivocation"
    )
    assert "does not extend" in problem["detail"]
    same_size = _checkpoint(9, FORK)
    _problem(_witness(client, 9, 9, FORK, checkpoint=same_size), 409, "registry.equivocation")

    state = client.get("/registry/witness").json()
    assert [e["log"] for e in state["equivocations"]] == [LOG.controller] * 2
    assert [(e["first"], e["second"]) for e in state["equivocations"]] == [
        (seen, forked),
        (seen, same_size),
    ]
    assert "two roots for 9 entries" in state["equivocations"][1]["detail"]
    # What was cosigned is unchanged: the true history.
    assert [(w["count"], w["checkpoint"]) for w in state["logs"]] == [(9, seen)]
    assert _witness(client, 9, 15).status_code == 200


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"old": 0, "consistency": [], "checkpoint": "not.a.checkpoint"}, 400),
        ({"old": 0, "consistency": [], "checkpoint": "no checkpoint"}, 400),
        ({"old": 0, "consistency": [], "checkpoint": ""}, 400),
        ({"old": -1, "consistency": [], "checkpoint": "a.b.c"}, 422),
        ({"old": 0, "consistency": ["xyz"], "checkpoint": "a.b.c"}, 422),
        ({"old": 0, "checkpoint": "a.b.c"}, 422),
        ({"old": 0, "consistency": [], "checkpoint": "a.b.c", "extra": 1}, 422),
    ],
)
def test_malformed_witness_requests(client: TestClient, body: dict[str, Any], status: int) -> None:
    response = client.post("/registry/witness", json=body)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"


def test_a_checkpoint_not_signed_by_its_log(client: TestClient) -> None:
    impostor = Signer(KeyPair.generate(KeyType.ED25519), LOG.verification_method)
    _problem(
        _witness(client, 0, 4, checkpoint=_checkpoint(4, signer=impostor)),
        400,
        "ledger.checkpoint",
    )
    # Signed by a key of another DID than the checkpoint's iss.
    other = Signer.did_key(KeyPair.generate(KeyType.ED25519))
    checkpoint = Checkpoint(LOG.controller, 4, "ab" * 32, merkle.root(LEAVES[:4]).hex(), "x")
    problem = _problem(
        _witness(client, 0, 4, checkpoint=sign_checkpoint(checkpoint, other)),
        400,
        "ledger.checkpoint",
    )
    assert "kid is not a key of its iss" in problem["detail"]
    assert client.get("/registry/witness").json()["logs"] == []


def test_registration_statement_bytes_are_not_json(client: TestClient) -> None:
    """The statement's payload is the registration's RFC 8785 JSON; the body is COSE, so a
    JSON body, even one with the COSE content type, is no statement."""
    body = jcs({"type": "CreditDebitRegistration"})
    _problem(_post(client, body), 400, "registry.statement")


def test_real_registry_resources_conform_to_the_openapi_document(
    service: Service, holding: Holding
) -> None:
    """The success and refusal paths schemathesis's random input never reaches."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(service=service))
    entries = schema["/registry/entries"]["POST"]
    receipt = schema["/registry/entries/{digest}"]["GET"]
    witness = schema["/registry/witness"]["POST"]
    cose = {"Content-Type": COSE}
    registration = _registration(holding)
    statement = sign_registration(registration, holding.holder, AT)
    over = _registration(holding, 99, ident="urn:uuid:5d3c1a4e-0000-4000-8000-0000000000bb")
    elsewhere = _registration(holding, registry="did:web:registry.example")
    first: dict[str, Any] = {"old": 0, "consistency": [], "checkpoint": _checkpoint(4)}
    cases = [
        (schema["/.well-known/transparency-configuration"]["GET"].Case(), 200),
        (entries.Case(body=statement, headers=cose), 201),
        (entries.Case(body=statement, headers=cose), 200),
        (entries.Case(body=b"not COSE", headers=cose), 400),
        (entries.Case(body=sign_registration(elsewhere, holding.holder, AT), headers=cose), 400),
        (entries.Case(body=sign_registration(over, holding.holder, AT), headers=cose), 409),
        (receipt.Case(path_parameters={"digest": registration.credential_digest}), 200),
        (receipt.Case(path_parameters={"digest": "zQmNothingRegistered"}), 404),
        (witness.Case(body=first), 200),
        (witness.Case(body=first | {"checkpoint": _checkpoint(6)}), 409),
        (witness.Case(body=first | {"checkpoint": "a.b.c"}), 400),
        (schema["/registry/witness"]["GET"].Case(), 200),
    ]
    for case, status in cases:
        response = case.call_and_validate(checks=CHECKS)
        assert response.status_code == status, f"{case.method} {case.formatted_path}"
