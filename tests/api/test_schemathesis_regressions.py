"""What the schemathesis run (and the probing around it) found, pinned on both backends.

Each test names the bug it guards against; ``test_schemathesis.py`` explains the run itself.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from vcservice.api import create_app
from vcservice.service import Service
from vcservice.settings import Settings
from vcservice.store import StoreUnavailableError

from .conftest import auth, credential

JSON = {"Content-Type": "application/json"}


@pytest.fixture
def key(service: Service) -> str:
    return service.create_tenant("acme")["api_key"]


def _is_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == status
    return body


# --- a POST without a body (retiring a key) was refused with 415 ----------------------------------
def test_retire_needs_no_body_or_content_type(client: TestClient, key: str) -> None:
    assert client.post("/tenants/me/keys", json={}, headers=auth(key)).status_code == 201
    retired = client.post("/tenants/me/keys/key-1/retire", headers=auth(key))
    assert retired.status_code == 200, retired.text
    assert retired.json()["active"] is False
    _is_problem(client.post("/tenants/me/keys/key-2/retire", headers=auth(key)), 409)


def test_bodyless_post_without_key_is_401_not_415(client: TestClient, key: str) -> None:
    response = client.post("/tenants/me/keys/key-1/retire")
    _is_problem(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"


def test_a_body_still_needs_a_json_media_type(client: TestClient, key: str) -> None:
    headers = {**auth(key), "Content-Type": "text/plain"}
    _is_problem(client.post("/tenants/me/keys/key-1/retire", content=b"x", headers=headers), 415)
    _is_problem(client.post("/credentials/issue", headers=auth(key)), 422)  # body required


# --- 405 lost its Allow header (the problem handler dropped HTTPException headers) ----------------
def test_method_not_allowed_says_what_is(client: TestClient, key: str) -> None:
    response = client.get("/tenants/me/keys/key-1/retire", headers=auth(key))
    _is_problem(response, 405)
    assert response.headers["allow"] == "POST"
    assert client.put("/healthz", content=b"{}", headers=JSON).headers["allow"] == "GET"


# --- request validation answered problem+json where OpenAPI promised HTTPValidationError JSON ----
def test_query_validation_is_a_documented_problem(client: TestClient, key: str) -> None:
    body = _is_problem(client.get("/credentials?offset=-1", headers=auth(key)), 422)
    assert body["errors"] == [
        {"pointer": "/offset", "detail": "Input should be greater than or equal to 0"}
    ]
    documented = client.get("/openapi.json").json()["paths"]["/credentials"]["get"]["responses"]
    assert list(documented["422"]["content"]) == ["application/problem+json"]


# --- a lone surrogate (\ud800) in a JSON string reached RDFC canonicalization: 500 ---------------
@pytest.mark.parametrize(
    "raw",
    [b'"\\ud800"', b'"a\\uDFFFb"', b'"\xed\xa0\x80"'],
    ids=["escape", "low-escape", "raw-bytes"],
)
def test_lone_surrogates_are_refused(client: TestClient, key: str, raw: bytes) -> None:
    document = credential()
    document["credentialSubject"]["grade"] = "@@"
    issue = b'{"credential": %s, "options": {"format": "eddsa-rdfc-2022"}}' % (
        json.dumps(document).encode().replace(b'"@@"', raw)
    )
    headers = {**auth(key), **JSON}
    body = _is_problem(client.post("/credentials/issue", content=issue, headers=headers), 400)
    assert "surrogate" in body["detail"]
    as_name = b'{"verifiableCredential": {%s: 1}}' % raw
    _is_problem(client.post("/credentials/verify", content=as_name, headers=JSON), 400)


def test_surrogate_pairs_are_fine(client: TestClient) -> None:
    pair = b'{"verifiableCredential": "\\ud83d\\ude00"}'
    response = client.post("/credentials/verify", content=pair, headers=JSON)
    assert response.status_code == 422  # a report: not a JWS
    assert response.json()["verified"] is False


# --- NUL in an identifier: PostgreSQL refuses it in text, which surfaced as 500 ------------------
@pytest.mark.parametrize(
    "path",
    [
        "/credentials/a%00b",
        "/status-lists/a%00b",
        "/tenants/a%00b/did.json",
    ],
)
def test_control_characters_in_path_ids(client: TestClient, key: str, path: str) -> None:
    _is_problem(client.get(path, headers=auth(key)), 422)


def test_control_characters_in_key_fragment(client: TestClient, key: str) -> None:
    _is_problem(client.post("/tenants/me/keys/key%001/retire", headers=auth(key)), 422)


def test_control_characters_in_credential_id(client: TestClient, key: str) -> None:
    body = {
        "credentialId": "urn:uuid:\x00",
        "credentialStatus": [{"status": True, "statusPurpose": "revocation"}],
    }
    _is_problem(client.post("/credentials/status", json=body, headers=auth(key)), 422)


# --- an unavailable database was reported as 400 (the client's fault) ----------------------------
def test_store_outage_is_503(
    client: TestClient, service: Service, key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def down(api_key: str) -> None:
        raise StoreUnavailableError("the database is unavailable or busy; try again")

    monkeypatch.setattr(service.store, "tenant_by_api_key", down)
    body = _is_problem(client.get("/credentials", headers=auth(key)), 503)
    assert body["type"].endswith("/store-unavailable")


# --- optional auth was declared as required; the verifier setting is reflected -----------------
def test_security_requirements_are_truthful(client: TestClient, settings: Settings) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert paths["/credentials/issue"]["post"]["security"] == [{"HTTPBearer": []}]
    assert {} in paths["/credentials/verify"]["post"]["security"]
    assert {} in paths["/credentials/{credential_id}"]["get"]["security"]

    strict = settings.model_copy(update={"verify_requires_auth": True})
    with TestClient(create_app(strict)) as other:  # owns (and closes) its service
        paths = other.get("/openapi.json").json()["paths"]
        assert paths["/credentials/verify"]["post"]["security"] == [{"HTTPBearer": []}]
        assert {} in paths["/credentials/{credential_id}"]["get"]["security"]
        _is_problem(other.post("/credentials/verify", json={"verifiableCredential": {}}), 401)


# --- found by probing: a non-list `type` reached the pipeline ------------------------------
@pytest.mark.parametrize("value", [5, None])
def test_non_list_type_gets_a_report(client: TestClient, value: object) -> None:
    response = client.post("/credentials/verify", json={"verifiableCredential": {"type": value}})
    assert response.status_code in (400, 422), response.text
