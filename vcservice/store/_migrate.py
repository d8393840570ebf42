"""Schema migrations, run programmatically: ``migrate(engine)`` is Alembic's ``upgrade head``.

The scripts ship inside the package (``vcservice/store/migrations``), so an installed service
migrates its own database without an ``alembic.ini`` or a source checkout. Running it again is a
no-op. On PostgreSQL the run holds an advisory lock, so replicas that start together migrate
one after the other; on SQLite ``BEGIN IMMEDIATE`` serializes them the same way.

To write a new revision, change ``_schema.py``, then on a scratch database at head::

    with engine.connect() as c:
        alembic.command.revision(alembic_config(c), "what changed", autogenerate=True)

and review the generated file (``tests/store/test_migrations.py`` checks that the models and
the migrated schema agree on SQLite and PostgreSQL).
"""

from __future__ import annotations

import threading
from importlib.resources import files

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine

from vcservice.store._credentials import backfill_search_text

MIGRATIONS = "vcservice.store"

# Alembic runs env.py and the revisions through process-global proxies (``alembic.context``,
# ``alembic.op``), so two threads of one process must not run commands at the same time.
# Separate processes are serialized by the database instead (see the module docstring).
_ALEMBIC_LOCK = threading.Lock()


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic configuration for the bundled scripts, bound to ``connection`` when given."""
    config = Config()
    config.set_main_option("script_location", str(files(MIGRATIONS) / "migrations"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def migrate(engine: Engine) -> None:
    """Upgrade the database to the newest schema revision."""
    with _ALEMBIC_LOCK, engine.connect() as connection:
        command.upgrade(alembic_config(connection), "head")
        connection.commit()  # in case Alembic found a transaction already begun and left it
    backfill_search_text(engine)  # words for rows saved before 0008 (see that revision)
