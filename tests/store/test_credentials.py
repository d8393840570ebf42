"""Credentials: save, get, list, duplicates, and the link to status entries."""

from __future__ import annotations

from datetime import UTC
from typing import Any

import pytest

from vcservice.errors import InputError
from vcservice.keys import KeyType
from vcservice.store import ConflictError, NotFoundError, StatusAllocation, Store, Tenant

DOCUMENT: dict[str, Any] = {
    "@context": ["https://www.w3.org/ns/credentials/v2"],
    "id": "urn:uuid:1",
    "type": ["VerifiableCredential"],
    "credentialSubject": {"name": "Kupfer — Grube Nord", "mass": 12.5, "tags": [1, None, True]},
    "proof": {"type": "DataIntegrityProof", "proofValue": "z3FXQ"},
}
JWT = "eyJhbGciOiJFZERTQSJ9.eyJpc3MiOiJkaWQ6d2ViOmFjbWUifQ.c2ln"


def _tenant(store: Store, name: str = "acme") -> Tenant:
    return store.create_tenant(name, f"did:web:{name}.example", KeyType.ED25519)[0]


@pytest.mark.parametrize(("document", "fmt"), [(DOCUMENT, "di"), (JWT, "vc+jwt")])
def test_save_and_get(store: Store, document: Any, fmt: str) -> None:
    tenant = _tenant(store)
    saved = store.save_credential(tenant.id, "urn:uuid:1", document, fmt, published=True)
    got = store.credential(tenant.id, "urn:uuid:1")
    assert got == saved
    assert (got.document, got.format, got.published, got.tenant_id) == (
        document,
        fmt,
        True,
        tenant.id,
    )
    assert got.created_at.tzinfo is UTC


def test_unknown_credential(store: Store) -> None:
    tenant = _tenant(store)
    assert store.credential(tenant.id, "urn:uuid:missing") is None
    assert store.allocations(tenant.id, "urn:uuid:missing") == []


def test_duplicate_id(store: Store) -> None:
    acme, other = _tenant(store), _tenant(store, "other")
    store.save_credential(acme.id, "urn:uuid:1", DOCUMENT, "di", published=False)
    with pytest.raises(ConflictError, match="already issued"):
        store.save_credential(acme.id, "urn:uuid:1", JWT, "vc+jwt", published=True)
    # Ids are unique per tenant (issue 13): another tenant's id neither blocks nor shows.
    store.save_credential(other.id, "urn:uuid:1", JWT, "vc+jwt", published=True)
    assert store.credential(acme.id, "urn:uuid:1").document == DOCUMENT  # type: ignore[union-attr]
    assert store.credential(other.id, "urn:uuid:1").document == JWT  # type: ignore[union-attr]


def test_duplicate_inside_a_transaction_keeps_it_usable(store: Store) -> None:
    tenant = _tenant(store)
    store.save_credential(tenant.id, "urn:uuid:1", DOCUMENT, "di", published=False)
    with store.transaction() as tx:
        with pytest.raises(ConflictError):
            tx.save_credential(tenant.id, "urn:uuid:1", JWT, "vc+jwt", published=True)
        tx.save_credential(tenant.id, "urn:uuid:2", JWT, "vc+jwt", published=True)
    assert store.credential(tenant.id, "urn:uuid:2") is not None


def test_list_newest_first_with_paging(store: Store) -> None:
    acme, other = _tenant(store), _tenant(store, "other")
    for n in range(5):
        store.save_credential(acme.id, f"urn:uuid:{n}", {"n": n}, "di", published=True)
    store.save_credential(other.id, "urn:uuid:other", {}, "di", published=True)
    ids = [c.id for c in store.credentials(acme.id)]
    assert ids == [f"urn:uuid:{n}" for n in (4, 3, 2, 1, 0)]
    page = store.credentials(acme.id, limit=2, offset=1)
    assert [c.id for c in page] == ["urn:uuid:3", "urn:uuid:2"]
    assert store.credentials(acme.id, offset=5) == []
    with pytest.raises(InputError):
        store.credentials(acme.id, limit=-1)
    with pytest.raises(NotFoundError):
        store.credentials("no-such-tenant")


def test_bad_input(store: Store) -> None:
    tenant = _tenant(store)
    with pytest.raises(InputError):
        store.save_credential(tenant.id, "", {}, "di", published=True)
    with pytest.raises(NotFoundError):
        store.save_credential("no-such-tenant", "urn:uuid:1", {}, "di", published=True)


def test_allocations_are_linked(store: Store) -> None:
    tenant = _tenant(store)
    with store.transaction() as tx:
        revocation = tx.allocate_status(tenant.id, "revocation", length=64)
        suspension = tx.allocate_status(tenant.id, "suspension", length=64)
        tx.save_credential(
            tenant.id,
            "urn:uuid:1",
            DOCUMENT,
            "di",
            published=True,
            allocations=[revocation, suspension],
        )
    assert store.allocations(tenant.id, "urn:uuid:1") == [revocation, suspension]


def test_allocation_must_be_unclaimed_and_own(store: Store) -> None:
    acme, other = _tenant(store), _tenant(store, "other")
    with store.transaction() as tx:  # one slot reserved (the cache would reserve a block)
        entry = tx.allocate_status(acme.id, "revocation", length=64)
    with pytest.raises(ConflictError):
        store.save_credential(other.id, "urn:uuid:x", {}, "di", published=True, allocations=[entry])
    assert store.credential(other.id, "urn:uuid:x") is None  # the failed save left nothing
    store.save_credential(acme.id, "urn:uuid:1", {}, "di", published=True, allocations=[entry])
    with pytest.raises(ConflictError):
        store.save_credential(acme.id, "urn:uuid:2", {}, "di", published=True, allocations=[entry])
    forged = StatusAllocation(entry.list_id, (entry.index + 1) % 64, "revocation")
    with pytest.raises(ConflictError):
        store.save_credential(acme.id, "urn:uuid:3", {}, "di", published=True, allocations=[forged])
