"""Tenants, API keys (only their hash is stored), encrypted signing keys and rotation."""

from __future__ import annotations

import hashlib
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, update

from vcservice.dids import did_key_for
from vcservice.errors import InputError
from vcservice.keys import KeyType, b64url_decode
from vcservice.store import ConflictError, KeyVault, KeyVaultError, NotFoundError, Store
from vcservice.store._schema import SigningKeyRow

from ._util import dump

DID = "did:web:acme.example"


def test_create_tenant(store: Store) -> None:
    tenant, api_key = store.create_tenant("acme", DID, KeyType.ED25519, default_format="di")
    assert (tenant.name, tenant.did, tenant.default_format) == ("acme", DID, "di")
    assert tenant.created_at == datetime(2026, 1, 1, tzinfo=UTC)
    assert tenant.created_at.tzinfo is UTC
    assert api_key.startswith("vcs_")
    assert len(api_key) == 4 + 43
    assert store.tenant(tenant.id) == tenant
    assert store.tenant_by_name("acme") == tenant
    assert store.tenant_by_api_key(api_key) == tenant
    [key] = store.keys(tenant.id)
    assert (key.fragment, key.key_type, key.active) == ("key-1", KeyType.ED25519, True)
    assert tenant.fixed_key is False


@pytest.mark.parametrize("key_type", list(KeyType))
def test_a_did_derived_from_key_1_fixes_the_key(store: Store, key_type: KeyType) -> None:
    tenant, _ = store.create_tenant("keyco", did_key_for, key_type)
    [key] = store.keys(tenant.id)
    assert tenant.did == did_key_for(key.public) == "did:key:" + key.public.multibase
    assert tenant.fixed_key is True
    assert store.tenant_by_name("keyco") == tenant
    record, pair = store.active_key_pair(tenant.id)
    assert record == key
    assert pair.public.raw == key.public.raw
    with pytest.raises(ConflictError, match="derived from that key"):
        store.add_key(tenant.id, key_type)
    with pytest.raises(ConflictError, match="derived from that key"):
        store.retire_key(tenant.id, "key-1")
    assert store.keys(tenant.id) == [key]
    assert store.active_key_pair(tenant.id)[0] == key


def test_a_derived_did_is_checked_like_a_given_one(store: Store) -> None:
    with pytest.raises(InputError, match="must start with 'did:'"):
        store.create_tenant("acme", lambda public: "key:" + public.multibase, KeyType.ED25519)
    assert store.tenant_by_name("acme") is None


def test_a_fixed_key_does_not_stop_other_tenants_rotating(store: Store) -> None:
    fixed, _ = store.create_tenant("keyco", did_key_for, KeyType.ED25519)
    web, _ = store.create_tenant("acme", DID, KeyType.ED25519)
    assert store.add_key(web.id, KeyType.ED25519).fragment == "key-2"
    assert [k.fragment for k in store.keys(fixed.id)] == ["key-1"]


def test_unknown_tenants(store: Store) -> None:
    assert store.tenant_by_name("nobody") is None
    assert store.tenant_by_api_key("vcs_" + "A" * 43) is None
    assert store.tenant_by_api_key("not-an-api-key") is None
    for call in (store.tenant, store.keys, store.create_api_key, store.active_key_pair):
        with pytest.raises(NotFoundError):
            call("no-such-tenant")


def test_tenant_name_taken(store: Store) -> None:
    store.create_tenant("acme", DID, KeyType.ED25519)
    with pytest.raises(ConflictError, match="taken"):
        store.create_tenant("acme", "did:web:other.example", KeyType.P256)
    assert store.tenant_by_name("acme") is not None


def test_more_api_keys(store: Store) -> None:
    tenant, first = store.create_tenant("acme", DID, KeyType.ED25519)
    other, _ = store.create_tenant("other", "did:web:other.example", KeyType.ED25519)
    second = store.create_api_key(tenant.id)
    assert first != second
    assert store.tenant_by_api_key(first) == store.tenant_by_api_key(second) == tenant
    assert store.tenant_by_api_key(second) != other


def test_only_the_api_key_hash_is_stored(store: Store, engine: Engine, db_url: str) -> None:
    _, api_key = store.create_tenant("acme", DID, KeyType.ED25519)
    contents = dump(engine)
    assert hashlib.sha256(api_key.encode()).hexdigest().encode() in contents  # the dump works
    assert api_key.encode() not in contents
    assert api_key[4:].encode() not in contents
    if db_url.startswith("sqlite:///"):  # the files themselves, WAL included
        database = Path(db_url.removeprefix("sqlite:///"))
        for path in database.parent.glob(database.name + "*"):
            assert api_key.encode() not in path.read_bytes()


@pytest.mark.parametrize("key_type", list(KeyType))
def test_private_keys_are_encrypted(store: Store, engine: Engine, key_type: KeyType) -> None:
    tenant, _ = store.create_tenant("acme", DID, key_type)
    record, pair = store.active_key_pair(tenant.id)
    assert record.public.raw == pair.public.raw
    assert pair.key_type is key_type
    secret = b64url_decode(pair.to_jwk()["d"])
    contents = dump(engine)
    assert record.public.multibase.encode() in contents
    assert secret not in contents
    assert pair.secret_multibase.encode() not in contents
    message = b"signed by the stored key"
    assert record.public.verify(pair.sign(message), message)


