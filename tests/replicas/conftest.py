"""Three replicas on one PostgreSQL database for the module, and a service beside them.

The replicas are launched together on an empty database (their migrations race); the
``admin`` service, opened once they serve, is what an operator's CLI would be: it creates
tenants and reads the database the replicas write. Tests make their own tenants, so each starts
with no status list and no ledger account of its own.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from tests.pg import PostgresServer
from tests.replicas.cluster import Cluster, new_secret, start_cluster
from vcservice.service import Service
from vcservice.settings import Settings

REPLICAS = 3
#: The one public origin the replicas share (what the reverse proxy serves).
PUBLIC_URL = "https://replicas.example"


@pytest.fixture(scope="module")
def secret() -> str:
    return new_secret()


@pytest.fixture(scope="module")
def cluster(
    postgres_server: PostgresServer, tmp_path_factory: pytest.TempPathFactory, secret: str
) -> Iterator[Cluster]:
    url = postgres_server.create_database()
    yield from start_cluster(
        url, tmp_path_factory.mktemp("replicas"), count=REPLICAS, public_url=PUBLIC_URL,
        secret=secret,
    )  # fmt: skip


@pytest.fixture(scope="module")
def admin(cluster: Cluster, secret: str) -> Iterator[Service]:
    service = Service.from_settings(
        Settings(
            database_url=cluster.database_url,
            public_url=PUBLIC_URL,
            secret_key=SecretStr(secret),
        )
    )
    yield service
    service.close()
