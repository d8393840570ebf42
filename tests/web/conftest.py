"""Web-page fixtures: the copper bundle rooted at the wire passport, and an offline service."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from tests.conftest import REPO
from tests.web._live import browser, chromium, origin
from vcservice.api import create_app
from vcservice.errors import ResolutionError
from vcservice.service import Service
from vcservice.settings import Settings

__all__ = ["browser", "chromium", "origin"]  # the real-browser fixtures, for every module here
COPPER = REPO / "examples" / "copper"
PASSPORT = "https://credentials.malar-kabel.example/dpp-wire-cu80"


class Offline:
    """Tests use loopback only: a link outside the bundle is unreachable, never looked up."""

    def fetch(self, url: str) -> Any:
        raise ResolutionError(f"could not fetch linked credential {url}: offline test")


def passport_bundle(name: str = "bundle.json") -> dict[str, Any]:
    bundle: dict[str, Any] = json.loads((COPPER / name).read_text())
    bundle["root"] = PASSPORT
    return bundle


def verified_page(client: TestClient, bundle: Any) -> str:
    """The result page for ``bundle`` pasted into the form (a bundle, a credential, or text),
    which must be a page (200), whatever its verdict."""
    text = bundle if isinstance(bundle, str) else json.dumps(bundle)
    response = client.post("/verify", data={"credential": text})
    assert response.status_code == 200, response.text[:500]
    return str(response.text)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'vcservice.db'}",
        public_url="http://localhost:8000",
        secret_key=SecretStr("A" * 43),
        max_body_bytes=1 << 20,
    )


@pytest.fixture
def service(settings: Settings) -> Iterator[Service]:
    svc = Service.from_settings(settings)
    svc.network_links = Offline()
    yield svc
    svc.close()


@pytest.fixture
def client(service: Service) -> Iterator[TestClient]:
    with TestClient(create_app(service=service), raise_server_exceptions=False) as test_client:
        yield test_client
