"""What the buyer page verifies for a scanned address: the passport an identifier's linkset
names, here or at another resolver (through the bounded fetcher), or the address itself."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from vcservice.errors import ResolutionError
from vcservice.service import Service
from vcservice.service.identifiers import Registration
from vcservice.settings import Settings

ROOT = "http://localhost:8000"
FOREIGN = "https://id.brand.example/01/09506000164908/21/S1"
LINKSET = {
    "linkset": [
        {
            "anchor": FOREIGN,
            "https://gs1.org/voc/dpp": [  # a GS1 resolver's name for UNTP's dpp
                {"href": "https://brand.example/dpp/S1", "title": "Passport"}
            ],
            "https://gs1.org/voc/certificationInfo": "not a list, and not a type known here",
        }
    ]
}


def _answer(request: httpx.Request) -> httpx.Response:
    assert request.headers["accept"] == "application/linkset+json"
    if request.url.host == "id.brand.example":
        body = json.dumps(LINKSET).encode()
        return httpx.Response(
            200, content=body, headers={"content-type": "application/linkset+json"}
        )
    return httpx.Response(200, content=b"<html></html>", headers={"content-type": "text/html"})


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Service]:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'vcservice.db'}",
        public_url=ROOT,
        secret_key=SecretStr("A" * 43),
    )
    svc = Service.from_settings(settings)
    svc.http.close()
    svc.http = httpx.Client(transport=httpx.MockTransport(_answer))
    yield svc
    svc.close()


def test_another_resolvers_identifier_leads_to_its_passport(service: Service) -> None:
    found = service.passport_of(FOREIGN)
    assert found is not None
    identifier, passport = found
    assert identifier.path == "/01/09506000164908/21/S1"
    assert passport == "https://brand.example/dpp/S1"


def test_an_address_that_only_looks_like_an_identifier_is_verified_as_given(
    service: Service,
) -> None:
    assert service.passport_of("https://other.example/01/09506000164908") is None  # HTML
    assert service.passport_of("https://127.0.0.1/01/09506000164908") is None  # refused


def test_a_credential_address_is_not_an_identifier(service: Service) -> None:
    assert service.passport_of("https://credentials.example/dpp-1") is None
    assert service.passport_of(f"{ROOT}/tenants/acme/credentials/x") is None


def test_an_identifier_without_a_passport_is_said_so(service: Service) -> None:
    tenant = service.tenant_by_api_key(service.create_tenant("acme")["api_key"])
    assert tenant is not None
    registration = Registration("/01/09506000164908", "dcc", href="https://cert.example/c")
    service.register_identifier(tenant, registration)
    with pytest.raises(ResolutionError, match="no product passport"):
        service.passport_of(f"{ROOT}/01/09506000164908/21/S1")  # its product's links only
