"""The console's credential search, in SQL on both backends: words, wildcards, paging, tenants.

PostgreSQL's LIKE is case-sensitive and SQLite's is not: the stored words and the searched
ones are both case-folded, so the two agree; ``%`` and ``_`` are escaped on both.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from vcservice.errors import InputError
from vcservice.keys import KeyType
from vcservice.store import Store, Tenant
from vcservice.store._credentials import backfill_search_text


def _tenant(store: Store, name: str = "acme") -> Tenant:
    return store.create_tenant(name, f"did:web:{name}.example", KeyType.ED25519)[0]


def _credential(name: str, product: str = "Copper cathode") -> dict[str, Any]:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential", "DigitalProductPassport"],
        "name": name,
        "credentialSubject": {"type": ["Product"], "name": product},
    }


def _names(store: Store, tenant: Tenant, query: str, **page: int) -> list[str]:
    records, _ = store.search_credentials(
        tenant.id, query, limit=page.get("limit", 50), offset=page.get("offset", 0)
    )
    return [r.document["name"] for r in records]


def test_words_case_and_wildcards(store: Store) -> None:
    tenant = _tenant(store)
    for n, name in enumerate(("Kupfer 50% Grube", "Kupfer 500 t", "Lot_A", "LotXA", "ÅSA Koppar")):
        store.save_credential(tenant.id, f"urn:uuid:{n}", _credential(name), "di", published=False)
    assert _names(store, tenant, "kupfer 50%") == ["Kupfer 50% Grube"]
    assert _names(store, tenant, "LOT_a") == ["Lot_A"]
    assert _names(store, tenant, "åsa") == ["ÅSA Koppar"]
    assert _names(store, tenant, "passport cathode urn:uuid:4") == ["ÅSA Koppar"]
    assert _names(store, tenant, "nickel") == []
    assert len(_names(store, tenant, "")) == 5


def test_paging_edges_and_totals(store: Store) -> None:
    tenant = _tenant(store)
    for n in range(7):
        store.save_credential(tenant.id, f"id-{n}", _credential(f"Lot {n}"), "di", published=False)
    records, total = store.search_credentials(tenant.id, "lot", limit=3, offset=6)
    assert ([r.id for r in records], total) == (["id-0"], 7)  # newest first: id-6 … id-0
    assert store.search_credentials(tenant.id, "lot", limit=3, offset=7) == ([], 7)
    assert store.search_credentials(tenant.id, "lot", limit=0) == ([], 7)
    for bad in ({"limit": -1}, {"limit": 1001}, {"limit": 1, "offset": -1}):
        with pytest.raises(InputError):
            store.search_credentials(tenant.id, "", **bad)
    with pytest.raises(InputError):
        store.search_credentials(tenant.id, "x" * 201, limit=1)


def test_only_the_tenants_own_credentials(store: Store) -> None:
    acme, rival = _tenant(store), _tenant(store, "rival")
    store.save_credential(acme.id, "same", _credential("Acme wire"), "di", published=True)
    store.save_credential(rival.id, "same", _credential("Rival wire"), "di", published=True)
    assert _names(store, acme, "wire") == ["Acme wire"]
    assert _names(store, acme, "rival") == []
    assert _names(store, rival, "same") == ["Rival wire"]


def test_backfill_fills_rows_saved_before_the_column(store: Store) -> None:
    tenant = _tenant(store)
    for n in range(5):
        store.save_credential(
            tenant.id, f"Old-{n}", _credential(f"Anode {n}"), "di", published=False
        )
    with store.engine.begin() as connection:
        connection.execute(text("UPDATE credentials SET search_text = NULL"))
    assert _names(store, tenant, "anode") == []
    assert len(_names(store, tenant, "old-")) == 5  # by id meanwhile
    assert backfill_search_text(store.engine, batch=2) == 5
    assert len(_names(store, tenant, "anode")) == 5
    assert backfill_search_text(store.engine) == 0
