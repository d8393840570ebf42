"""Issue 13, deliverable 3: issue only what you would verify, and credential ids unique per
tenant. Each test names the "Why" bullet it covers; each fails on the HEAD before issue 13."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from vcservice.service import Service

from .conftest import auth

CONTEXT = ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"]


def _credential(ident: str | None = None, **extra: Any) -> dict[str, Any]:
    credential: dict[str, Any] = {
        "@context": CONTEXT,
        "type": ["VerifiableCredential"],
        "credentialSubject": {"id": "did:example:subject", "name": "Copper"},
        **extra,
    }
    if ident is not None:
        credential["id"] = ident
    return credential


def _entry(**fields: Any) -> dict[str, Any]:
    entry = {
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "7",
        "statusListCredential": "https://status.example/lists/1",
    }
    entry.update(fields)
    return {k: v for k, v in entry.items() if v is not None}


@pytest.mark.parametrize(
    "status",
    [
        _entry(statusListIndex=True),
        _entry(statusListIndex="-1"),
        _entry(statusListIndex=7),
        _entry(statusListCredential=None),
        [_entry(), _entry(statusListIndex="x")],
    ],
    ids=["index-true", "index-minus-one", "index-number", "no-list", "second-of-two"],
)
@pytest.mark.parametrize("fmt", ["vc+jwt", "eddsa-rdfc-2022"])
def test_caller_status_entry_the_verifier_refuses_is_not_signed(
    client: TestClient, service: Service, status: Any, fmt: str
) -> None:
    """Why: "Issuing signs what verifying refuses" (the credentialStatus half): 422 naming
    status.malformed, and nothing is stored."""
    key = service.create_tenant("acme")["api_key"]
    response = client.post(
        "/credentials/issue",
        json={"credential": _credential(credentialStatus=status), "options": {"format": fmt}},
        headers=auth(key),
    )
    assert response.status_code == 422, response.text
    assert [e["id"] for e in response.json()["errors"]] == ["status.malformed"]
    tenant = service.store.tenant_by_name("acme")
    assert tenant is not None
    assert service.store.credentials(tenant.id) == []


def test_a_well_formed_caller_status_entry_is_still_signed(
    client: TestClient, service: Service
) -> None:
    key = service.create_tenant("acme")["api_key"]
    response = client.post(
        "/credentials/issue",
        json={"credential": _credential(credentialStatus=_entry())},
        headers=auth(key),
    )
    assert response.status_code == 201, response.text


def test_ids_are_unique_per_tenant_not_globally(client: TestClient, service: Service) -> None:
    """Why: "Credential ids are unique across all tenants": another tenant's id neither
    answers 409 nor blocks; the issuer's own repeat still does."""
    a = service.create_tenant("alpha")["api_key"]
    b = service.create_tenant("beta")["api_key"]
    ident = "urn:uuid:7d9c6a5e-0000-4000-8000-000000000001"
    first = client.post(
        "/credentials/issue", json={"credential": _credential(ident)}, headers=auth(a)
    )
    assert first.status_code == 201, first.text
    assert client.get(f"/credentials/{ident}", headers=auth(b)).status_code == 404
    second = client.post(
        "/credentials/issue", json={"credential": _credential(ident)}, headers=auth(b)
    )
    assert second.status_code == 201, second.text
    again = client.post(
        "/credentials/issue", json={"credential": _credential(ident)}, headers=auth(a)
    )
    assert again.status_code == 409
    # each tenant reads its own
    mine_a = client.get(f"/credentials/{ident}", headers=auth(a))
    mine_b = client.get(f"/credentials/{ident}", headers=auth(b))
    assert mine_a.status_code == mine_b.status_code == 200
    assert mine_a.text != mine_b.text
    # status updates stay scoped: beta revokes only its own
    assert (
        client.post(
            "/credentials/status",
            json={
                "credentialId": ident,
                "credentialStatus": [{"statusPurpose": "revocation", "status": True}],
            },
            headers=auth(b),
        ).status_code
        == 404
    )  # beta's credential has no status entry; alpha's is not touched


def test_public_retrieval_stays_unambiguous(client: TestClient, service: Service) -> None:
    """Why: "Credential ids are unique across all tenants": when two tenants publish one id,
    the unscoped URL names neither (404); the tenant-scoped URL names each."""
    a = service.create_tenant("alpha")["api_key"]
    b = service.create_tenant("beta")["api_key"]
    ident = "urn:uuid:7d9c6a5e-0000-4000-8000-000000000002"
    body = {"credential": _credential(ident), "options": {"publish": True}}
    issued_a = client.post("/credentials/issue", json=body, headers=auth(a))
    assert issued_a.status_code == 201
    assert client.get(f"/credentials/{ident}").json() == issued_a.json()["verifiableCredential"]
    issued_b = client.post("/credentials/issue", json=body, headers=auth(b))
    assert issued_b.status_code == 201, issued_b.text
    ambiguous = client.get(f"/credentials/{ident}")
    assert ambiguous.status_code == 404
    assert "/tenants/{name}/credentials/{id}" in ambiguous.json()["detail"]
    for name, issued in (("alpha", issued_a), ("beta", issued_b)):
        scoped = client.get(f"/tenants/{name}/credentials/{ident}")
        assert scoped.status_code == 200
        assert scoped.json() == issued.json()["verifiableCredential"]
    assert client.get(f"/tenants/gamma/credentials/{ident}").status_code == 404
