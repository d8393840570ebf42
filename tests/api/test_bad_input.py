"""Bad input always gets a 4xx problem detail, never a 5xx, and never changes stored data."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from vcservice.service import Service

from .conftest import auth, credential

JSON = {"Content-Type": "application/json"}


@pytest.fixture
def key(service: Service) -> str:
    return service.create_tenant("acme")["api_key"]


def _is_problem(response: Any, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert {"type", "title", "detail", "status"} <= set(response.json())


@pytest.mark.parametrize(
    "path",
    ["/credentials/issue", "/credentials/verify", "/presentations/verify", "/credentials/status"],
)
def test_malformed_json(client: TestClient, key: str, path: str) -> None:
    response = client.post(path, content=b'{"credential": ', headers={**auth(key), **JSON})
    _is_problem(response, 400)


@pytest.mark.parametrize("path", ["/credentials/issue", "/credentials/verify"])
def test_wrong_content_type(client: TestClient, key: str, path: str) -> None:
    headers = {**auth(key), "Content-Type": "application/x-www-form-urlencoded"}
    _is_problem(client.post(path, content=b"credential=1", headers=headers), 415)


def test_oversized_body(client: TestClient) -> None:
    big = b'{"verifiableCredential": "' + b"a" * (2 << 20) + b'"}'
    _is_problem(client.post("/credentials/verify", content=big, headers=JSON), 413)


def test_deeply_nested_and_huge_arrays(client: TestClient) -> None:
    deep = b'{"verifiableCredential": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    _is_problem(client.post("/credentials/verify", content=deep, headers=JSON), 400)
    wide = b'{"verifiableCredential": {"x": [' + b",".join([b"1"] * 20000) + b"]}}"
    _is_problem(client.post("/credentials/verify", content=wide, headers=JSON), 400)


def test_unknown_format(client: TestClient, key: str) -> None:
    body = {"credential": credential(), "options": {"format": "rsa-2048"}}
    _is_problem(client.post("/credentials/issue", json=body, headers=auth(key)), 422)


def test_malformed_credential_names_the_rule(client: TestClient, key: str) -> None:
    body = {"credential": credential(validFrom="soon"), "options": {}}
    response = client.post("/credentials/issue", json=body, headers=auth(key))
    _is_problem(response, 422)
    assert "datamodel.valid-from" in response.json()["detail"]


def test_foreign_context_is_named(client: TestClient, key: str) -> None:
    document = credential()
    document["@context"].append("https://contexts.example.net/x")
    response = client.post("/credentials/issue", json={"credential": document}, headers=auth(key))
    _is_problem(response, 422)
    assert "https://contexts.example.net/x" in response.json()["detail"]


def test_missing_and_wrong_api_key(client: TestClient, key: str) -> None:
    body = {"credential": credential()}
    _is_problem(client.post("/credentials/issue", json=body), 401)
    _is_problem(client.post("/credentials/issue", json=body, headers=auth("vcs_wrong")), 401)


@pytest.mark.parametrize(
    "body",
    [{}, {"credential": "x"}, {"credential": []}, {"credential": {}, "options": "x"}, [], "x", 1],
)
def test_wrong_shapes_on_issue(client: TestClient, key: str, body: object) -> None:
    response = client.post("/credentials/issue", json=body, headers=auth(key))
    assert 400 <= response.status_code < 500, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    "value",
    [{}, [], 1, None, "not a jws", "a.b.c", {"type": "EnvelopedVerifiableCredential", "id": "x"}],
)
def test_verify_garbage_is_4xx(client: TestClient, value: object) -> None:
    response = client.post("/credentials/verify", json={"verifiableCredential": value})
    assert 400 <= response.status_code < 500, response.text


def test_status_of_unknown_credential(client: TestClient, key: str) -> None:
    body = {
        "credentialId": "urn:uuid:nope",
        "credentialStatus": [{"status": True, "statusPurpose": "revocation"}],
    }
    _is_problem(client.post("/credentials/status", json=body, headers=auth(key)), 404)
