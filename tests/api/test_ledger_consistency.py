"""GET /ledger/consistency: what a witness does with two checkpoints the service signed."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient

from vcservice.api import create_app
from vcservice.dids import public_key_of
from vcservice.ledger import Checkpoint, ConsistencyError, check_consistency, read_checkpoint
from vcservice.ledger.merkle import verify_consistency
from vcservice.service import Service

from ..ledger.events import CATHODE, certified, make_event, product
from .test_ledger import _issue, _spend
from .test_schemathesis import CHECKS

PROBLEMS = "https://vcservice.dev/problems/"


@pytest.fixture
def smelter(service: Service) -> str:
    key: str = service.create_tenant("smelter")["api_key"]
    return key


def _verified(client: TestClient, jws: str) -> Checkpoint:
    """The checkpoint, if the service's DID document verifies it (as a witness checks it)."""
    document = client.get("/.well-known/did.json").json()
    signed = read_checkpoint(jws)
    method = next(m for m in document["verificationMethod"] if m["id"] == signed.kid)
    return signed.verify(public_key_of(method))


def _nodes(body: dict[str, Any]) -> list[bytes]:
    return [bytes.fromhex(h) for h in body["proof"]]


def test_a_witness_checks_a_later_checkpoint_against_one_it_kept(
    client: TestClient, smelter: str
) -> None:
    made = _issue(client, smelter, make_event([product(CATHODE, [certified(45)])]))
    kept = _verified(client, client.get("/ledger/checkpoint").json()["jws"])
    assert kept.count == 2
    _issue(client, smelter, _spend(made.json()["verifiableCredential"], 30))
    _issue(client, smelter, _spend(made.json()["verifiableCredential"], 15))

    response = client.get("/ledger/consistency", params={"from": kept.count})
    assert response.status_code == 200, response.text
    body = response.json()
    latest = _verified(client, body["newCheckpoint"])  # the current checkpoint, signed
    assert (body["from"], body["to"]) == (2, latest.count) == (2, 6)
    assert (body["oldRoot"], body["newRoot"]) == (kept.root_hash, latest.root_hash)
    assert body["oldCheckpoint"] is not None
    assert _verified(client, body["oldCheckpoint"]) == kept
    check_consistency(kept, latest, _nodes(body))
    assert body == client.get("/ledger/consistency", params={"from": 2, "to": 6}).json()

    # Trees no checkpoint was signed for (the spends' registrations signed 3 and 5, for their
    # receipts): the proof still checks against the roots given.
    unsigned = client.get("/ledger/consistency", params={"from": 1, "to": 4}).json()
    assert (unsigned["oldCheckpoint"], unsigned["newCheckpoint"]) == (None, None)
    old_root, new_root = bytes.fromhex(unsigned["oldRoot"]), bytes.fromhex(unsigned["newRoot"])
    verify_consistency(1, 4, old_root, new_root, _nodes(unsigned))
    # Equal sizes: the empty proof.
    same = client.get("/ledger/consistency", params={"from": 6}).json()
    assert same["proof"] == []
    assert same["oldRoot"] == same["newRoot"] == latest.root_hash
    assert same["oldCheckpoint"] == same["newCheckpoint"] == body["newCheckpoint"]


def test_a_rewritten_log_is_caught_by_a_kept_checkpoint(client: TestClient, smelter: str) -> None:
    """A checkpoint kept from another log of the same issuer (a fork, or a log rewritten since)
    is not consistent with the service's current one, whatever proof the service serves."""
    _issue(client, smelter, make_event([product(CATHODE, [certified(45)])]))
    _issue(client, smelter, make_event([product(CATHODE, [certified(7)])]))
    latest = _verified(client, client.get("/ledger/checkpoint").json()["jws"])
    body = client.get("/ledger/consistency", params={"from": 2}).json()
    assert body["oldCheckpoint"] is None  # nobody asked for a checkpoint at 2: none was signed
    forked = Checkpoint(latest.issuer, 2, "00" * 32, "ab" * 32, latest.issued_at)
    with pytest.raises(ConsistencyError, match="does not extend"):
        check_consistency(forked, latest, _nodes(body))


def test_the_service_proves_consistency_between_checkpoints_it_signed(
    service: Service, client: TestClient, smelter: str
) -> None:
    """Every pair of the checkpoints the service signed as the ledger grew."""
    signed = []
    for tonnes in (45, 7, 3):
        _issue(client, smelter, make_event([product(CATHODE, [certified(tonnes)])]))
        signed.append(read_checkpoint(service.ledger_checkpoint().jws).checkpoint)
    assert [c.count for c in signed] == [2, 4, 6]
    for old in signed:
        for new in signed:
            if old.count > new.count:
                continue
            proof = service.ledger_consistency(old.count, new.count)
            assert proof.old_checkpoint is not None
            assert proof.new_checkpoint is not None
            assert read_checkpoint(proof.old_checkpoint.jws).checkpoint == old
            check_consistency(old, new, [bytes.fromhex(h) for h in proof.path])


@pytest.mark.parametrize(
    ("params", "status", "slug"),
    [
        ({"from": 3}, 400, "ledger.consistency"),  # beyond the current checkpoint (2)
        ({"from": 2, "to": 9}, 400, "ledger.consistency"),
        ({"from": 2, "to": 1}, 400, "ledger.consistency"),
        ({"from": 0}, 422, "invalid-request"),
        ({"from": 1, "to": 0}, 422, "invalid-request"),
        ({}, 422, "invalid-request"),
        ({"from": "x"}, 422, "invalid-request"),
    ],
)
def test_sizes_without_a_proof_are_problems(
    client: TestClient, smelter: str, params: dict[str, Any], status: int, slug: str
) -> None:
    _issue(client, smelter, make_event([product(CATHODE, [certified(45)])]))
    response = client.get("/ledger/consistency", params=params)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == PROBLEMS + slug


def test_an_empty_ledger_has_no_proof(client: TestClient) -> None:
    response = client.get("/ledger/consistency", params={"from": 1})
    assert response.status_code == 400
    assert "from is at least 1 and at most to" in response.json()["detail"]


def test_consistency_answers_conform_to_the_openapi_document(
    service: Service, smelter: str
) -> None:
    client = TestClient(create_app(service=service), raise_server_exceptions=False)
    _issue(client, smelter, make_event([product(CATHODE, [certified(45)])]))
    _issue(client, smelter, make_event([product(CATHODE, [certified(7)])]))
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(service=service))
    consistency = schema["/ledger/consistency"]["GET"]
    for query, status in [
        ({"from": 1}, 200),
        ({"from": 2, "to": 3}, 200),
        ({"from": 4, "to": 4}, 200),
        ({"from": 3, "to": 2}, 400),
        ({"from": 1, "to": 99}, 400),
    ]:
        response = consistency.Case(query=query).call_and_validate(checks=CHECKS)
        assert response.status_code == status, query
