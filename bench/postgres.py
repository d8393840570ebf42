"""A throwaway PostgreSQL server for the ledger figures: the one ``tests/pg.py`` starts for the
tests (``initdb`` into a temporary directory, as the ``postgres`` user when we are root, then
``pg_ctl start`` on a free loopback port with durability off; ``pg_ctl stop -m immediate``
afterwards), with room for more connections and not pinned to the benchmark's core.

:class:`PostgresUnavailableError` means the benchmark skips PostgreSQL with its message.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg

from bench._timing import on_cpus
from tests.pg import SUPERUSER, PostgresUnavailableError, remove_server, start_server

__all__ = ["Postgres", "PostgresUnavailableError", "postgres"]


@dataclass(frozen=True)
class Postgres:
    url: str  # SQLAlchemy URL of an empty database
    version: str


@contextmanager
def postgres() -> Iterator[Postgres]:
    """A running throwaway server with an empty database ``bench``."""
    try:
        # The benchmark pins itself to one core and children inherit that: not the server.
        server = start_server(
            prefix="vcservice-bench-pg-", max_connections=200, preexec=on_cpus(None)
        )
    except PostgresUnavailableError:
        raise
    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
        message = " ".join(str(exc).split())  # initdb's or pg_ctl's output and the server log
        raise PostgresUnavailableError(message[:1500]) from exc
    try:
        url = server.create_database("bench")
        with psycopg.connect(
            host="127.0.0.1", port=server.port, user=SUPERUSER, dbname="bench"
        ) as connection:
            row = connection.execute("SHOW server_version").fetchone()
        yield Postgres(url, str(row[0]) if row else "unknown")
    finally:
        remove_server(server)
