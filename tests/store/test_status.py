"""Status lists: one open list per tenant and purpose (also under concurrency), slots that fill
a list exactly and map to distinct indexes, claims checked when a credential is saved, bit
flips that lose no update, tenant isolation, signed copies, and all-or-nothing transactions."""

from __future__ import annotations

import random
import string
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import Engine, text

from vcservice.errors import InputError
from vcservice.keys import KeyType
from vcservice.store import (
    ConflictError,
    KeyVault,
    NotFoundError,
    StatusAllocation,
    Store,
    Tenant,
    alembic_config,
    make_engine,
    migrate,
)
from vcservice.store._bits import get_bit, with_bit
from vcservice.store._status import MAX_RESERVATION

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


def test_lists_fill_exactly_then_roll_over(engine: Engine, vault: KeyVault) -> None:
    migrate(engine)
    store = Store(engine, vault, random=random.Random(7))
    tenant = _tenant(store)
    first = store.reserve_status_slots(tenant.id, "revocation", 5, length=16)
    rest = store.reserve_status_slots(tenant.id, "revocation", 20, length=16)
    assert len(first) == 5
    assert len(rest) == 11
    [list_id] = {entry.list_id for entry in first + rest}
    assert sorted(entry.index for entry in first + rest) == list(range(16))
    assert [entry.index for entry in first] != list(range(5))  # not in issuing order
    successor = store.reserve_status_slots(tenant.id, "revocation", 16, length=8)
    assert len(successor) == 8
    assert successor[0].list_id != list_id
    assert store.status_list(successor[0].list_id).length == 8  # type: ignore[union-attr]
    suspension = store.allocate_status(tenant.id, "suspension", length=16)
    assert suspension.list_id not in {list_id, successor[0].list_id}  # one list per purpose


def test_invalid_allocation_requests(store: Store) -> None:
    tenant = _tenant(store)
    for purpose, length in [("", 16), ("revocation", 12), ("revocation", 0), ("x" * 33, 16)]:
        with pytest.raises(InputError):
            store.allocate_status(tenant.id, purpose, length=length)
    for count_ in (0, MAX_RESERVATION + 1):
        with pytest.raises(InputError):
            store.reserve_status_slots(tenant.id, "revocation", count_)
    with pytest.raises(NotFoundError):
        store.allocate_status("no-such-tenant", "revocation")


def test_first_concurrent_reservations_on_three_replicas_open_one_list(
    db_url: str, vault: KeyVault
) -> None:
    """50 first reservations at once, from three stores (replicas) with engines of their own."""
    engines = [make_engine(db_url) for _ in range(3)]
    migrate(engines[0])
    replicas = [Store(engine, vault) for engine in engines]
    tenant = _tenant(replicas[0])
    start = threading.Barrier(50, timeout=30)

    def reserve(n: int) -> list[StatusAllocation]:
        start.wait()
        return replicas[n % 3].reserve_status_slots(tenant.id, "revocation", 2, length=64)

    with ThreadPoolExecutor(max_workers=50) as pool:
        blocks = list(pool.map(reserve, range(50)))
    entries = [entry for block in blocks for entry in block]
    assert len({(e.list_id, e.index) for e in entries}) == len(entries) == 100
    lists = {e.list_id for e in entries}
    assert len(lists) == 2  # 64 slots, then exactly one successor
    assert count(engines[0], "status_lists") == 2
    for engine in engines:
        engine.dispose()


def test_200_concurrent_issues_are_distinct(store: Store, engine: Engine) -> None:
    """Threads reserving through the cache and saving in transactions of their own; small
    lists so that several fill up meanwhile."""
    tenant = _tenant(store)

    def issue(n: int) -> StatusAllocation:
        entry = store.allocate_status(tenant.id, "revocation", length=64)
        store.save_credential(
            tenant.id, f"urn:uuid:{n}", {}, "di", published=True, allocations=[entry]
        )
        return entry

    with ThreadPoolExecutor(max_workers=16) as pool:
        entries = list(pool.map(issue, range(200)))
    pairs = {(entry.list_id, entry.index) for entry in entries}
    assert len(pairs) == 200
    assert count(engine, "status_allocations") == 200
    assert len({list_id for list_id, _ in pairs}) >= 4  # 64-bit lists filled up meanwhile


