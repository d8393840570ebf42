"""``GET /1.0/identifiers/{did}``: DID resolution results, did:webvh versions, and problem
details for a broken log (one type per rule), a malformed DID and an unresolvable one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.dids.test_history_methods import RotatedDid, rotated_did
from vcservice.api import create_app
from vcservice.dids import MultiResolver, StaticResolver
from vcservice.dids._base import DidHistory
from vcservice.dids._didkey import DidKeyResolver
from vcservice.dids._didwebvh import split_did
from vcservice.errors import (
    PROBLEM_BASE,
    DidLogError,
    DidLogHashChainError,
    DidLogPreRotationError,
    DidLogScidError,
    DidLogUnauthorizedKeyError,
    DidLogWitnessError,
)
from vcservice.service import Service

BROKEN = "did:webvh:QmdydNoC8nLnbaQcWy2yGeGoRtBpRmapEfGmRRTcjhAzJ1:broken.example"


class _Refusing:
    """A did:webvh resolver whose every log breaks the rule ``error`` names."""

    def __init__(self, error: type[DidLogError]) -> None:
        self.error = error

    def resolve(self, did: str) -> dict[str, Any]:
        raise self.error("refused for the test")

    def history(self, did: str) -> DidHistory:
        raise self.error("refused for the test")


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'vcservice.db'}"  # resolution touches no table


@pytest.fixture(scope="module")
def rotated() -> RotatedDid:
    return rotated_did(path="issuer.example%3A8443:cb")


@pytest.fixture
def client(service: Service, rotated: RotatedDid) -> Iterator[TestClient]:
    service.network_resolver = MultiResolver({"key": DidKeyResolver(), "webvh": rotated.resolver()})
    with TestClient(create_app(service=service), raise_server_exceptions=False) as test_client:
        yield test_client


def test_a_did_webvh_resolves_with_its_version_metadata(
    client: TestClient, rotated: RotatedDid
) -> None:
    assert "%3A8443" in split_did(rotated.did)[1]  # the raw path keeps the port's encoding
    response = client.get(f"/1.0/identifiers/{rotated.did}")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/did-resolution")
    result = response.json()
    assert result["didDocument"]["id"] == rotated.did
    metadata = result["didDocumentMetadata"]
    assert metadata["versionId"].startswith("2-")
    assert metadata["created"] == "2025-01-01T00:00:00Z"
    assert metadata["deactivated"] is False

    first = client.get(
        f"/1.0/identifiers/{rotated.did}", params={"versionTime": "2025-01-02T00:00:00Z"}
    ).json()["didDocumentMetadata"]
    assert first["versionId"].startswith("1-")
    assert first["nextVersionId"] == metadata["versionId"]
    again = client.get(f"/1.0/identifiers/{rotated.did}", params={"versionId": first["versionId"]})
    assert again.json()["didDocumentMetadata"] == first


def test_the_service_s_own_did_resolves(client: TestClient) -> None:
    did = client.get("/.well-known/did.json").json()["id"]
    response = client.get(f"/1.0/identifiers/{did}")
    assert response.status_code == 200, response.text
    assert response.json()["didDocument"]["id"] == did
    assert response.json()["didDocumentMetadata"] == {}


@pytest.mark.parametrize(
    "error",
    [
        DidLogError,
        DidLogHashChainError,
        DidLogScidError,
        DidLogUnauthorizedKeyError,
        DidLogPreRotationError,
        DidLogWitnessError,
    ],
)
def test_a_broken_log_is_422_with_its_own_problem_type(
    service: Service, error: type[DidLogError]
) -> None:
    service.network_resolver = MultiResolver({"webvh": _Refusing(error)})
    with TestClient(create_app(service=service), raise_server_exceptions=False) as client:
        response = client.get(f"/1.0/identifiers/{BROKEN}")
    assert response.status_code == 422, response.text
    assert response.json()["type"] == PROBLEM_BASE + error.slug


def test_a_log_with_a_broken_hash_chain_is_refused(service: Service, rotated: RotatedDid) -> None:
    entries = rotated.log.splitlines(keepends=True)
    entries[1] = entries[1].replace("key-b", "key-x", 1)
    broken = StaticResolver({}, logs={rotated.did: ("".join(entries), None)})
    service.network_resolver = MultiResolver({"webvh": broken})
    with TestClient(create_app(service=service), raise_server_exceptions=False) as client:
        response = client.get(f"/1.0/identifiers/{rotated.did}")
    assert response.status_code == 422
    assert response.json()["type"].startswith(PROBLEM_BASE + "did-log")


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/1.0/identifiers/not-a-did", 400),
        ("/1.0/identifiers/did:key:", 400),
        ("/1.0/identifiers/did:web:unsupported.example", 502),  # no did:web resolver here
    ],
)
def test_unusable_or_unresolvable_dids(client: TestClient, path: str, status: int) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"


def test_a_version_of_a_did_without_history_is_400(client: TestClient) -> None:
    did = client.get("/.well-known/did.json").json()["id"]
    assert client.get(f"/1.0/identifiers/{did}", params={"versionId": "1-x"}).status_code == 400
