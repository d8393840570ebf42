"""The ledger over HTTP: spending, refusing a double spend, checkpoints, proofs, spent lookups."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from vcservice.api import create_app
from vcservice.dids import StaticResolver, public_key_of
from vcservice.errors import ResolutionError
from vcservice.issuing import issue_credential
from vcservice.jsonld import bundled_loader, jcs
from vcservice.keys import KeyPair, KeyType, Signer
from vcservice.ledger import read_checkpoint
from vcservice.ledger.merkle import root_from_inclusion
from vcservice.links import digest_document
from vcservice.service import IssueCommand, Service
from vcservice.store import Base

from ..ledger.events import (
    CATHODE,
    certified,
    claim_event,
    link,
    make_event,
    move_event,
    product,
)
from .conftest import auth
from .test_schemathesis import CHECKS

PROBLEMS = "https://vcservice.dev/problems/"
MAKE_URL = "https://credentials.smelter.example/make"


def _issue(client: TestClient, key: str, credential: dict[str, Any], **options: Any) -> Any:
    return client.post(
        "/credentials/issue", json={"credential": credential, "options": options}, headers=auth(key)
    )


def _spend(made: Any, tonnes: float = 45, to: str = "https://mill.example") -> dict[str, Any]:
    source = [link(MAKE_URL, digest_document(made))]
    return move_event(product(CATHODE, [certified(tonnes, source=source)]), consignee=to)


def _rows(service: Service, table: str) -> int:
    with service.store.engine.connect() as connection:
        counted = connection.scalar(select(func.count()).select_from(Base.metadata.tables[table]))
    return int(counted or 0)


def _balances(service: Service) -> dict[tuple[str, str], int]:
    accounts = Base.metadata.tables["ledger_accounts"]
    with service.store.engine.connect() as connection:
        rows = connection.execute(
            select(accounts.c.digest, accounts.c.product, accounts.c.balance_mg)
        ).all()
    return {(digest, prod): balance for digest, prod, balance in rows}


@pytest.fixture
def smelter(service: Service) -> str:
    key: str = service.create_tenant("smelter")["api_key"]
    return key


@pytest.mark.parametrize("fmt", ["vc+jwt", "eddsa-jcs-2022"])
def test_spend_once_then_refuse(
    client: TestClient, service: Service, smelter: str, fmt: str
) -> None:
    made = _issue(client, smelter, make_event([product(CATHODE, [certified(45)])]), format=fmt)
    assert made.status_code == 201, made.text
    made_vc = made.json()["verifiableCredential"]
    assert _balances(service) == {(digest_document(made_vc), CATHODE): 45_000_000_000}

    moved = _issue(client, smelter, _spend(made_vc), format=fmt)
    assert moved.status_code == 201, moved.text
    moved_digest = digest_document(moved.json()["verifiableCredential"])
    assert _balances(service) == {
        (digest_document(made_vc), CATHODE): 0,
        (moved_digest, CATHODE): 45_000_000_000,
    }

    before = {t: _rows(service, t) for t in Base.metadata.tables}
    again = _issue(
        client,
        smelter,
        _spend(made_vc, 0.001),
        format=fmt,
        credentialStatus={"statusPurpose": "revocation"},
    )
    assert again.status_code == 409, again.text
    assert again.headers["content-type"] == "application/problem+json"
    problem = again.json()
    assert problem["type"] == PROBLEMS + "ledger.insufficient-credit"
    for named in (MAKE_URL, digest_document(made_vc), CATHODE, "carbonFootprint", "0 kg", "1 kg"):
        assert named in problem["detail"]
    # Nothing was written: no credential, no status entry, no account, no ledger entry. Only
    # the status slot reserved before the transaction is used up, as a sequence's value is
    # (the tenant's first list is opened for it): a gap, never an entry (docs/scaling.md).
    after = {t: _rows(service, t) for t in Base.metadata.tables}
    assert after.pop("status_lists") == before.pop("status_lists") + 1
    assert after == before


def test_a_quantity_that_is_not_a_mass_is_refused(
    client: TestClient, service: Service, smelter: str
) -> None:
    response = _issue(client, smelter, make_event([product(CATHODE, [certified(3, unit="C62")])]))
    assert response.status_code == 422, response.text
    assert response.json()["type"] == PROBLEMS + "ledger.not-a-mass"
    assert _rows(service, "credentials") == 0
    assert _rows(service, "ledger_entries") == 0


def test_a_claim_retires_credit_of_any_product_of_its_source(
    client: TestClient, service: Service, smelter: str
) -> None:
    mill = service.create_tenant("mill")
    made = _issue(client, smelter, make_event([product(CATHODE, [certified(45)])]))
    moved = _issue(client, smelter, _spend(made.json()["verifiableCredential"], to=mill["did"]))
    bought = [
        link("https://mill.example/move", digest_document(moved.json()["verifiableCredential"]))
    ]
    assert _issue(client, mill["api_key"], claim_event([certified(40)], bought)).status_code == 201
    refused = _issue(client, mill["api_key"], claim_event([certified(5.5)], bought))
    assert refused.status_code == 409
    assert "asks for 5500 kg" in refused.json()["detail"]
    assert "5000 kg left" in refused.json()["detail"]


def test_credit_issued_on_another_platform(
    client: TestClient, service: Service, smelter: str
) -> None:
    """``options.sourceCredentials``: a foreign make and the foreign move of its credit to the
    smelter are verified and posted like credentials issued here (the move's debit drawn by
    its issuer, who made the credit), the smelter's debit draws on the move it received;
    serving them again refills nothing and charges nothing twice."""
    foreign = Signer.did_key(KeyPair.generate(KeyType.ED25519))
    made = issue_credential(
        make_event([product(CATHODE, [certified(45)])]), foreign, "vc+jwt", loader=bundled_loader()
    )
    to_smelter = move_event(
        product(CATHODE, [certified(45, source=[link(MAKE_URL, digest_document(made))])]),
        consignee=service.tenant_did("smelter"),
    )
    moved = issue_credential(to_smelter, foreign, "vc+jwt", loader=bundled_loader())
    jws = moved["id"].split(",", 1)[1]
    spend = _spend(moved)
    response = _issue(client, smelter, spend, sourceCredentials=[jws, made])
    assert response.status_code == 201, response.text
    spent_digest = digest_document(response.json()["verifiableCredential"])
    assert _balances(service) == {
        (digest_document(made), CATHODE): 0,
        (digest_document(moved), CATHODE): 0,
        (spent_digest, CATHODE): 45_000_000_000,
    }
    entries = _rows(service, "ledger_entries")
    again = _issue(client, smelter, spend, sourceCredentials=[moved, made])
    assert again.status_code == 409, again.text
    assert again.json()["type"] == PROBLEMS + "ledger.insufficient-credit"
    assert _rows(service, "ledger_entries") == entries

    unrelated = _issue(client, smelter, spend, sourceCredentials=[{"id": "urn:x"}])
    assert unrelated.status_code == 400
    assert "not a source this credential draws on" in unrelated.json()["detail"]
    forged = jws[:-4] + ("AAAA" if not jws.endswith("AAAA") else "BBBB")
    refused = _issue(client, smelter, _spend(forged), sourceCredentials=[forged])
    assert refused.status_code == 400
    assert "does not verify" in refused.json()["detail"]
    assert _rows(service, "credentials") == 1


def test_an_upstream_that_cannot_be_checked_is_not_called_forged(service: Service) -> None:
    offline = Service(
        settings=service.settings,
        store=service.store,
        http=service.http,
        network_resolver=StaticResolver({}),
    )
    offline.create_tenant("smelter")
    tenant = offline.store.tenant_by_name("smelter")
    assert tenant is not None
    elsewhere = Signer(KeyPair.generate(KeyType.ED25519), "did:web:elsewhere.example#key-1")
    upstream = issue_credential(
        make_event([product(CATHODE, [certified(45)])]),
        elsewhere,
        "vc+jwt",
        loader=bundled_loader(),
    )
    with pytest.raises(ResolutionError, match=r"sourceCredentials\[0\] could not be checked"):
        offline.issue(tenant, IssueCommand(_spend(upstream), source_credentials=(upstream,)))
    assert _rows(service, "credentials") == 0


def test_checkpoint_verifies_with_the_service_did_document(
    client: TestClient, smelter: str
) -> None:
    _issue(client, smelter, make_event([product(CATHODE, [certified(45)])]))
    response = client.get("/ledger/checkpoint")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["count"] == 2  # the origin of the concentrate and the cathode's credit
    assert body["issuer"] == "did:web:localhost%3A8000"

    did = client.get("/.well-known/did.json")
    assert did.status_code == 200
    assert did.headers["content-type"] == "application/did+json"
    document = did.json()
    signed = read_checkpoint(body["jws"])
    method = next(m for m in document["verificationMethod"] if m["id"] == signed.kid)
    checkpoint = signed.verify(public_key_of(method))
    assert checkpoint.payload() == {
        k: body[k] for k in ("count", "headHash", "rootHash", "issuedAt")
    } | {"iss": body["issuer"]}
    assert document["id"] == checkpoint.issuer
    assert signed.kid in document["assertionMethod"]

    as_jwt = client.get("/ledger/checkpoint", headers={"Accept": "application/jwt"})
    assert as_jwt.headers["content-type"] == "application/jwt"
    assert as_jwt.text == body["jws"]


def test_the_service_resolves_its_own_did(service: Service) -> None:
    document = service.resolver.resolve(service.service_did)
    assert document["id"] == service.service_did


def _verify_proof(proof: dict[str, Any]) -> None:
    leaf = hashlib.sha256(b"\x00" + bytes.fromhex(proof["entryHash"])).hexdigest()
    assert proof["leafHash"] == leaf
    computed = root_from_inclusion(
        proof["seq"] - 1,
        proof["treeSize"],
        bytes.fromhex(leaf),
        [bytes.fromhex(h) for h in proof["inclusionProof"]],
    )
    assert computed.hex() == proof["rootHash"]


def test_inclusion_proofs(client: TestClient, service: Service, smelter: str) -> None:
    made = _issue(client, smelter, make_event([product(CATHODE, [certified(45)])]))
    old = client.get("/ledger/checkpoint").json()
    _issue(client, smelter, _spend(made.json()["verifiableCredential"]))

    for seq in range(1, 5):
        proof = client.get(f"/ledger/entries/{seq}").json()
        _verify_proof(proof)
        assert proof["treeSize"] == 4
        assert proof["entry"] is None  # public: hashes only
        checkpoint = read_checkpoint(proof["checkpoint"]).checkpoint
        assert (checkpoint.count, checkpoint.root_hash) == (4, proof["rootHash"])

    earlier = client.get("/ledger/entries/2", params={"treeSize": 2}).json()
    _verify_proof(earlier)
    assert earlier["rootHash"] == old["rootHash"]
    assert earlier["checkpoint"] == old["jws"]
    unsigned = client.get("/ledger/entries/1", params={"treeSize": 1}).json()
    _verify_proof(unsigned)
    assert unsigned["checkpoint"] is None
    # The spend's debit (entry 3) was registered: its receipt's tree is signed as well.
    registered = client.get("/ledger/entries/3", params={"treeSize": 3}).json()
    assert read_checkpoint(registered["checkpoint"]).checkpoint.count == 3


def test_the_writer_sees_the_entry_others_only_its_hashes(
    client: TestClient, service: Service, smelter: str
) -> None:
    made = _issue(client, smelter, make_event([product(CATHODE, [certified(45)])]))
    other = service.create_tenant("rival")["api_key"]
    mine = client.get("/ledger/entries/2", headers=auth(smelter)).json()
    entry = mine["entry"]
    assert entry["kind"] == "credit"
    assert entry["amountMg"] == "45000000000"
    assert entry["account"] == {
        "credentialDigest": digest_document(made.json()["verifiableCredential"]),
        "product": CATHODE,
        "propertyKind": "carbonFootprint",
        "holder": service.tenant_did("smelter"),
    }
    recomputed = hashlib.sha256(bytes.fromhex(mine["prevHash"]) + jcs(entry)).hexdigest()
    assert recomputed == mine["entryHash"]
    assert client.get("/ledger/entries/2", headers=auth(other)).json()["entry"] is None
    assert client.get("/ledger/entries/2", headers=auth("vcs_wrong")).status_code == 401


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/ledger/entries/3", {}, 404),
        ("/ledger/entries/1", {"treeSize": 9}, 400),
        ("/ledger/entries/2", {"treeSize": 1}, 400),
        ("/ledger/entries/0", {}, 422),
        ("/ledger/entries/x", {}, 422),
        ("/ledger/spent", {"digest": "zz"}, 400),
        ("/ledger/spent", {"digest": "0" * 63}, 400),
        ("/ledger/spent", {"digest": "0" * 300}, 422),
    ],
)
def test_bad_requests_are_problems(
    client: TestClient, smelter: str, path: str, params: dict[str, Any], status: int
) -> None:
    _issue(client, smelter, make_event([product(CATHODE, [certified(45)])]))
    response = client.get(path, params=params)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"


def test_spent_lookup(client: TestClient, service: Service, smelter: str) -> None:
    info = client.get("/ledger/spent").json()
    salt = bytes.fromhex(info["salt"])
    assert info["algorithm"] == "hex(sha-256(salt || utf-8(digestMultibase)))"

    def spent(credential: Any) -> Any:
        key = hashlib.sha256(salt + digest_document(credential).encode()).hexdigest()
        response = client.get("/ledger/spent", params={"digest": key.upper()})
        assert response.status_code == 200
        return response.json()

    made = _issue(client, smelter, make_event([product(CATHODE, [certified(45)])]))
    made_vc = made.json()["verifiableCredential"]
    assert spent(made_vc) == {"spent": False, "fullySpent": False}
    moved = _issue(client, smelter, _spend(made_vc, 30)).json()["verifiableCredential"]
    assert spent(made_vc) == {"spent": True, "fullySpent": False}
    _issue(client, smelter, _spend(made_vc, 15))
    assert spent(made_vc) == {"spent": True, "fullySpent": True}
    assert spent(moved) == {"spent": False, "fullySpent": False}
    assert spent("a.b.c") == {"spent": False, "fullySpent": False}  # unknown: same answer


def test_real_ledger_resources_conform_to_the_openapi_document(
    service: Service, smelter: str
) -> None:
    """The success and refusal paths schemathesis's random input never reaches."""
    client = TestClient(create_app(service=service), raise_server_exceptions=False)
    made = _issue(client, smelter, make_event([product(CATHODE, [certified(45)])]))
    made_vc = made.json()["verifiableCredential"]
    _issue(client, smelter, _spend(made_vc))
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(service=service))
    issue = schema["/credentials/issue"]["POST"]
    entry = schema["/ledger/entries/{seq}"]["GET"]
    spent = schema["/ledger/spent"]["GET"]
    key = auth(smelter)
    cases = [
        (issue.Case(headers=key, body={"credential": _spend(made_vc)}), 409),
        (
            issue.Case(
                headers=key,
                body={"credential": make_event([product(CATHODE, [certified(1, unit="LTR")])])},
            ),
            422,
        ),
        (schema["/ledger/checkpoint"]["GET"].Case(), 200),
        (entry.Case(path_parameters={"seq": 2}), 200),
        (entry.Case(path_parameters={"seq": 2}, headers=key), 200),
        (entry.Case(path_parameters={"seq": 2}, query={"treeSize": 3}), 200),
        (entry.Case(path_parameters={"seq": 9}), 404),
        (entry.Case(path_parameters={"seq": 2}, query={"treeSize": 1}), 400),
        (spent.Case(), 200),
        (spent.Case(query={"digest": "ab" * 32}), 200),
        (spent.Case(query={"digest": "not hex"}), 400),
        (schema["/.well-known/did.json"]["GET"].Case(), 200),
    ]
    for case, status in cases:
        response = case.call_and_validate(checks=CHECKS)
        assert response.status_code == status, f"{case.method} {case.formatted_path}"
