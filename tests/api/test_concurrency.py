"""200 concurrent issuance requests with status entries get 200 distinct status indexes.

A real uvicorn server on a free loopback port serves the app; requests come from a thread pool,
so the sync endpoints run concurrently in the server's own thread pool against the database.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from vcservice.service import Service

from .conftest import auth, credential

REQUESTS = 200


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
    tenant = service.store.tenant_by_name("acme")
    assert tenant is not None
    assert len(service.store.credentials(tenant.id, limit=500)) == REQUESTS
