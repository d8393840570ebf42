"""The W3C VC API surface: issue → verify → revoke → verify fails, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from vcservice.errors import InputError
from vcservice.keys import KeyType, PublicKey, b64url_decode
from vcservice.service import NewTenant, Service
from vcservice.store import ConflictError

from .conftest import auth, credential

FORMATS = ["vc+jwt", "eddsa-rdfc-2022", "eddsa-jcs-2022"]


@pytest.fixture
def acme(service: Service) -> NewTenant:
    return service.create_tenant("acme")


def _issue(
    client: TestClient, key: str, options: dict[str, Any] | None = None, **extra: Any
) -> Any:
    response = client.post(
        "/credentials/issue",
        json={"credential": credential(**extra), "options": options or {}},
        headers=auth(key),
    )
    assert response.status_code == 201, response.text
    return response.json()["verifiableCredential"]


def _verify(client: TestClient, vc: Any) -> tuple[int, dict[str, Any]]:
    response = client.post("/credentials/verify", json={"verifiableCredential": vc})
    return response.status_code, response.json()


def _failed(report: dict[str, Any]) -> set[str]:
    return {c["id"] for c in report["errors"]}


def _set_status(client: TestClient, key: str, cid: str, purpose: str, value: bool) -> Any:
    return client.post(
        "/credentials/status",
        json={
            "credentialId": cid,
            "credentialStatus": [
                {"type": "BitstringStatusListEntry", "status": value, "statusPurpose": purpose}
            ],
        },
        headers=auth(key),
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_issue_verify_revoke_round_trip(client: TestClient, acme: dict[str, str], fmt: str) -> None:
    cid = "urn:uuid:0d5c3a6e-4f1b-4e2a-9c8d-7b6a5f4e3d2c"
    vc = _issue(
        client,
        acme["api_key"],
        {"format": fmt, "credentialStatus": {"type": "BitstringStatusListEntry"}},
        id=cid,
    )
    status, report = _verify(client, vc)
    assert status == 200, report
    assert report["verified"] is True
    passed = {c["id"] for c in report["checks"] if c["outcome"] == "passed"}
    assert {"proof.signature", "proof.issuer-binding", "status.revocation"} <= passed

    revoke = _set_status(client, acme["api_key"], cid, "revocation", True)
    assert revoke.status_code == 200, revoke.text
    status, report = _verify(client, vc)
    assert status == 422
    assert report["verified"] is False
    assert _failed(report) == {"status.revocation"}
    assert report["problemDetails"][0]["type"].endswith("status.revocation")


def test_suspend_and_reinstate(client: TestClient, acme: dict[str, str]) -> None:
    cid = "urn:uuid:11111111-2222-4333-8444-555555555555"
    vc = _issue(
        client,
        acme["api_key"],
        {"credentialStatus": [{"statusPurpose": "revocation"}, {"statusPurpose": "suspension"}]},
        id=cid,
    )
    assert _set_status(client, acme["api_key"], cid, "suspension", True).status_code == 200
    status, report = _verify(client, vc)
    assert (status, _failed(report)) == (422, {"status.suspension"})
    assert _set_status(client, acme["api_key"], cid, "suspension", False).status_code == 200
    status, report = _verify(client, vc)
    assert status == 200, report


def test_issuer_and_id_are_filled_in(client: TestClient, acme: dict[str, str]) -> None:
    vc = _issue(client, acme["api_key"], {"format": "eddsa-rdfc-2022"})
    assert vc["issuer"] == acme["did"]
    assert vc["id"].startswith("urn:uuid:")
    assert acme["did"] == "did:web:localhost%3A8000:tenants:acme"
    fetched = client.get(f"/credentials/{vc['id']}", headers=auth(acme["api_key"]))
    assert fetched.status_code == 200
    assert fetched.json() == vc


def test_unknown_options_are_ignored(client: TestClient, acme: dict[str, str]) -> None:
    options = {"format": "eddsa-rdfc-2022", "notAnOption": ["/x"]}
    vc = _issue(client, acme["api_key"], options)
    assert vc["proof"]["cryptosuite"] == "eddsa-rdfc-2022"


def test_default_format_is_vc_jwt(client: TestClient, acme: dict[str, str]) -> None:
    vc = _issue(client, acme["api_key"])
    assert vc["type"] == "EnvelopedVerifiableCredential"
    assert vc["id"].startswith("data:application/vc+jwt,")


def test_did_document_is_hosted_without_private_keys(
    client: TestClient, acme: dict[str, str]
) -> None:
    response = client.get("/tenants/acme/did.json")
    assert response.status_code == 200
    document = response.json()
    assert document["id"] == acme["did"]
    assert {m["type"] for m in document["verificationMethod"]} == {"Multikey", "JsonWebKey"}
    assert '"d"' not in response.text
    assert client.get("/tenants/nobody/did.json").status_code == 404


def test_status_list_is_public_signed_and_cacheable(
    client: TestClient, acme: dict[str, str]
) -> None:
    options = {"format": "eddsa-rdfc-2022", "credentialStatus": {}}
    vc = _issue(client, acme["api_key"], options)
    url = vc["credentialStatus"]["statusListCredential"]
    path = url.removeprefix("http://localhost:8000")
    response = client.get(path)
    assert response.status_code == 200
    listed = response.json()
    assert listed["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert listed["issuer"] == acme["did"]
    assert "proof" in listed
    etag = response.headers["etag"]
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
    status, report = _verify(client, listed)
    assert status == 200, report


def test_key_rotation_keeps_old_credentials_verifiable(
    client: TestClient, acme: dict[str, str]
) -> None:
    old = _issue(client, acme["api_key"], {"format": "eddsa-rdfc-2022"})
    rotated = client.post(
        "/tenants/me/keys", json={"type": "ed25519"}, headers=auth(acme["api_key"])
    )
    assert rotated.status_code == 201, rotated.text
    assert rotated.json()["id"].endswith("#key-2")
    new = _issue(client, acme["api_key"], {"format": "eddsa-rdfc-2022"})
    assert new["proof"]["verificationMethod"].endswith("#key-2")
    assert _verify(client, old)[0] == 200
    assert _verify(client, new)[0] == 200
    keys = client.get("/tenants/me/keys", headers=auth(acme["api_key"])).json()
    assert [(k["id"].split("#")[1], k["active"]) for k in keys] == [
        ("key-1", False),
        ("key-2", True),
    ]


def test_tenant_isolation(client: TestClient, service: Service, acme: dict[str, str]) -> None:
    other = service.create_tenant("borax")
    cid = "urn:uuid:aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
    vc = _issue(client, acme["api_key"], {"format": "vc+jwt", "credentialStatus": {}}, id=cid)

    revoke = _set_status(client, other["api_key"], cid, "revocation", True)
    assert revoke.status_code == 404
    assert revoke.headers["content-type"] == "application/problem+json"
    assert _verify(client, vc)[0] == 200, "B's attempt must not have changed A's status"

    assert client.get(f"/credentials/{cid}", headers=auth(other["api_key"])).status_code == 404
    assert client.get(f"/credentials/{cid}").status_code == 404
    assert client.get(f"/credentials/{cid}", headers=auth(acme["api_key"])).status_code == 200
    listing = client.get("/credentials", headers=auth(other["api_key"])).json()
    assert listing["credentials"] == []

    forged = client.post(
        "/credentials/issue",
        json={"credential": credential(issuer=acme["did"]), "options": {}},
        headers=auth(other["api_key"]),
    )
    assert forged.status_code == 403
    assert "not the signing key's controller" in forged.json()["detail"]


def test_published_credentials_are_public(client: TestClient, acme: dict[str, str]) -> None:
    cid = "urn:uuid:99999999-8888-4777-8666-555555555555"
    _issue(client, acme["api_key"], {"publish": True}, id=cid)
    assert client.get(f"/credentials/{cid}").status_code == 200
    assert client.get("/credentials/urn:uuid:unknown").status_code == 404


def test_presentation_verify_endpoint(client: TestClient, acme: dict[str, str]) -> None:
    vc = _issue(client, acme["api_key"], {"format": "eddsa-rdfc-2022"})
    presentation = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": [vc],
    }
    response = client.post(
        "/presentations/verify",
        json={"verifiablePresentation": presentation, "options": {"challenge": "abc"}},
    )
    assert response.status_code == 422
    assert "proof.present" in {c["id"] for c in response.json()["errors"]}


def test_private_keys_are_never_returned(client: TestClient, acme: dict[str, str]) -> None:
    responses = [
        client.get("/tenants/acme/did.json"),
        client.get("/tenants/me/keys", headers=auth(acme["api_key"])),
        client.post("/tenants/me/keys", json={}, headers=auth(acme["api_key"])),
    ]
    for response in responses:
        text = json.dumps(response.json())
        assert '"d"' not in text
        assert "privateKey" not in text


def test_ops_endpoints(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ready"}
    client.post("/credentials/verify", json={"verifiableCredential": {}})
    metrics = client.get("/metrics").text
    assert 'route="/credentials/verify",status="422"' in metrics
    assert client.get("/docs").status_code == 200
    assert "x-request-id" in client.get("/healthz").headers


# --- did:key tenants ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("key_type", "fmt"),
    [
        (KeyType.ED25519, "vc+jwt"),
        (KeyType.ED25519, "eddsa-rdfc-2022"),
        (KeyType.ED25519, "eddsa-jcs-2022"),
        (KeyType.P256, "ecdsa-rdfc-2019"),
        (KeyType.P384, "ecdsa-jcs-2019"),
        (KeyType.P384, "vc+jwt"),
    ],
)
def test_did_key_tenant_issue_verify_revoke(
    client: TestClient, service: Service, key_type: KeyType, fmt: str
) -> None:
    keyco = service.create_tenant("keyco", key_type, did_method="key")
    fingerprint = keyco["did"].removeprefix("did:key:")
    assert PublicKey.from_multibase(fingerprint).key_type is key_type
    cid = "urn:uuid:3f2e1d0c-9b8a-4765-8432-10fedcba9876"
    options = {"format": fmt, "credentialStatus": {"type": "BitstringStatusListEntry"}}
    vc = _issue(client, keyco["api_key"], options, id=cid)
    if fmt == "vc+jwt":
        header = json.loads(b64url_decode(vc["id"].split(",", 1)[1].split(".")[0]))
        method = header["kid"]
    else:
        assert vc["issuer"] == keyco["did"]
        method = vc["proof"]["verificationMethod"]
    assert method == f"{keyco['did']}#{fingerprint}"
    status, report = _verify(client, vc)
    assert status == 200, report
    passed = {c["id"] for c in report["checks"] if c["outcome"] == "passed"}
    assert {"proof.signature", "proof.issuer-binding", "status.revocation"} <= passed

    assert _set_status(client, keyco["api_key"], cid, "revocation", True).status_code == 200
    status, report = _verify(client, vc)
    assert (status, _failed(report)) == (422, {"status.revocation"})


def test_did_key_tenant_cannot_rotate_and_has_no_hosted_document(
    client: TestClient, service: Service, acme: dict[str, str]
) -> None:
    keyco = service.create_tenant("keyco", did_method="key")
    headers = auth(keyco["api_key"])
    method = f"{keyco['did']}#{keyco['did'].removeprefix('did:key:')}"
    before = client.get("/tenants/me/keys", headers=headers).json()
    assert [(k["id"], k["active"]) for k in before] == [(method, True)]

    for response in (
        client.post("/tenants/me/keys", json={"type": "ed25519"}, headers=headers),
        client.post("/tenants/me/keys/key-1/retire", headers=headers),
    ):
        assert response.status_code == 409, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert "derived from that key" in response.json()["detail"]
    assert client.get("/tenants/me/keys", headers=headers).json() == before
    vc = _issue(client, keyco["api_key"], {"format": "eddsa-rdfc-2022"})
    assert vc["proof"]["verificationMethod"] == method

    assert client.get("/tenants/keyco/did.json").status_code == 404
    assert client.get("/tenants/acme/did.json").status_code == 200
    rotated = client.post("/tenants/me/keys", json={}, headers=auth(acme["api_key"]))
    assert rotated.status_code == 201, "did:web tenants still rotate"


def test_did_key_tenant_isolation(
    client: TestClient, service: Service, acme: dict[str, str]
) -> None:
    keyco = service.create_tenant("keyco", did_method="key")
    cid = "urn:uuid:bbbbbbbb-cccc-4ddd-8eee-ffffffffffff"
    vc = _issue(client, keyco["api_key"], {"format": "vc+jwt", "credentialStatus": {}}, id=cid)

    assert _set_status(client, acme["api_key"], cid, "revocation", True).status_code == 404
    assert _verify(client, vc)[0] == 200
    assert client.get(f"/credentials/{cid}", headers=auth(acme["api_key"])).status_code == 404
    for tenant, victim in ((acme, keyco), (keyco, acme)):
        forged = client.post(
            "/credentials/issue",
            json={"credential": credential(issuer=victim["did"]), "options": {}},
            headers=auth(tenant["api_key"]),
        )
        assert forged.status_code == 403, forged.text
    with pytest.raises(ConflictError, match="taken"):
        service.create_tenant("acme", did_method="key")


def test_unknown_did_method_is_refused(service: Service) -> None:
    with pytest.raises(InputError, match="DID method"):
        service.create_tenant("acme", did_method="jwk")  # type: ignore[arg-type]