def test_claims_are_checked(store: Store) -> None:
    """Only a reserved slot of one of the tenant's lists, of its purpose, once."""
    acme, other = _tenant(store), _tenant(store, "other")
    [entry, spare] = store.reserve_status_slots(acme.id, "revocation", 2, length=64)
    unreserved = next(
        StatusAllocation(entry.list_id, index, "revocation")
        for index in range(64)
        if index not in (entry.index, spare.index)
    )
    refused = [
        (other.id, entry),  # another tenant's list
        (acme.id, StatusAllocation(entry.list_id, entry.index, "suspension")),
        (acme.id, StatusAllocation(entry.list_id, 64, "revocation")),
        (acme.id, unreserved),
        (acme.id, StatusAllocation("no-such-list", 0, "revocation")),
    ]
    for n, (tenant_id, allocation) in enumerate(refused):
        with pytest.raises(ConflictError):
            store.save_credential(
                tenant_id, f"urn:uuid:{n}", {}, "di", published=True, allocations=[allocation]
            )
    store.save_credential(acme.id, "urn:uuid:a", {}, "di", published=True, allocations=[entry])
    with pytest.raises(ConflictError):  # the primary key: never two credentials on one index
        store.save_credential(acme.id, "urn:uuid:b", {}, "di", published=True, allocations=[entry])
    assert store.allocations(acme.id, "urn:uuid:a") == [entry]


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


def test_a_slot_never_saved_is_a_gap(store: Store, engine: Engine) -> None:
    tenant = _tenant(store)
    [gap] = store.reserve_status_slots(tenant.id, "revocation", 1, length=64)
    later = _issue(store, tenant, "urn:uuid:1", 64)
    assert (later.list_id, later.index) != (gap.list_id, gap.index)
    assert count(engine, "status_allocations") == 1


def test_legacy_lists_are_closed_by_the_migration(engine: Engine, vault: KeyVault) -> None:
    """Lists filled at random before 0012 cannot be continued by a permutation: they are full
    (their entries kept and counted) and the next issue opens a new list."""
    migrate(engine)
    store = Store(engine, vault)
    tenant = _tenant(store)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    with engine.connect() as connection:
        command.downgrade(alembic_config(connection), "0011")
        connection.execute(
            text(
                'INSERT INTO status_lists (id, tenant_id, purpose, length, "full", bits, '
                "version, signed_version, created_at) "
                "VALUES ('old', :tenant, 'revocation', 64, false, :bits, 1, 0, :now)"
            ),
            {"tenant": tenant.id, "bits": bytes(8), "now": now},
        )
        connection.execute(
            text(
                "INSERT INTO status_allocations (list_id, idx, purpose, created_at) "
                "VALUES ('old', 17, 'revocation', :now)"
            ),
            {"now": now},
        )
        connection.commit()
    migrate(engine)
    with engine.connect() as connection:
        row = connection.execute(text('SELECT "full", next_slot, slot_key FROM status_lists')).one()
    assert (bool(row[0]), row[1], row[2]) == (True, 1, None)
    assert store.allocate_status(tenant.id, "revocation", length=64).list_id != "old"


@pytest.mark.network
def test_issuing_transactions_do_not_block_reservations(
    fresh_postgres_database: str, vault: KeyVault
) -> None:
    """While an issuing transaction that saved entries in two lists is still open, another
    replica reserves slots in both and flips a bit in one (PostgreSQL: SQLite runs one writer
    at a time by design)."""
    engine, other_engine = (
        make_engine(fresh_postgres_database),
        make_engine(fresh_postgres_database),
    )
    migrate(engine)
    store, other = Store(engine, vault), Store(other_engine, vault)
    tenant = _tenant(store)
    _issue(store, tenant, "urn:uuid:old", 64)
    entries = [store.allocate_status(tenant.id, p) for p in ("revocation", "suspension")]
    with store.transaction() as tx, ThreadPoolExecutor(max_workers=1) as pool:
        tx.save_credential(tenant.id, "urn:uuid:new", {}, "di", published=True, allocations=entries)

        def meanwhile() -> None:
            for purpose in ("revocation", "suspension"):
                other.reserve_status_slots(tenant.id, purpose, 4)
            other.set_status(tenant.id, "urn:uuid:old", "revocation", True)

        pool.submit(meanwhile).result(timeout=20)
    assert len(store.allocations(tenant.id, "urn:uuid:new")) == 2
    engine.dispose()
    other_engine.dispose()
