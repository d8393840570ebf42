"""``/vocab/``: the page, the context (the pinned bytes), Turtle, JSON-LD and the profile
schemas, their media types, negotiation, CORS and caching headers, and their OpenAPI contract
under schemathesis (the same checks tests/api/test_schemathesis.py runs).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph
import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import given, settings
from pydantic import SecretStr
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import REPO
from vcservice.api import create_app
from vcservice.jsonld import BUNDLED_CONTEXTS
from vcservice.settings import Settings
from vcservice.vocab import CONTEXT_URL, PROFILES, published

OPERATIONS = [
    ("GET", "/vocab/"),
    ("GET", "/vocab/context.jsonld"),
    ("GET", "/vocab/vocab.ttl"),
    ("GET", "/vocab/vocab.jsonld"),
    ("GET", "/vocab/schemas/{profile}"),
]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def app(tmp_path: Path) -> FastAPI:
    app = create_app(
        Settings(
            database_url=f"sqlite:///{tmp_path / 'vcservice.db'}",
            public_url="http://localhost:8000",
            secret_key=SecretStr("A" * 43),  # tests only
        )
    )
    return app


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def test_page(client: TestClient) -> None:
    response = client.get("/vocab/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "chainOfCustodyModel" in response.text


def test_context_is_the_bundled_pinned_file(client: TestClient) -> None:
    response = client.get("/vocab/context.jsonld")
    assert response.status_code == 200
    assert response.headers["content-type"] == (
        'application/ld+json; profile="http://www.w3.org/ns/json-ld#context"'
    )
    bundled = REPO / "vcservice" / "jsonld" / "contexts" / "critical-minerals-v1.jsonld"
    assert response.content == bundled.read_bytes()


def test_turtle(client: TestClient) -> None:
    response = client.get("/vocab/vocab.ttl")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    assert response.content == (REPO / "vocab" / "critical-minerals.ttl").read_bytes()


@pytest.mark.parametrize("profile", PROFILES)
def test_profile_schema(client: TestClient, profile: str) -> None:
    response = client.get(f"/vocab/schemas/{profile}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/schema+json"
    assert json.loads(response.content)["$id"].endswith(f"/{profile}.schema.json")


def test_unknown_profile_is_a_problem(client: TestClient) -> None:
    response = client.get("/vocab/schemas/no-such-profile")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


#: Every document, with the media type (parameters included) it must come with.
DOCUMENTS = [
    ("/vocab/", "text/html; charset=utf-8"),
    (
        "/vocab/context.jsonld",
        'application/ld+json; profile="http://www.w3.org/ns/json-ld#context"',
    ),
    ("/vocab/vocab.ttl", "text/turtle; charset=utf-8"),
    ("/vocab/vocab.jsonld", 'application/ld+json; profile="http://www.w3.org/ns/json-ld#expanded"'),
    *((f"/vocab/schemas/{profile}", "application/schema+json") for profile in PROFILES),
]


def _triples(data: bytes, fmt: pyoxigraph.RdfFormat) -> set[str]:
    """The graph's triples, blank nodes canonically labelled (RDFC-1.0): comparable."""
    dataset = pyoxigraph.Dataset(pyoxigraph.parse(data, format=fmt))
    dataset.canonicalize(pyoxigraph.CanonicalizationAlgorithm.RDFC_1_0)
    return {str(quad) for quad in dataset}


def test_vocabulary_as_jsonld_is_the_turtle_graph(client: TestClient) -> None:
    response = client.get("/vocab/vocab.jsonld")
    assert response.status_code == 200
    turtle = (REPO / "vocab" / "critical-minerals.ttl").read_bytes()
    graph = _triples(response.content, pyoxigraph.RdfFormat.JSON_LD)
    assert graph == _triples(turtle, pyoxigraph.RdfFormat.TURTLE)
    assert len(graph) > 100
    assert "@context" not in response.text  # expanded: nothing to fetch


