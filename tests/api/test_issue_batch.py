"""``POST /credentials/issue/batch``: each item issued or refused on its own, in order, the
issued ones stored in one transaction with what a single issue stores (status entries,
the key audit trail's ``signed`` events)."""

from __future__ import annotations

import base64
import json
from typing import Any

from fastapi.testclient import TestClient

from vcservice.keys.audit import first_break
from vcservice.links import digest_document
from vcservice.service import NewTenant, Service
from vcservice.service.batch import MAX_BATCH

from ..ledger.events import CATHODE, certified, make_event, product
from .conftest import auth, credential

STATUS = {"type": "BitstringStatusListEntry", "statusPurpose": "revocation"}


def _batch(client: TestClient, tenant: NewTenant, items: list[dict[str, Any]]) -> list[Any]:
    answer = client.post(
        "/credentials/issue/batch", json={"items": items}, headers=auth(tenant["api_key"])
    )
    assert answer.status_code == 200, answer.text
    outcomes: list[Any] = answer.json()["items"]
    return outcomes


def _stored(client: TestClient, tenant: NewTenant, credential_id: str) -> int:
    answer = client.get(f"/credentials/{credential_id}", headers=auth(tenant["api_key"]))
    status: int = answer.status_code
    return status


def test_each_item_is_issued_or_refused_on_its_own(client: TestClient, service: Service) -> None:
    tenant = service.create_tenant("acme")
    invalid = credential(id="urn:uuid:invalid")
    del invalid["credentialSubject"]
    items = [
        {"credential": credential(id="urn:uuid:a"), "options": {"credentialStatus": STATUS}},
        {"credential": invalid},
        {"credential": credential(id="urn:uuid:a")},  # the same id again in this batch
        {"credential": credential(id="urn:uuid:b"), "options": {"format": "eddsa-rdfc-2022"}},
        {"credential": credential(), "options": {"encrypt": True}},  # encrypt needs publish
        {"credential": credential(id="urn:uuid:c"), "options": {"credentialStatus": STATUS}},
    ]
    outcomes = _batch(client, tenant, items)
    assert [o["status"] for o in outcomes] == [201, 422, 409, 201, 400, 201]
    assert outcomes[1]["problem"]["errors"]  # the failed checks, as a single issue has them
    assert "already issued" in outcomes[2]["problem"]["detail"]
    assert all("verifiableCredential" not in o for o in outcomes if o["status"] != 201)
    assert isinstance(outcomes[0]["verifiableCredential"], dict)  # the tenant's vc+jwt default
    assert outcomes[3]["verifiableCredential"]["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert [_stored(client, tenant, c) for c in ("urn:uuid:a", "urn:uuid:b", "urn:uuid:c")] == [
        200
    ] * 3
    assert _stored(client, tenant, "urn:uuid:invalid") == 404
    verified = client.post(
        "/credentials/verify", json={"verifiableCredential": outcomes[5]["verifiableCredential"]}
    )
    assert verified.status_code == 200, verified.text
    assert verified.json()["verified"]
    me = service.tenant_by_api_key(tenant["api_key"])
    assert me is not None
    events, previous = service.key_events(me, limit=1000)
    assert first_break(events, previous) is None
    signed = [e.detail["credential"] for e in events if "credential" in e.detail]
    assert signed == ["urn:uuid:a", "urn:uuid:b", "urn:uuid:c"]  # none for a refused item


def test_status_entries_are_distinct(client: TestClient, service: Service) -> None:
    tenant = service.create_tenant("acme")
    items = [{"credential": credential(), "options": {"credentialStatus": STATUS}}] * 30
    outcomes = _batch(client, tenant, items)
    assert {o["status"] for o in outcomes} == {201}
    issued = [service.own_credential(_tenant(service, tenant), _id(o)) for o in outcomes]
    entries = {
        (a.list_id, a.index)
        for record in issued
        if record is not None
        for a in service.store.allocations(record.tenant_id, record.id)
    }
    assert len(entries) == 30


def test_the_batch_is_bounded(client: TestClient, service: Service) -> None:
    tenant = service.create_tenant("acme")
    key = auth(tenant["api_key"])
    items: list[dict[str, Any]] = [{"credential": {}}] * (MAX_BATCH + 1)
    too_many = client.post("/credentials/issue/batch", json={"items": items}, headers=key)
    assert too_many.status_code == 422
    empty = client.post("/credentials/issue/batch", json={"items": []}, headers=key)
    assert empty.status_code == 422
    anonymous = client.post("/credentials/issue/batch", json={"items": items[:1]})
    assert anonymous.status_code == 401


def _tenant(service: Service, tenant: NewTenant) -> Any:
    return service.tenant_by_api_key(tenant["api_key"])


def _id(outcome: dict[str, Any]) -> str:
    """The id of an issued vc+jwt credential (the payload of its envelope)."""
    token = outcome["verifiableCredential"]["id"].split(",", 1)[1]
    payload = token.split(".")[1]
    decoded = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    credential_id: str = decoded["id"]
    return credential_id


def test_an_item_that_posts_to_the_ledger_is_issued_too(
    client: TestClient, service: Service
) -> None:
    tenant = service.create_tenant("smelter")
    made = make_event([product(CATHODE, [certified(45)])])
    outcomes = _batch(client, tenant, [{"credential": made}, {"credential": credential()}])
    assert [o["status"] for o in outcomes] == [201, 201]
    digest = digest_document(outcomes[0]["verifiableCredential"])
    assert service.store.ledger_account_digests([digest]) == {digest}