def test_wrong_vault_key_is_a_clear_error(store: Store, engine: Engine) -> None:
    tenant, _ = store.create_tenant("acme", DID, KeyType.ED25519)
    other = Store(engine, KeyVault(bytes(32)))
    with pytest.raises(KeyVaultError, match="secret key differs"):
        other.active_key_pair(tenant.id)


def test_encrypted_key_bound_to_its_row(store: Store, engine: Engine) -> None:
    """Copying one tenant's encrypted key into another tenant's row does not let it sign."""
    acme, _ = store.create_tenant("acme", DID, KeyType.ED25519)
    evil, _ = store.create_tenant("evil", "did:web:evil.example", KeyType.ED25519)
    with engine.begin() as connection:
        stolen = connection.scalar(
            SigningKeyRow.__table__.select()
            .with_only_columns(SigningKeyRow.private_encrypted)
            .where(SigningKeyRow.tenant_id == acme.id)
        )
        connection.execute(
            update(SigningKeyRow)
            .where(SigningKeyRow.tenant_id == evil.id)
            .values(private_encrypted=stolen)
        )
    with pytest.raises(KeyVaultError):
        store.active_key_pair(evil.id)


def test_rotation(store: Store) -> None:
    tenant, _ = store.create_tenant("acme", DID, KeyType.ED25519)
    _, first_pair = store.active_key_pair(tenant.id)
    added = store.add_key(tenant.id, KeyType.P256)
    assert (added.fragment, added.active, added.key_type) == ("key-2", True, KeyType.P256)
    third = store.add_key(tenant.id, KeyType.ED25519)
    keys = store.keys(tenant.id)
    assert [(k.fragment, k.active) for k in keys] == [
        ("key-1", False),
        ("key-2", False),
        ("key-3", True),
    ]
    record, pair = store.active_key_pair(tenant.id)
    assert record == third
    assert pair.public.raw == third.public.raw
    assert pair.public.raw != first_pair.public.raw


def test_retire_rules(store: Store) -> None:
    tenant, _ = store.create_tenant("acme", DID, KeyType.ED25519)
    with pytest.raises(ConflictError, match="last active key"):
        store.retire_key(tenant.id, "key-1")
    store.add_key(tenant.id, KeyType.ED25519)
    retired = store.retire_key(tenant.id, "key-1")  # already retired by the rotation
    assert (retired.fragment, retired.active) == ("key-1", False)
    with pytest.raises(ConflictError):
        store.retire_key(tenant.id, "key-2")
    with pytest.raises(NotFoundError):
        store.retire_key(tenant.id, "key-9")
    other, _ = store.create_tenant("other", "did:web:other.example", KeyType.ED25519)
    with pytest.raises(NotFoundError):
        store.retire_key(other.id, "key-2")  # key-2 exists, but not for this tenant
    assert [k.active for k in store.keys(tenant.id)] == [False, True]


def test_concurrent_tenant_creation_with_one_name(store: Store) -> None:
    def create(n: int) -> str:
        try:
            store.create_tenant("acme", f"did:web:acme{n}.example", KeyType.ED25519)
        except ConflictError:
            return "conflict"
        return "created"

    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = sorted(pool.map(create, range(6)))
    assert outcomes == ["conflict"] * 5 + ["created"]


def test_concurrent_rotations_leave_one_active_key(store: Store) -> None:
    tenant, _ = store.create_tenant("acme", DID, KeyType.ED25519)
    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(lambda _: store.add_key(tenant.id, KeyType.ED25519), range(6)))
    keys = store.keys(tenant.id)
    assert [k.fragment for k in keys] == [f"key-{n}" for n in range(1, 8)]
    assert [k.active for k in keys] == [False] * 6 + [True]


def test_a_signature_waiting_for_a_rotation_sees_the_key_it_retired(store: Store) -> None:
    """An issue that reaches ``append_signature`` while a rotation holds the tenant's row
    waits, then must see the committed rotation: no credential stored signed by the key it
    retired (on PostgreSQL a statement re-reads after a lock wait only the rows it locks)."""
    tenant, _ = store.create_tenant("acme", DID, KeyType.ED25519)
    old = store.active_key(tenant.id)[0]
    rotated = threading.Event()
    with ThreadPoolExecutor(max_workers=1) as pool, store.transaction() as rotation:
        rotation.add_key(tenant.id, KeyType.ED25519)  # locks the tenant, retires key-1

        def sign() -> object:
            rotated.wait(10)
            with store.transaction() as issuing:
                return issuing.append_signature(tenant.id, old.id, old.fragment, {})

        signing = pool.submit(sign)
        rotated.set()
        time.sleep(0.3)  # the signature now waits for the rotation's lock (or for SQLite's)
    assert signing.result(timeout=30) is None
