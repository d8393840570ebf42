"""Issuer-console sessions in the store (both backends): tokens stored hashed, deadlines, the
API key that opened a session, purging; and the status read the console lists with."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine, text

from vcservice.keys import KeyType
from vcservice.store import CredentialStatus, KeyVault, Store
from vcservice.store._console import session_hash

from ._util import count, dump

LONG = timedelta(hours=8)
IDLE = timedelta(minutes=30)


def _tenant_key(store: Store, name: str = "acme") -> tuple[str, str]:
    tenant, api_key = store.create_tenant(name, f"did:web:{name}.example", KeyType.ED25519)
    return tenant.id, api_key


def test_a_session_is_opened_with_a_valid_key_only(store: Store, engine: Engine) -> None:
    tenant_id, api_key = _tenant_key(store)
    for wrong in ("vcs_" + "A" * 43, "nope", "", "vcs_" + "x" * 300):
        assert store.open_console_session(wrong, lifetime=LONG, idle=IDLE) is None
    opened = store.open_console_session(api_key, lifetime=LONG, idle=IDLE)
    assert opened is not None
    token, session = opened
    assert len(token) == 43
    assert session.tenant.id == tenant_id
    assert session.expires_at == session.created_at + LONG
    assert session.id == session_hash(token)
    assert token.encode() not in dump(engine)  # only its hash is stored
    found = store.console_session(token, idle=IDLE)
    assert found is not None
    assert found.tenant.name == "acme"
    assert store.console_session(token + "x", idle=IDLE) is None
    assert store.console_session("", idle=IDLE) is None
    assert store.console_session("t" * 1000, idle=IDLE) is None


def test_deadlines(store: Store) -> None:
    """The store's test clock moves a second per reading."""
    _, api_key = _tenant_key(store)
    opened = store.open_console_session(api_key, lifetime=timedelta(seconds=30), idle=IDLE)
    assert opened is not None
    token = opened[0]
    assert store.console_session(token, idle=timedelta(seconds=30)) is not None
    assert store.console_session(token, idle=timedelta(milliseconds=1)) is None  # idle
    for _ in range(3):
        assert store.touch_console_session(session_hash(token))
    assert store.console_session(token, idle=timedelta(milliseconds=1500)) is not None
    for _ in range(30):
        store.touch_console_session(session_hash(token))
    assert store.console_session(token, idle=IDLE) is None  # past its absolute lifetime
    assert store.purge_console_sessions(idle=IDLE) == 1
    assert not store.touch_console_session(session_hash(token))


def test_closing_a_session(store: Store, engine: Engine) -> None:
    _, api_key = _tenant_key(store)
    first = store.open_console_session(api_key, lifetime=LONG, idle=IDLE)
    second = store.open_console_session(api_key, lifetime=LONG, idle=IDLE)
    assert first is not None
    assert second is not None
    store.close_console_session(first[0])
    store.close_console_session("not a token")
    assert store.console_session(first[0], idle=IDLE) is None
    assert store.console_session(second[0], idle=IDLE) is not None
    assert count(engine, "console_sessions") == 1


def test_opening_purges_dead_sessions(store: Store, engine: Engine) -> None:
    _, api_key = _tenant_key(store)
    store.open_console_session(api_key, lifetime=timedelta(seconds=1), idle=IDLE)
    store.open_console_session(api_key, lifetime=LONG, idle=IDLE)
    assert count(engine, "console_sessions") == 1


def test_a_session_ends_with_the_api_key_that_opened_it(store: Store, engine: Engine) -> None:
    tenant_id, api_key = _tenant_key(store)
    other_key = store.create_api_key(tenant_id)
    opened = store.open_console_session(api_key, lifetime=LONG, idle=IDLE)
    kept = store.open_console_session(other_key, lifetime=LONG, idle=IDLE)
    assert opened is not None
    assert kept is not None
    with engine.begin() as connection:
        connection.execute(
            text("DELETE FROM api_keys WHERE id = :id"), {"id": opened[1].api_key_id}
        )
    assert store.console_session(opened[0], idle=IDLE) is None
    assert store.console_session(kept[0], idle=IDLE) is not None
    assert count(engine, "console_sessions") == 1  # ON DELETE CASCADE


def test_derived_secrets_are_stable_and_distinct(store: Store) -> None:
    one = store.derive_secret(b"console csrf")
    assert one == store.derive_secret(b"console csrf")
    assert len(one) == 32
    assert one != store.derive_secret(b"another purpose")
    assert KeyVault(bytes(32)).derive(b"console csrf") != one


def test_credential_statuses(store: Store) -> None:
    tenant_id, _ = _tenant_key(store)
    rival_id, _ = _tenant_key(store, "rival")
    with store.transaction() as tx:
        revocation = tx.allocate_status(tenant_id, "revocation", length=64)
        suspension = tx.allocate_status(tenant_id, "suspension", length=64)
        tx.save_credential(
            tenant_id, "urn:a", {}, "di", published=False, allocations=[revocation, suspension]
        )
        tx.save_credential(tenant_id, "urn:b", {}, "di", published=False)
        rival = tx.allocate_status(rival_id, "revocation", length=64)
        tx.save_credential(rival_id, "urn:c", {}, "di", published=False, allocations=[rival])
    store.set_status(tenant_id, "urn:a", "suspension", True)
    statuses = store.credential_statuses(tenant_id, ["urn:a", "urn:b", "urn:c", "urn:none"])
    assert statuses == {
        "urn:a": [
            CredentialStatus("revocation", revocation.list_id, revocation.index, False),
            CredentialStatus("suspension", suspension.list_id, suspension.index, True),
        ],
        "urn:b": [],
        "urn:c": [],  # another tenant's entries are not read
        "urn:none": [],
    }
    assert store.credential_statuses(tenant_id, []) == {}
