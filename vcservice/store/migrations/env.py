"""Alembic environment: runs on the connection that ``vcservice.store.migrate`` (or
``alembic_config(connection)``) passes in; there is no ``alembic.ini`` and no URL here."""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection, text

from vcservice.store._schema import Base, UTCDateTime

# Any constant works; it only has to be the same for every process migrating one database.
_PG_MIGRATION_LOCK = 0x7663_7376  # "vcsv"


def _render_item(kind: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Render application types as the plain types they store, so revisions import nothing."""
    if kind == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        compare_type=True,
        render_item=_render_item,
        render_as_batch=connection.dialect.name == "sqlite",
        # One transaction for the whole upgrade, on SQLite too. Alembic assumes SQLite cannot
        # roll back DDL (true of pysqlite's legacy mode, not of ours, where the engine emits
        # BEGIN IMMEDIATE itself) and would commit after each revision, releasing the write
        # lock: a replica waiting on it would then read an old version and replay a revision.
        transactional_ddl=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK}
            )
        context.run_migrations()


def _main() -> None:
    connection = context.config.attributes.get("connection")
    if not isinstance(connection, Connection):
        raise SystemExit("run migrations through vcservice.store.migrate(engine)")
    _run(connection)


_main()
