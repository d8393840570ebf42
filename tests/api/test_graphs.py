"""``POST /graphs/verify``: the example chains verify, their negative variants do not, and a bad
request is a problem detail, never a 500."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import REPO
from vcservice.api import create_app
from vcservice.errors import ResolutionError
from vcservice.graph import load_bundle
from vcservice.service import Service

EXAMPLES = REPO / "examples"
AT = "2026-06-01T00:00:00Z"


class Offline:
    """Tests use loopback only: a link outside the bundle is unreachable, never looked up."""

    def fetch(self, url: str) -> Any:
        raise ResolutionError(f"could not fetch linked credential {url}: offline test")


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'vcservice.db'}"  # graphs touch no table: one backend is enough


@pytest.fixture
def client(service: Service) -> Iterator[TestClient]:
    service.network_links = Offline()
    with TestClient(create_app(service=service), raise_server_exceptions=False) as test_client:
        yield test_client


def chain_body(chain: str, root: str) -> dict[str, Any]:
    bundle = load_bundle(EXAMPLES / chain)
    return {
        "root": next(url for url in bundle.documents if url.endswith("/" + root)),
        "trustAnchors": list(bundle.trust_anchors),
        "verificationTime": AT,
        "documents": dict(bundle.documents),
        "didDocuments": dict(bundle.did_documents),
    }


def test_the_copper_chain_verifies_end_to_end(client: TestClient) -> None:
    response = client.post("/graphs/verify", json=chain_body("copper", "claim-computers"))
    body = response.json()
    assert response.status_code == 200, body["summary"]
    assert body["verified"] is True
    assert body["summary"]["nodes"] == len(body["nodes"]) >= 17
    footprints = [p["carbonFootprint"] for p in body["products"] if p["carbonFootprint"]]
    assert footprints
    assert all(f["computed"] == pytest.approx(f["claimed"]) for f in footprints)


@pytest.mark.parametrize(
    "path",
    sorted(EXAMPLES.glob("*/negative/*.json")),
    ids=lambda p: f"{p.parent.parent.name}-{p.stem}",
)
def test_a_negative_variant_posted_as_is_fails_with_its_check(
    client: TestClient, path: Path
) -> None:
    response = client.post(
        "/graphs/verify", content=path.read_bytes(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    body = response.json()
    assert body["verified"] is False
    expected = json.loads(path.read_text())["expectedCheck"]  # the file name, or a case of it
    assert expected in body["summary"]["failedChecks"]
    problems = {p["type"].rsplit("/", 1)[-1] for p in body["problemDetails"]}
    assert expected in problems


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({}, 422),
        ({"root": "https://x.example/a"}, 422),
        ({"root": "https://x.example/a", "trustAnchors": []}, 422),
        ({"root": "ftp://x.example/a", "trustAnchors": ["did:web:a.example"]}, 400),
        ({"root": "https://x.example/a", "trustAnchors": ["not a did"]}, 400),
        (
            {
                "root": "https://x.example/a",
                "trustAnchors": ["did:web:a.example"],
                "documents": {"ftp://x": {}},
            },
            400,
        ),
        (
            {
                "root": "https://x.example/a",
                "trustAnchors": ["did:web:a.example"],
                "verificationTime": "tomorrow",
            },
            400,
        ),
        ({"root": "https://x.example/a", "trustAnchors": ["did:web:a.example"]}, 422),
        ({"root": {"not": "a credential"}, "trustAnchors": ["did:web:a.example"]}, 422),
    ],
)
def test_bad_requests_are_problem_details(
    client: TestClient, body: dict[str, Any], status: int
) -> None:
    response = client.post("/graphs/verify", json=body)
    assert response.status_code == status, response.text
    if status == 400 or "verified" not in response.json():
        assert response.headers["content-type"].startswith("application/problem+json")


def test_limits_asked_for_are_honoured(client: TestClient) -> None:
    body = chain_body("copper", "claim-computers") | {"options": {"maxNodes": 3}}
    response = client.post("/graphs/verify", json=body)
    assert response.status_code == 422
    assert response.json()["summary"]["nodes"] == 3
    assert "graph.node-limit" in response.json()["summary"]["failedChecks"]


def test_the_report_is_json_all_the_way_down(client: TestClient) -> None:
    response = client.post("/graphs/verify", json=chain_body("steel", "claim-chassis"))
    assert json.loads(response.text)["root"].endswith("/claim-chassis")


def test_upstream_credentials_may_come_as_a_presentation(client: TestClient) -> None:
    body = chain_body("copper", "claim-computers")
    documents = body.pop("documents")
    body["root"] = documents.pop(body["root"])
    body["verifiablePresentation"] = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": list(documents.values()),
    }
    report = client.post("/graphs/verify", json=body).json()
    assert report["summary"]["nodes"] >= 17
    assert "links.unreachable" not in report["summary"]["failedChecks"]
