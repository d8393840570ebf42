"""The tenant identity and key-history routes: /tenants/me, its audit trail, did:webvh's log,
witness proofs and deactivation, and a PKCS#11 tenant issuing through the API.

SQLite only: these routes add no SQL of their own (the store's key-event queries run on both
backends in tests/store). The service's clock ticks a second per reading: did:webvh versions
are dated to the second and must increase, and these tests rotate faster than that.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.keys.softhsm import softhsm  # noqa: F401
from tests.webvh import webvh_settings
from vcservice.api import create_app
from vcservice.dids._webvh_log import witness_proof
from vcservice.keys import KeyPair, KeyType
from vcservice.keys._pkcs11 import Pkcs11Config
from vcservice.keys.audit import GENESIS, first_break
from vcservice.service import Service
from vcservice.store import KeyEvent

from .conftest import auth, credential


@pytest.fixture
def witness() -> KeyPair:
    return KeyPair.generate(KeyType.ED25519)


@pytest.fixture
def service(tmp_path: Path, witness: KeyPair) -> Iterator[Service]:
    """The conftest's service, on did:webvh settings with one witness (its ``client`` uses
    this one)."""
    settings = webvh_settings(
        tmp_path,
        webvh_witnesses=f"did:key:{witness.public.multibase}",
        webvh_witness_threshold=1,
    )
    svc = Service.from_settings(settings)
    yield svc
    svc.close()


def all_events(client: TestClient, headers: dict[str, str], limit: int) -> list[dict[str, Any]]:
    """The whole trail through the API, page by page, each page checked alone and chained
    onto the one before (the page's previousHash must be the last page's last chainHash)."""
    events: list[dict[str, Any]] = []
    after, previous = 0, GENESIS
    while True:
        response = client.get(
            f"/tenants/me/key-events?after={after}&limit={limit}", headers=headers
        )
        assert response.status_code == 200, response.text
        body = response.json()
        if not body["events"]:
            return events
        assert body["previousHash"] == previous
        page = [as_event(e) for e in body["events"]]
        assert first_break(page, previous) is None
        events += body["events"]
        after, previous = page[-1].seq, page[-1].chain_hash


def as_event(served: dict[str, Any]) -> KeyEvent:
    at = datetime.fromisoformat(served["at"].replace("Z", "+00:00"))
    return KeyEvent(
        served["seq"], at, served["event"], served["key"], served["detail"], served["chainHash"]
    )


def test_webvh_tenant_history_witnesses_and_deactivation(
    service: Service, client: TestClient, witness: KeyPair
) -> None:
    created = service.create_tenant("cb", did_method="webvh")
    key = auth(created["api_key"])
    me = client.get("/tenants/me", headers=key).json()
    assert me == {
        "name": "cb",
        "did": created["did"],
        "didMethod": "webvh",
        "keyBackend": "vault",
        "didOptions": {
            "preRotation": False,
            "witness": {
                "threshold": 1,
                "witnesses": [{"id": f"did:key:{witness.public.multibase}"}],
            },
        },
    }

    # Nothing is served until the witness approves version 1.
    assert client.get("/tenants/cb/did.jsonl").status_code == 404
    assert client.get("/tenants/cb/did-witness.json").json() == []
    tenant = service.tenant_by_api_key(created["api_key"])
    assert tenant is not None
    stored = "".join(e.entry + "\n" for e in service.store.did_log(tenant.id))
    version = json.loads(stored)["versionId"]
    stranger = witness_proof(stored, version, KeyPair.generate(KeyType.ED25519))
    refused = client.post(
        "/tenants/me/did/witness-proofs",
        json={"versionId": version, "proof": stranger},
        headers=key,
    )
    assert refused.status_code == 422, refused.text
    assert "not one of this DID's witnesses" in refused.json()["detail"]
    proof = witness_proof(stored, version, witness)
    forged = {**proof, "proofValue": stranger["proofValue"]}  # the witness's name, not its key
    refused = client.post(
        "/tenants/me/did/witness-proofs",
        json={"versionId": version, "proof": forged},
        headers=key,
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["type"].endswith("/did-log-witness")
    body = {"versionId": version, "proof": proof}
    added = client.post("/tenants/me/did/witness-proofs", json=body, headers=key)
    assert added.status_code == 204, added.text
    assert client.get("/tenants/cb/did-witness.json").json() == [
        {"versionId": version, "proof": [proof]}
    ]

    # Approved: the log as served is the service's, with the media type the spec names.
    log = client.get("/tenants/cb/did.jsonl")
    assert log.status_code == 200
    assert log.headers["content-type"].startswith("text/jsonl")
    assert log.headers["cache-control"] == "public, max-age=300"
    assert log.text == stored
    assert client.get("/tenants/cb/did.json").json()["id"].startswith("did:web:")

    # Rotate, sign, and read it all back from the trail, paged and chained.
    rotated = client.post("/tenants/me/keys", json={"type": "p256"}, headers=key).json()
    assert rotated["backend"] == "vault"
    assert rotated["retiredAt"] is None
    issued = client.post("/credentials/issue", json={"credential": credential()}, headers=key)
    assert issued.status_code == 409, issued.text  # version 2 awaits its witness
    stored = "".join(e.entry + "\n" for e in service.store.did_log(tenant.id))
    second = service.store.did_log(tenant.id)[-1].version_id
    body = {"versionId": second, "proof": witness_proof(stored, second, witness)}
    added = client.post("/tenants/me/did/witness-proofs", json=body, headers=key)
    assert added.status_code == 204, added.text
    issued = client.post("/credentials/issue", json={"credential": credential()}, headers=key)
    assert issued.status_code == 201, issued.text
    keys = client.get("/tenants/me/keys", headers=key).json()
    assert [(k["active"], k["retiredAt"] is None) for k in keys] == [(False, False), (True, True)]
    events = all_events(client, key, limit=2)
    kinds = [e["event"] for e in events]
    assert kinds == ["created", "created", "did-updated", "did-updated", "rotated", "signed"]
    assert events[-1]["key"] == "key-2"
    counts = client.get("/tenants/me/key-events?limit=1", headers=key).json()["signatures"]
    assert counts == {"key-2": 1}

    done = client.post("/tenants/me/did/deactivate", headers=key)
    assert done.status_code == 200, done.text
    assert done.json()["did"] == created["did"]
    assert service.store.did_log(tenant.id)[-1].version_id == done.json()["versionId"]
    served = client.get("/tenants/cb/did.jsonl").text.splitlines()
    assert json.loads(served[-1])["versionId"] == second  # until the witness approves it
    assert all_events(client, key, limit=1000)[-1]["event"] == "deactivated"


def test_other_tenants_have_no_log_and_nothing_to_deactivate(
    service: Service, client: TestClient
) -> None:
    web = auth(service.create_tenant("plain")["api_key"])
    assert client.get("/tenants/me", headers=web).json()["didMethod"] == "web"
    for path in ("/tenants/plain/did.jsonl", "/tenants/plain/did-witness.json"):
        assert client.get(path).status_code == 404
    assert client.get("/tenants/nobody/did.jsonl").status_code == 404
    assert client.post("/tenants/me/did/deactivate", headers=web).status_code == 409
    proof = {"versionId": "1-x", "proof": {"verificationMethod": "did:key:z6Mk#z6Mk"}}
    assert client.post("/tenants/me/did/witness-proofs", json=proof, headers=web).status_code == 409
    assert client.get("/tenants/me/key-events?limit=1001", headers=web).status_code == 422
    assert client.get("/tenants/me/key-events").status_code == 401
    assert client.get("/tenants/me").status_code == 401


def test_pkcs11_tenant_issues_and_verifies(
    tmp_path: Path,
    softhsm: Pkcs11Config,  # noqa: F811
) -> None:
    settings = webvh_settings(
        tmp_path,
        pkcs11_module=softhsm.module,
        pkcs11_token_label=softhsm.token_label,
        pkcs11_pin=softhsm.pin,
    )
    service = Service.from_settings(settings)
    try:
        key = auth(
            service.create_tenant("hsm", did_method="webvh", key_backend="pkcs11")["api_key"]
        )
        with TestClient(create_app(service=service), raise_server_exceptions=False) as client:
            assert client.get("/tenants/me", headers=key).json()["keyBackend"] == "pkcs11"
            for fmt in ("vc+jwt", "eddsa-rdfc-2022"):
                body = {"credential": credential(), "options": {"format": fmt}}
                issued = client.post("/credentials/issue", json=body, headers=key)
                assert issued.status_code == 201, issued.text
                vc = issued.json()["verifiableCredential"]
                report = client.post("/credentials/verify", json={"verifiableCredential": vc})
                assert report.json()["verified"] is True, report.text
            [listed] = client.get("/tenants/me/keys", headers=key).json()
            assert listed["backend"] == "pkcs11"
            signed = client.get("/tenants/me/key-events", headers=key).json()["signatures"]
            assert signed == {"key-1": 2}
    finally:
        service.close()
