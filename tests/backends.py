"""A service on either database backend, for tests parametrized over both: a fresh SQLite
file in the test's directory, or a fresh database on the worker's PostgreSQL (``tests/pg.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from pydantic import SecretStr

from vcservice.service import Service
from vcservice.settings import Settings
from vcservice.store import Tenant

#: ``params`` of a fixture over both backends (PostgreSQL is marked ``network``: loopback).
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.network)]


def backend_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of a fresh, empty database on ``request.param``'s backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'vc.db'}"
    url: str = request.getfixturevalue("fresh_postgres_database")
    return url


@contextmanager
def service_on(url: str, public_url: str = "http://localhost:8000") -> Iterator[Service]:
    """A service over the database at ``url`` (a fixed test secret), closed afterwards."""
    settings = Settings(database_url=url, public_url=public_url, secret_key=SecretStr("A" * 43))
    service = Service.from_settings(settings)
    try:
        yield service
    finally:
        service.close()


def new_tenant(service: Service, name: str = "acme") -> Tenant:
    """A new tenant of ``service`` (a did:key, the service's defaults), read back by its key."""
    tenant = service.tenant_by_api_key(service.create_tenant(name)["api_key"])
    assert tenant is not None
    return tenant
