"""A spend of a credit homed elsewhere when the home cannot be reached or answers nothing
usable: 503 (an outage, never a verdict), and nothing is written here."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.instances import free_port
from vcservice.issuing import issue_credential
from vcservice.jsonld import bundled_loader
from vcservice.keys import KeyPair, Signer
from vcservice.links import digest_document
from vcservice.service import Service
from vcservice.store import Base

from ..ledger.events import CATHODE, certified, link, make_event, move_event, product
from .conftest import auth

PROBLEMS = "https://vcservice.dev/problems/"
MOVE_URL = "https://elsewhere.example/move"


def _homed_at(port: int, holder: str) -> Any:
    """A move of 10 t of credit to ``holder``, issued on another platform whose registry
    (the credit's home) is at ``port`` on loopback."""
    platform = Signer.did_key(KeyPair.generate("ed25519"))
    moved = move_event(product(CATHODE, [certified(10)]), consignee=holder)
    moved["credentialSubject"][0]["creditRegistry"] = {
        "id": f"did:web:127.0.0.1%3A{port}",
        "serviceEndpoint": f"http://127.0.0.1:{port}/registry",
    }
    return issue_credential(moved, platform, "vc+jwt", loader=bundled_loader())


def _spend(moved: Any) -> dict[str, Any]:
    links = [link(MOVE_URL, digest_document(moved))]
    return make_event(
        [product(CATHODE, [certified(5)])], [product(CATHODE, [certified(5, source=links)], links)]
    )


def _rows(service: Service) -> dict[str, int]:
    with service.store.engine.connect() as connection:
        return {
            table: connection.execute(
                select(func.count()).select_from(Base.metadata.tables[table])
            ).scalar_one()
            for table in (
                "ledger_entries",
                "credentials",
                "registered_spends",
                "status_allocations",
            )
        }


@pytest.fixture
def smelter(service: Service) -> str:
    key: str = service.create_tenant("smelter")["api_key"]
    return key


@pytest.fixture
def loopback(service: Service) -> Service:
    service.settings = service.settings.model_copy(
        update={"allow_http_loopback": True, "registry_timeout": 2.0}
    )
    return service


@pytest.fixture
def closed_port() -> int:
    port = free_port()
    with socket.socket() as probe:  # nothing listens there
        assert probe.connect_ex(("127.0.0.1", port)) != 0
    return port


class _Broken(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(500)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"the registry is down")

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def broken_home() -> Iterator[int]:
    server = HTTPServer(("127.0.0.1", 0), _Broken)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.network
@pytest.mark.parametrize("home", ["closed_port", "broken_home"])
def test_an_unreachable_home_is_503_and_nothing_is_written(
    client: TestClient, loopback: Service, smelter: str, home: str, request: pytest.FixtureRequest
) -> None:
    port: int = request.getfixturevalue(home)
    moved = _homed_at(port, loopback.tenant_did("smelter"))
    before = _rows(loopback)
    response = client.post(
        "/credentials/issue",
        json={
            "credential": _spend(moved),
            "options": {
                "sourceCredentials": [moved],
                "credentialStatus": {"type": "BitstringStatusListEntry"},
            },
        },
        headers=auth(smelter),
    )
    assert response.status_code == 503, response.text
    assert response.headers["Retry-After"]
    body = response.json()
    assert body["type"] == PROBLEMS + "registry.unavailable"
    assert f"127.0.0.1%3A{port}" in body["detail"]
    assert _rows(loopback) == before
