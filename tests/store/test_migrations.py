"""Alembic migrations: programmatic upgrade, idempotence, and models == migrated schema."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from importlib.resources import files

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

from vcservice.store import Base, alembic_config, migrate

HEAD = "0012"


def _revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def test_upgrade_empty_database(engine: Engine) -> None:
    assert _revision(engine) is None
    migrate(engine)
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert _revision(engine) == head == HEAD
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) | {"alembic_version"} == tables


def test_upgrade_is_idempotent(engine: Engine) -> None:
    migrate(engine)
    migrate(engine)
    assert _revision(engine) == HEAD


def test_upgrade_from_0001_keeps_existing_tenants_rotatable(engine: Engine) -> None:
    with engine.connect() as connection:
        command.upgrade(alembic_config(connection), "0001")
        connection.execute(
            text(
                "INSERT INTO tenants (id, name, did, default_format, created_at) "
                "VALUES ('t1', 'acme', 'did:web:acme.example', 'vc+jwt', :now)"
            ),
            {"now": datetime(2026, 1, 1, tzinfo=UTC)},
        )
        connection.commit()
    migrate(engine)
    assert _revision(engine) == HEAD
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT fixed_key FROM tenants")) in (False, 0)


def test_models_match_migrated_schema(engine: Engine) -> None:
    migrate(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_scripts_ship_inside_the_package() -> None:
    versions = files("vcservice.store") / "migrations" / "versions"
    assert (files("vcservice.store") / "migrations" / "env.py").is_file()
    assert any(entry.name.endswith(".py") for entry in versions.iterdir())


def test_concurrent_migrations_in_threads(engine: Engine) -> None:
    with ThreadPoolExecutor(max_workers=3) as pool:
        list(pool.map(lambda _: migrate(engine), range(3)))
    assert _revision(engine) == HEAD


def test_concurrent_migrations_in_processes(engine: Engine, db_url: str) -> None:
    """Replicas starting together: one migrates, the others wait and find nothing to do."""
    code = "import sys; from vcservice import store; store.migrate(store.make_engine(sys.argv[1]))"
    replicas = [
        subprocess.Popen([sys.executable, "-c", code, db_url], stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    outcomes = [(replica.communicate(timeout=120)[1], replica) for replica in replicas]
    for stderr, replica in outcomes:
        assert replica.returncode == 0, stderr
    assert _revision(engine) == HEAD


def test_this_sessions_revisions_downgrade_and_upgrade_again(engine: Engine) -> None:
    """0009-0011 (key backends, did:webvh logs, key events, identifiers, sealed credentials)
    come off and go back on: an operator rolling a release back keeps a usable database."""
    migrate(engine)
    with engine.connect() as connection:
        command.downgrade(alembic_config(connection), "0008")
        connection.commit()
    assert _revision(engine) == "0008"
    assert "key_events" not in inspect(engine).get_table_names()
    migrate(engine)
    assert _revision(engine) == HEAD
    assert {"key_events", "did_log_entries"} <= set(inspect(engine).get_table_names())
