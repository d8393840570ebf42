"""ecdsa-sd-2023 over the VC API: issue a base proof, derive without a key, verify the result."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient

from vcservice.keys import KeyType
from vcservice.securing.sdjwt import decode_unverified_sd_jwt
from vcservice.service import Service

from .conftest import auth, credential

SUBJECT = {"id": "urn:uuid:5c8d9a1e-2b3f-4c6d-8e9f-0a1b2c3d4e5f", "grade": "A", "stock": "25 t"}

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _issue(client: TestClient, service: Service, **options: Any) -> dict[str, Any]:
    tenant = service.create_tenant("sdco", KeyType.P256, did_method="key")
    response = client.post(
        "/credentials/issue",
        json={
            "credential": credential(credentialSubject=SUBJECT),
            "options": {"format": "ecdsa-sd-2023", **options},
        },
        headers=auth(tenant["api_key"]),
    )
    assert response.status_code == 201, response.text
    vc: dict[str, Any] = response.json()["verifiableCredential"]
    return vc


def _verify(client: TestClient, vc: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    response = client.post("/credentials/verify", json={"verifiableCredential": vc})
    return response.status_code, response.json()


def test_issue_derive_verify(client: TestClient, service: Service) -> None:
    base = _issue(client, service, mandatoryPointers=["/issuer", "/validFrom"])
    assert base["proof"]["cryptosuite"] == "ecdsa-sd-2023"
    status, report = _verify(client, base)
    assert status == 422
    assert "expected a derived proof value" in str(report["errors"])

    response = client.post(
        "/credentials/derive",
        json={
            "verifiableCredential": base,
            "options": {"selectivePointers": ["/credentialSubject/grade"]},
        },
    )
    assert response.status_code == 201, response.text
    derived = response.json()["verifiableCredential"]
    # Node ids always travel with what is selected (selectJsonLd); the stock is withheld.
    assert derived["credentialSubject"] == {"id": SUBJECT["id"], "grade": "A"}
    status, report = _verify(client, derived)
    assert status == 200, report

    derived["credentialSubject"]["grade"] = "B"
    assert _verify(client, derived)[0] == 422


def test_derive_refuses_what_it_cannot_derive(client: TestClient, service: Service) -> None:
    base = _issue(client, service)
    pointers = {"selectivePointers": ["/credentialSubject/weight"]}
    response = client.post(
        "/credentials/derive", json={"verifiableCredential": base, "options": pointers}
    )
    assert response.status_code == 400
    assert "does not match the document" in response.json()["detail"]
    unsigned = client.post("/credentials/derive", json={"verifiableCredential": credential()})
    assert unsigned.status_code == 400


def test_an_sd_jwt_is_derived_by_the_same_route(client: TestClient, service: Service) -> None:
    tenant = service.create_tenant("sdjwt")
    issued = client.post(
        "/credentials/issue",
        json={
            "credential": credential(credentialSubject=SUBJECT),
            "options": {"format": "vc+sd-jwt", "disclosablePointers": ["/credentialSubject/stock"]},
        },
        headers=auth(tenant["api_key"]),
    )
    assert issued.status_code == 201, issued.text
    envelope = issued.json()["verifiableCredential"]
    assert envelope["id"].startswith("data:application/vc+sd-jwt,")
    response = client.post(
        "/credentials/derive", json={"verifiableCredential": envelope, "options": {}}
    )
    assert response.status_code == 201, response.text
    derived = response.json()["verifiableCredential"]
    status, report = _verify(client, derived)
    assert status == 200, report
    shown = decode_unverified_sd_jwt(unquote(derived["id"].split(",", 1)[1]))
    assert shown["credentialSubject"]["grade"] == "A"
    assert "stock" not in shown["credentialSubject"]  # withheld: the holder did not disclose it
    refused = client.post(
        "/credentials/issue",
        json={"credential": credential(), "options": {"format": "ecdsa-sd-2023", "publish": True}},
        headers=auth(tenant["api_key"]),
    )
    assert refused.status_code == 400  # a base proof is handed to its holder, not published
