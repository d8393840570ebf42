"""100 concurrent requests spending the same credit: exactly one succeeds, 99 get 409.

As in ``test_concurrency.py``: a real uvicorn server on a loopback port, requests from a thread
pool, so the issuing transactions really run side by side against SQLite or PostgreSQL.
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from vcservice.cli import app as cli
from vcservice.links import digest_document
from vcservice.service import Service
from vcservice.store import Base

from ..ledger.events import CATHODE, certified, link, make_event, move_event, product
from .conftest import auth

REQUESTS = 100


def _total_balance(service: Service) -> int:
    accounts = Base.metadata.tables["ledger_accounts"]
    with service.store.engine.connect() as connection:
        return int(connection.scalar(select(func.sum(accounts.c.balance_mg))) or 0)


@pytest.mark.network
def test_one_credit_spent_by_100_requests_at_once(
    live_url: str, service: Service, settings: Any
) -> None:
    key = service.create_tenant("smelter")["api_key"]
    with httpx.Client(base_url=live_url, timeout=120) as client:
        made = client.post(
            "/credentials/issue",
            json={"credential": make_event([product(CATHODE, [certified(45)])])},
            headers=auth(key),
        )
        assert made.status_code == 201, made.text
        source = [
            link(
                "https://smelter.example/make", digest_document(made.json()["verifiableCredential"])
            )
        ]
        spend = {"credential": move_event(product(CATHODE, [certified(45, source=source)]))}
        before = _total_balance(service)
        assert before == 45_000_000_000

        def attempt(_: int) -> tuple[int, str]:
            response = client.post("/credentials/issue", json=spend, headers=auth(key))
            return response.status_code, response.json().get("type", "")

        with ThreadPoolExecutor(max_workers=32) as pool:
            outcomes = Counter(pool.map(attempt, range(REQUESTS)))

    refused = (409, "https://vcservice.dev/problems/ledger.insufficient-credit")
    assert outcomes == {(201, ""): 1, refused: REQUESTS - 1}, outcomes
    assert _total_balance(service) == before  # moved from the make account to the move's
    assert service.store.ledger_head().count == 4  # origin, credit; one debit, one credit
    tenant = service.store.tenant_by_name("smelter")
    assert tenant is not None
    assert len(service.store.credentials(tenant.id, limit=500)) == 2

    service.ledger_checkpoint()
    result = CliRunner().invoke(cli, ["ledger", "verify", "--database", settings.database_url])
    assert result.exit_code == 0, result.output
    assert "ledger intact: 4 entries" in result.output
