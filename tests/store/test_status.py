"""Status lists: random indexes without reuse (also under concurrency), bit flips that lose no
update, tenant isolation, signed copies, and all-or-nothing transactions."""

from __future__ import annotations

import random
import string
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine

from vcservice.errors import InputError
from vcservice.keys import KeyType
from vcservice.store import (
    KeyVault,
    NotFoundError,
    StatusAllocation,
    Store,
    Tenant,
    make_engine,
    migrate,
)
from vcservice.store._bits import get_bit, with_bit

from ._util import count

URL_SAFE = set(string.ascii_letters + string.digits + "-_")


def _tenant(store: Store, name: str = "acme") -> Tenant:
    return store.create_tenant(name, f"did:web:{name}.example", KeyType.ED25519)[0]


def _issue(store: Store, tenant: Tenant, credential_id: str, length: int) -> StatusAllocation:
    with store.transaction() as tx:
        entry = tx.allocate_status(tenant.id, "revocation", length=length)
        tx.save_credential(tenant.id, credential_id, {}, "di", published=True, allocations=[entry])
    return entry


def test_bits_are_msb_first() -> None:
    bits = with_bit(bytes(2), 0, True)
    assert bits == b"\x80\x00"
    assert with_bit(bits, 9, True) == b"\x80\x40"
    assert get_bit(b"\x80\x40", 9)
    assert not get_bit(b"\x80\x40", 8)
    assert with_bit(b"\xff", 7, False) == b"\xfe"


def test_new_list(store: Store) -> None:
    tenant = _tenant(store)
    entry = store.allocate_status(tenant.id, "revocation")
    assert entry.purpose == "revocation"
    assert 0 <= entry.index < 131072
    assert set(entry.list_id) <= URL_SAFE
    assert len(entry.list_id) >= 22
    status = store.status_list(entry.list_id)
    assert status is not None
    assert (status.tenant_id, status.purpose, status.length) == (tenant.id, "revocation", 131072)
    assert status.bits == bytes(16384)
    assert (status.version, status.signed, status.signed_version) == (1, None, 0)
    assert store.status_list("no-such-list") is None


def test_lists_fill_then_roll_over(engine: Engine, vault: KeyVault) -> None:
    migrate(engine)
    store = Store(engine, vault, random=random.Random(7))
    tenant = _tenant(store)
    entries = [store.allocate_status(tenant.id, "revocation", length=16) for _ in range(40)]
    lists: dict[str, list[int]] = {}
    for entry in entries:
        lists.setdefault(entry.list_id, []).append(entry.index)
    assert len(lists) >= 3
    for list_id, indexes in lists.items():
        assert len(set(indexes)) == len(indexes)
        assert all(0 <= i < 16 for i in indexes)
        if list_id != entries[-1].list_id:
            assert len(indexes) >= 12  # closed only when (nearly) full
    suspension = store.allocate_status(tenant.id, "suspension", length=16)
    assert suspension.list_id not in lists  # one list per purpose


def test_invalid_allocation_requests(store: Store) -> None:
    tenant = _tenant(store)
    for purpose, length in [("", 16), ("revocation", 12), ("revocation", 0), ("x" * 33, 16)]:
        with pytest.raises(InputError):
            store.allocate_status(tenant.id, purpose, length=length)
    with pytest.raises(NotFoundError):
        store.allocate_status("no-such-tenant", "revocation")


def test_200_concurrent_allocations_are_distinct(store: Store, engine: Engine) -> None:
    """Threads, each through its own session; small lists so that several fill up meanwhile."""
    tenant = _tenant(store)
    with ThreadPoolExecutor(max_workers=16) as pool:
        entries = list(
            pool.map(
                lambda _: store.allocate_status(tenant.id, "revocation", length=64), range(200)
            )
        )
    pairs = {(entry.list_id, entry.index) for entry in entries}
    assert len(pairs) == 200
    assert count(engine, "status_allocations") == 200
    assert len({list_id for list_id, _ in pairs}) >= 4  # 64-bit lists filled up meanwhile


def test_concurrent_set_status_loses_no_update(store: Store) -> None:
    tenant = _tenant(store)
    entries = {f"urn:uuid:{n}": _issue(store, tenant, f"urn:uuid:{n}", 512) for n in range(40)}
    [list_id] = {entry.list_id for entry in entries.values()}
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda cid: store.set_status(tenant.id, cid, "revocation", True), entries))
    status = store.status_list(list_id)
    assert status is not None
    assert status.version == 1 + 40
    assert all(get_bit(status.bits, entry.index) for entry in entries.values())
    assert sum(bin(byte).count("1") for byte in status.bits) == 40


def test_set_status_versions(store: Store) -> None:
    tenant = _tenant(store)
    entry = _issue(store, tenant, "urn:uuid:1", 64)
    revoked = store.set_status(tenant.id, "urn:uuid:1", "revocation", True)
    assert get_bit(revoked.bits, entry.index)
    assert revoked.version == 2
    again = store.set_status(tenant.id, "urn:uuid:1", "revocation", True)
    assert again.version == 2  # no change, no new version to sign
    cleared = store.set_status(tenant.id, "urn:uuid:1", "revocation", False)
    assert not get_bit(cleared.bits, entry.index)
    assert cleared.version == 3
    assert cleared.bits == bytes(8)


