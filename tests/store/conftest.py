"""Store tests run against both backends: SQLite in ``tmp_path`` and a real PostgreSQL server.

Each test gets a fresh database (a new SQLite file, or ``CREATE DATABASE`` on the worker's
server from ``tests/pg.py``), so no test sees another's rows.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.pg import fresh_postgres_database, postgres_server, postgres_url  # noqa: F401
from vcservice.store import KeyVault, Store, make_engine, migrate

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.network)]


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of a fresh, empty database on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    url: str = request.getfixturevalue("fresh_postgres_database")
    return url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def vault() -> KeyVault:
    return KeyVault(bytes(range(32)))


@pytest.fixture
def clock() -> Callable[[], datetime]:
    """A clock that moves one second per reading, so orderings by time are deterministic."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    ticks = itertools.count()
    return lambda: start + timedelta(seconds=next(ticks))


@pytest.fixture
def store(engine: Engine, vault: KeyVault, clock: Callable[[], datetime]) -> Store:
    migrate(engine)
    return Store(engine, vault, clock=clock)
