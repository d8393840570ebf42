"""``/vocab/``: the page, the context (the pinned bytes), Turtle and the profile schemas, and
their OpenAPI contract under schemathesis (the same checks tests/api/test_schemathesis.py runs).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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
from vcservice.settings import Settings
from vcservice.vocab import PROFILES

OPERATIONS = [
    ("GET", "/vocab/"),
    ("GET", "/vocab/context.jsonld"),
    ("GET", "/vocab/vocab.ttl"),
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
    assert response.headers["content-type"] == "application/ld+json"
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
