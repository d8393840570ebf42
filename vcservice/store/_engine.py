"""Engines for SQLite (the default, one file in WAL mode) and PostgreSQL (psycopg 3).

SQLite allows one writer at a time. Python's sqlite3 module starts transactions lazily and as
``DEFERRED``, so two transactions that both read and then write deadlock on the upgrade and one
fails at once with "database is locked", whatever the busy timeout. Here SQLAlchemy emits the
``BEGIN`` itself: ``BEGIN IMMEDIATE`` (take the write lock up front, wait up to the busy
timeout for it) unless the connection carries the ``vcservice_readonly`` execution option, in
which case a plain ``BEGIN`` lets readers run beside the writer, as WAL allows. Concurrent
writers therefore queue instead of failing, and SQLAlchemy's SAVEPOINTs work (they need the
``BEGIN`` to be SQLAlchemy's).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from vcservice.errors import InputError

READONLY = "vcservice_readonly"
"""Execution option marking a connection that only reads (SQLite: deferred ``BEGIN``)."""

SQLITE_BUSY_TIMEOUT_S = 30.0


def make_engine(url: str) -> Engine:
    """Create an engine for ``sqlite:///path`` or ``postgresql+psycopg://...``.

    ``postgresql://`` and ``postgres://`` mean psycopg 3 (the only PostgreSQL driver installed).
    """
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise InputError(f"invalid database URL: {exc}") from None
    if parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg"):
        return create_engine(parsed.set(drivername="postgresql+psycopg"), pool_pre_ping=True)
    if parsed.drivername in ("sqlite", "sqlite+pysqlite"):
        return _sqlite_engine(url)
    raise InputError(
        f"unsupported database URL scheme {parsed.drivername!r}: use sqlite:/// or postgresql://"
    )


def is_ready(engine: Engine) -> bool:
    """True when the database answers ``SELECT 1`` (for a readiness probe)."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return False
    return True


def _sqlite_engine(url: str) -> Engine:
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_S},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN, see the docstring
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        readonly = connection.get_execution_options().get(READONLY, False)
        connection.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")

    return engine
