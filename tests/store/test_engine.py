"""make_engine and is_ready on both backends; SQLite's settings for concurrent writers."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from tests.pg import PostgresServer
from vcservice.errors import InputError
from vcservice.keys import KeyType
from vcservice.store import (
    KeyVault,
    Store,
    StoreUnavailableError,
    is_ready,
    make_engine,
    migrate,
)


def test_is_ready(engine: Engine) -> None:
    assert is_ready(engine)


def test_sqlite_pragmas(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        with engine.connect() as connection:
            assert connection.scalar(text("PRAGMA journal_mode")) == "wal"
            assert connection.scalar(text("PRAGMA foreign_keys")) == 1
            assert connection.scalar(text("PRAGMA busy_timeout")) == 30000
    finally:
        engine.dispose()


def test_sqlite_not_ready_when_unreachable(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'missing-dir' / 'x.db'}")
    try:
        assert not is_ready(engine)
    finally:
        engine.dispose()


@pytest.mark.network
def test_postgresql_not_ready_when_down(postgres_server: PostgresServer) -> None:
    url = postgres_server.url("postgres").replace(f":{postgres_server.port}/", ":1/")
    engine = make_engine(url)
    try:
        assert not is_ready(engine)
    finally:
        engine.dispose()


@pytest.mark.parametrize("url", ["postgresql://u@h/db", "postgres://u@h/db"])
def test_postgresql_urls_use_psycopg(url: str) -> None:
    engine = make_engine(url)
    assert engine.url.drivername == "postgresql+psycopg"
    assert engine.pool._pre_ping


@pytest.mark.parametrize("url", ["mysql://u@h/db", "not a url"])
def test_unsupported_urls(url: str) -> None:
    with pytest.raises(InputError):
        make_engine(url)


def test_sqlite_reader_beside_open_writer(tmp_path: Path) -> None:
    """WAL + a deferred BEGIN for reads: a reader is not blocked by an open write transaction."""
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        migrate(engine)
        store = Store(engine, KeyVault(bytes(32)))
        tenant, _ = store.create_tenant("t", "did:web:t.example", KeyType.ED25519)
        seen: list[str] = []
        with store.transaction() as tx:
            tx.allocate_status(tenant.id, "revocation", length=8)  # holds the write lock
            reader = threading.Thread(target=lambda: seen.append(store.tenant(tenant.id).name))
            reader.start()
            reader.join(timeout=5)
            assert seen == ["t"]
    finally:
        engine.dispose()


@pytest.mark.network
def test_outage_is_store_unavailable(postgres_server: PostgresServer) -> None:
    url = postgres_server.url("postgres").replace(f":{postgres_server.port}/", ":1/")
    engine = make_engine(url)
    try:
        with pytest.raises(StoreUnavailableError):
            Store(engine, KeyVault(bytes(32))).tenant("any")
    finally:
        engine.dispose()
