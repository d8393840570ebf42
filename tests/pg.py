"""A real, throwaway PostgreSQL server for tests.

How it works
------------
The session fixture ``postgres_server`` runs one private cluster per pytest process, so each
pytest-xdist worker (``-n 2``) has its own server and nothing is shared or coordinated between
workers. It is started lazily (a worker that runs no PostgreSQL test starts nothing) and kept in
the run's ``config.stash``, so conftests at several levels importing these fixtures still share
one server per process.

1. Find the server binaries: ``$VCSERVICE_PG_BIN``, else next to the ``pg_ctl`` on ``PATH``
   (following symlinks), else the newest ``/usr/lib/postgresql/*/bin``. ``make test-deps``
   installs Debian's ``postgresql`` package when neither exists.
2. ``initdb`` into a fresh temporary directory (``--no-sync``, trust auth, UTF8, C locale).
   ``initdb`` refuses to run as root, so when we are root the directory is given to the
   ``postgres`` system user (created by the Debian package; ``$VCSERVICE_PG_USER`` overrides)
   and every server command runs as that user (``subprocess`` ``user=``/``group=``).
3. ``pg_ctl start`` listening on 127.0.0.1 only, on a free port (retried if another process
   takes the port first), with its Unix socket in the same temporary directory, and
   ``fsync``/``synchronous_commit``/``full_page_writes`` off: durability is not wanted here.
4. Each test database comes from ``CREATE DATABASE`` (about 0.1 s), so every test can have a
   pristine one: ``fresh_postgres_database`` or ``postgres_server.create_database()``.
5. When pytest ends, ``pg_ctl stop -m immediate`` (the data is thrown away) and the directory
   is removed.

Start-up takes about 1.2 s (initdb 1.1 s, start 0.1 s); stopping about 0.1 s. Set
``VCSERVICE_SKIP_POSTGRES=1`` to skip the PostgreSQL tests instead of failing when no server can
be found.

Fixtures: ``postgres_server`` (session), ``postgres_url`` (session: one fresh database) and
``fresh_postgres_database`` (per test: a new database each time). Make them visible with
``from tests.pg import fresh_postgres_database, postgres_server, postgres_url  # noqa: F401``
in a conftest. Outside pytest (``bench/postgres.py``), :func:`start_server` and
:func:`remove_server` do steps 1-3 and 5.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql

SUPERUSER = "vcs"
_START_ATTEMPTS = 3
NOT_FOUND = "PostgreSQL server binaries not found: run `make test-deps` (Debian postgresql)"


class PostgresUnavailableError(RuntimeError):
    """No server can be started here: no binaries, or no unprivileged user when we are root."""


def find_bin_dir() -> Path | None:
    """The directory holding initdb, pg_ctl and postgres, or None."""
    candidates: list[Path] = []
    if override := os.environ.get("VCSERVICE_PG_BIN"):
        candidates.append(Path(override))
    if on_path := shutil.which("pg_ctl"):
        candidates.append(Path(on_path).resolve().parent)

    def version(path: Path) -> tuple[int, ...]:
        return tuple(int(part) for part in re.findall(r"\d+", path.parent.name))

    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=version, reverse=True)
    for directory in candidates:
        if all((directory / tool).is_file() for tool in ("initdb", "pg_ctl", "postgres")):
            return directory
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class PostgresServer:
    """One running cluster; ``create_database()`` hands out fresh, empty databases."""

    bin_dir: Path
    base_dir: Path
    port: int = 0
    os_user: str | None = None  # run server commands as this user (when we are root)
    max_connections: int = 100
    preexec: Callable[[], None] | None = None  # ``preexec_fn`` of every server command
    _names: Iterator[int] = field(default_factory=itertools.count)

    @property
    def data_dir(self) -> Path:
        return self.base_dir / "data"

    @property
    def log_file(self) -> Path:
        return self.base_dir / "server.log"

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str | None = None) -> str:
        """Create an empty database and return its SQLAlchemy URL."""
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        name = name or f"test_{worker}_{next(self._names)}"
        with psycopg.connect(
            host="127.0.0.1", port=self.port, user=SUPERUSER, dbname="postgres", autocommit=True
        ) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url(name)

    # --- process control --------------------------------------------------------------------
    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        options: dict[str, Any] = {}
        if self.os_user is not None:
            options = {"user": self.os_user, "group": self._group(), "extra_groups": []}
        return subprocess.run(  # the caller checks, to show the server log
            [str(self.bin_dir / args[0]), *args[1:]],
            cwd=self.base_dir,
            env={**os.environ, "LC_ALL": "C", "PGTZ": "UTC"},
            capture_output=True,
            text=True,
            timeout=120,
            preexec_fn=self.preexec,
            **options,
        )

    def _group(self) -> int:
        assert self.os_user is not None
        return pwd.getpwnam(self.os_user).pw_gid

    def _check(self, result: subprocess.CompletedProcess[str], what: str) -> None:
        if result.returncode != 0:
            log = self.log_file.read_text(errors="replace") if self.log_file.exists() else ""
            raise RuntimeError(
                f"{what} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}\n{log}"
            )

    def init(self) -> None:
        if self.os_user is not None:
            entry = pwd.getpwnam(self.os_user)
            os.chown(self.base_dir, entry.pw_uid, entry.pw_gid)
        result = self._run(
            "initdb",
            "-D",
            str(self.data_dir),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
            "--no-instructions",
        )
        self._check(result, "initdb")

    def start(self) -> None:
        for attempt in range(_START_ATTEMPTS):
            self.port = _free_port()
            options = " ".join(
                [
                    "-c listen_addresses=127.0.0.1",
                    f"-c port={self.port}",
                    f"-c unix_socket_directories={self.base_dir}",
                    "-c fsync=off",
                    "-c synchronous_commit=off",
                    "-c full_page_writes=off",
                    f"-c max_connections={self.max_connections}",
                ]
            )
            result = self._run(
                "pg_ctl", "-D", str(self.data_dir), "-l", str(self.log_file), "-o", options,
                "-w", "-t", "60", "start",
            )  # fmt: skip
            if result.returncode == 0:
                return
            if attempt == _START_ATTEMPTS - 1:  # a lost port race is the usual cause: retry
                self._check(result, "pg_ctl start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data_dir), "-m", "immediate", "-w", "stop")


def os_user() -> str | None:
    """The unprivileged user to run the server commands as: None unless we are root."""
    if os.geteuid() != 0:
        return None
    name = os.environ.get("VCSERVICE_PG_USER", "postgres")
    try:
        pwd.getpwnam(name)
    except KeyError:
        raise PostgresUnavailableError(
            f"running as root needs an unprivileged user {name!r} for initdb"
        ) from None
    return name


def start_server(
    *,
    prefix: str = "vcservice-pg-",
    max_connections: int = 100,
    preexec: Callable[[], None] | None = None,
) -> PostgresServer:
    """A running throwaway server in a new temporary directory; :func:`remove_server` it.

    Raises :class:`PostgresUnavailableError` when no server can be started here, and
    ``RuntimeError`` (with the server log) when ``initdb`` or ``pg_ctl start`` fails.
    """
    bin_dir = find_bin_dir()
    if bin_dir is None:
        raise PostgresUnavailableError(NOT_FOUND)
    user = os_user()
    server = PostgresServer(
        bin_dir=bin_dir,
        base_dir=Path(tempfile.mkdtemp(prefix=prefix)),
        os_user=user,
        max_connections=max_connections,
        preexec=preexec,
    )
    try:
        server.init()
        server.start()
    except BaseException:
        remove_server(server)
        raise
    return server


def remove_server(server: PostgresServer) -> None:
    """Stop the server (immediately: its data is thrown away) and remove its directory."""
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        server.stop()
    shutil.rmtree(server.base_dir, ignore_errors=True)


def _start_server() -> PostgresServer:
    if find_bin_dir() is None and os.environ.get("VCSERVICE_SKIP_POSTGRES"):
        pytest.skip(NOT_FOUND)
    try:
        return start_server()
    except PostgresUnavailableError as exc:
        message = str(exc)
    pytest.fail(message)


_SERVER = pytest.StashKey[PostgresServer]()


@pytest.fixture(scope="session")
def postgres_server(request: pytest.FixtureRequest) -> PostgresServer:
    """The private PostgreSQL server of this pytest process (one per xdist worker).

    Kept in the run's ``config.stash`` rather than in the fixture's cache, so that conftests at
    several levels importing this fixture still share one server; it stops when pytest ends.
    """
    config = request.config
    if _SERVER not in config.stash:
        server = _start_server()
        config.stash[_SERVER] = server
        config.add_cleanup(lambda: remove_server(server))
    return config.stash[_SERVER]


@pytest.fixture(scope="session")
def postgres_url(postgres_server: PostgresServer) -> str:
    """A SQLAlchemy URL (``postgresql+psycopg://``) of a fresh, empty database."""
    return postgres_server.create_database()


@pytest.fixture
def fresh_postgres_database(postgres_server: PostgresServer) -> str:
    """A SQLAlchemy URL of a new, empty database for this test alone."""
    return postgres_server.create_database()