def test_set_status_is_tenant_scoped(store: Store) -> None:
    acme, other = _tenant(store), _tenant(store, "other")
    _issue(store, acme, "urn:uuid:1", 64)
    store.save_credential(acme.id, "urn:uuid:no-status", {}, "di", published=True)
    cases = [
        (other.id, "urn:uuid:1", "revocation"),  # another tenant's credential
        (acme.id, "urn:uuid:1", "suspension"),  # no entry for that purpose
        (acme.id, "urn:uuid:no-status", "revocation"),
        (acme.id, "urn:uuid:missing", "revocation"),
    ]
    messages = set()
    for tenant_id, credential_id, purpose in cases:
        with pytest.raises(NotFoundError) as caught:
            store.set_status(tenant_id, credential_id, purpose, True)
        messages.add(caught.value.detail.replace(credential_id, "ID").replace(purpose, "P"))
    assert len(messages) == 1  # one answer whatever the reason: nothing to learn about others
    [entry] = store.allocations(acme.id, "urn:uuid:1")
    assert store.status_list(entry.list_id).version == 1  # type: ignore[union-attr]


def test_save_signed_list(store: Store) -> None:
    tenant = _tenant(store)
    entry = _issue(store, tenant, "urn:uuid:1", 64)
    store.save_signed_list(entry.list_id, 1, {"proof": "v1"})
    store.set_status(tenant.id, "urn:uuid:1", "revocation", True)
    store.save_signed_list(entry.list_id, 2, "eyJ.v2.sig")
    store.save_signed_list(entry.list_id, 1, {"proof": "late v1"})  # older: ignored
    status = store.status_list(entry.list_id)
    assert status is not None
    assert (status.signed, status.signed_version, status.version) == ("eyJ.v2.sig", 2, 2)
    with pytest.raises(InputError):
        store.save_signed_list(entry.list_id, 3, {"proof": "from the future"})
    with pytest.raises(NotFoundError):
        store.save_signed_list("no-such-list", 1, {})


def test_failed_transaction_leaves_nothing(store: Store, engine: Engine) -> None:
    tenant = _tenant(store)

    class SigningFailedError(Exception):
        pass

    entries: list[StatusAllocation] = []

    def issue() -> None:
        with store.transaction() as tx:
            entries.append(tx.allocate_status(tenant.id, "revocation", length=64))
            tx.save_credential(
                tenant.id, "urn:uuid:1", {}, "di", published=True, allocations=entries
            )
            raise SigningFailedError

    with pytest.raises(SigningFailedError):
        issue()
    [entry] = entries
    assert store.credential(tenant.id, "urn:uuid:1") is None
    assert store.status_list(entry.list_id) is None
    assert count(engine, "status_allocations") == count(engine, "status_lists") == 0


def test_allocate_then_fail_before_save(store: Store, engine: Engine) -> None:
    tenant = _tenant(store)
    first = store.allocate_status(tenant.id, "revocation", length=64)

    def fail_after_allocating() -> None:
        with store.transaction() as tx:
            tx.allocate_status(tenant.id, "revocation", length=64)
            raise RuntimeError("signing failed")

    with pytest.raises(RuntimeError, match="signing failed"):
        fail_after_allocating()
    assert count(engine, "status_allocations") == 1
    assert store.status_list(first.list_id) is not None


@pytest.mark.network
def test_opposite_allocation_orders_do_not_deadlock(
    fresh_postgres_database: str, vault: KeyVault
) -> None:
    """Two issuers hold open transactions on two lists, taken in opposite orders. PostgreSQL
    only: SQLite runs one writer at a time by design, so the overlap cannot happen there."""
    engine = make_engine(fresh_postgres_database)
    migrate(engine)
    store = Store(engine, vault)
    tenant = _tenant(store)
    for purpose in ("revocation", "suspension"):  # both lists exist and are committed
        store.allocate_status(tenant.id, purpose, length=64)
    both_hold_one = threading.Barrier(2, timeout=10)

    def issue(first: str, second: str, credential_id: str) -> None:
        with store.transaction() as tx:
            entries = [tx.allocate_status(tenant.id, first, length=64)]
            both_hold_one.wait()
            entries.append(tx.allocate_status(tenant.id, second, length=64))
            tx.save_credential(
                tenant.id, credential_id, {}, "di", published=True, allocations=entries
            )

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = [
            pool.submit(issue, "revocation", "suspension", "urn:uuid:a"),
            pool.submit(issue, "suspension", "revocation", "urn:uuid:b"),
        ]
        for result in results:
            result.result(timeout=30)
    assert (
        len(store.allocations(tenant.id, "urn:uuid:a"))
        == len(store.allocations(tenant.id, "urn:uuid:b"))
        == 2
    )
    engine.dispose()