@pytest.mark.parametrize(
    ("accept", "media_type", "source"),
    [
        (None, "text/html", "html"),
        ("*/*", "text/html", "html"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html", "html"),
        ("text/turtle", "text/turtle", "turtle"),
        ("application/ld+json", "application/ld+json", "jsonld"),
        ("application/json", "application/ld+json", "jsonld"),
        ("text/turtle, application/ld+json;q=0.5", "text/turtle", "turtle"),
        ("text/turtle;q=0.4, application/ld+json", "application/ld+json", "jsonld"),
        ("text/html;q=0.1, text/turtle", "text/turtle", "turtle"),
        ("image/png", "text/html", "html"),  # nothing acceptable: the page, not a 406
    ],
)
def test_the_vocabulary_url_negotiates(
    client: TestClient, accept: str | None, media_type: str, source: str
) -> None:
    response = client.get("/vocab/", headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    assert response.headers["vary"] == "Accept"
    assert response.content == getattr(published(), source)


@pytest.mark.parametrize(("path", "media_type"), DOCUMENTS)
def test_every_document_is_public_typed_and_revalidated(
    client: TestClient, path: str, media_type: str
) -> None:
    response = client.get(path, headers={"Origin": "https://reader.example"})
    assert response.status_code == 200
    assert response.headers["content-type"] == media_type
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["access-control-expose-headers"] == "ETag"
    assert response.headers["cache-control"] == "public, max-age=3600"
    assert response.headers["x-content-type-options"] == "nosniff"
    tag = response.headers["etag"]
    assert tag == '"' + hashlib.sha256(response.content).hexdigest()[:32] + '"'
    for condition in (tag, f"W/{tag}", f'"other", {tag}', "*"):
        again = client.get(path, headers={"If-None-Match": condition})
        assert again.status_code == 304, condition
        assert again.content == b""
        assert again.headers["etag"] == tag
        assert again.headers["access-control-allow-origin"] == "*"
    assert client.get(path, headers={"If-None-Match": '"other"'}).status_code == 200
    head = client.head(path)
    assert head.status_code == 200
    assert head.headers["content-type"] == media_type
    assert head.headers["etag"] == tag
    assert head.headers["access-control-allow-origin"] == "*"


def test_the_context_etag_is_its_pinned_hash(client: TestClient) -> None:
    pinned = next(c.sha256 for c in BUNDLED_CONTEXTS if c.url == CONTEXT_URL)
    assert client.get("/vocab/context.jsonld").headers["etag"] == f'"{pinned[:32]}"'


@pytest.mark.parametrize("path", [p for p, _ in DOCUMENTS])
def test_a_cors_preflight_is_answered(client: TestClient, path: str) -> None:
    # An Accept with a quoted profile parameter is not CORS-safelisted: a browser asks first.
    response = client.options(
        path,
        headers={
            "Origin": "https://reader.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "accept,if-none-match",
        },
    )
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "*"
    assert "GET" in response.headers["access-control-allow-methods"]
    allowed = {
        h.strip().lower() for h in response.headers["access-control-allow-headers"].split(",")
    }
    assert {"accept", "if-none-match"} <= allowed
    assert int(response.headers["access-control-max-age"]) > 0


def test_documented_operations(app: FastAPI) -> None:
    paths = app.openapi()["paths"]
    documented = {
        (m.upper(), p) for p, item in paths.items() for m in item if p.startswith("/vocab")
    }
    assert documented == set(OPERATIONS)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda o: f"{o[0]} {o[1]}")
def test_operation_conforms(app: FastAPI, operation: tuple[str, str], mode: GenerationMode) -> None:
    if mode is GenerationMode.NEGATIVE and "{" not in operation[1]:
        pytest.skip("no parameters, body or security to make invalid")
    config = schemathesis.Config.from_dict(
        {"generation": {"deterministic": True, "database": "none"}}
    )
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=config)
    method, path = operation
    strategy = schema[path][method].as_strategy(generation_mode=mode)

    @settings(max_examples=50, derandomize=True, database=None, deadline=None)
    @given(case=strategy)
    def conforms(case: schemathesis.Case[Any]) -> None:
        case.call_and_validate(checks=CHECKS)

    conforms()
