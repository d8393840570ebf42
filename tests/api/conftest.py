"""API test fixtures: a service on a fresh database per test, for each backend."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from tests.serve import serving
from vcservice.api import create_app
from vcservice.service import Service
from vcservice.settings import Settings

PUBLIC_URL = "http://localhost:8000"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'vcservice.db'}"
    url: str = request.getfixturevalue("fresh_postgres_database")
    return url


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        public_url=PUBLIC_URL,
        secret_key=SecretStr("A" * 43),  # 32 bytes of base64url: tests only
    )


@pytest.fixture
def service(settings: Settings) -> Iterator[Service]:
    svc = Service.from_settings(settings)
    yield svc
    svc.close()


@pytest.fixture
def client(service: Service) -> Iterator[TestClient]:
    with TestClient(create_app(service=service), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def live_url(service: Service) -> Iterator[str]:
    """The service over real loopback HTTP (uvicorn in a thread), for concurrency tests."""
    with serving(service) as url:
        yield url


def auth(api_key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}"}


def credential(**extra: Any) -> dict[str, Any]:
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://www.w3.org/ns/credentials/examples/v2",
        ],
        "type": ["VerifiableCredential", "ExampleCopperCathodeCredential"],
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {
            "id": "urn:uuid:5c8d9a1e-2b3f-4c6d-8e9f-0a1b2c3d4e5f",
            "grade": "Cu 8.0 MIX",
        },
        **extra,
    }
