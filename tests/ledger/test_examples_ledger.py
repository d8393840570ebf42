"""The example chains (examples/build.py) posted to a real ledger, credential by credential as
their issuers would: every debit is drawn by the holder of the account it draws on (the maker,
or the consignee a move passed the credit to), and nothing is refused."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from tests.conftest import REPO
from vcservice.ledger import StoredEntry, postings_of
from vcservice.links import digest_document
from vcservice.securing.jose import parse_envelope
from vcservice.service import Service
from vcservice.settings import Settings

CHAINS = sorted(p.parent for p in (REPO / "examples").glob("*/index.json"))


def _document(served: Any) -> dict[str, Any]:
    if isinstance(served, dict) and "proof" in served:
        return served
    payload = parse_envelope(served)[1].split(".")[1]
    decoded: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    )
    return decoded


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Service]:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'ledger.db'}",
        public_url="https://ledger.example",
        secret_key=SecretStr("A" * 43),
    )
    svc = Service.from_settings(settings)
    svc.create_tenant("platform")
    yield svc
    svc.close()


@pytest.mark.parametrize("chain", CHAINS, ids=[c.name for c in CHAINS])
def test_the_example_chains_balance_under_the_holder_rule(service: Service, chain: Path) -> None:
    tenant = service.store.tenant_by_name("platform")
    assert tenant is not None
    issuers: dict[str, str] = {}
    for item in json.loads((chain / "index.json").read_text())["credentials"]:
        served = json.loads((chain / item["file"]).read_text())
        document = _document(served)
        postings = postings_of(document)
        if not postings:
            continue
        issuers[document["id"]] = item["issuer"]
        with service.store.transaction() as tx:
            tx.post_ledger(
                tenant.id, item["issuer"], document["id"], digest_document(served), postings
            )
    count = service.store.ledger_head().count
    entries = [service.store.ledger_entry(seq) for seq in range(1, count + 1)]
    debits = [e.entry for e in entries if isinstance(e, StoredEntry) and e.entry.kind == "debit"]
    assert len(issuers) >= 5
    assert debits
    for debit in debits:
        assert debit.holder == issuers[debit.credential_id]
    assert len({debit.holder for debit in debits}) >= 2  # the credit changed hands
