"""200 concurrent issuance requests with status entries get 200 distinct status indexes.

A real uvicorn server on a free loopback port serves the app; requests come from a thread pool,
so the sync endpoints run concurrently in the server's own thread pool against the database.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
import uvicorn

from vcservice.api import create_app
from vcservice.service import Service

from .conftest import auth, credential

REQUESTS = 200


@pytest.fixture
def live_url(service: Service) -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        create_app(service=service), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.mark.network
def test_concurrent_issuance_allocates_distinct_indexes(live_url: str, service: Service) -> None:
    key = service.create_tenant("acme")["api_key"]
    body = {
        "credential": credential(),
        "options": {
            "format": "eddsa-jcs-2022",
            "credentialStatus": {"statusPurpose": "revocation"},
        },
    }

    with httpx.Client(base_url=live_url, timeout=60) as client:

        def issue(_: int) -> Any:
            response = client.post("/credentials/issue", json=body, headers=auth(key))
            assert response.status_code == 201, response.text
            return response.json()["verifiableCredential"]["credentialStatus"]

        with ThreadPoolExecutor(max_workers=32) as pool:
            entries = list(pool.map(issue, range(REQUESTS)))

    pairs = {(e["statusListCredential"], e["statusListIndex"]) for e in entries}
    assert len(pairs) == REQUESTS
    assert (
        len(service.store.credentials(service.store.tenant_by_name("acme").id, limit=500))
        == REQUESTS
    )  # type: ignore[union-attr]
