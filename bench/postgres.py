"""A throwaway PostgreSQL server for the ledger figures, started as ``tests/pg.py`` does:
``initdb`` into a temporary directory (as the ``postgres`` user when we are root), ``pg_ctl
start`` on a free loopback port with durability off, ``pg_ctl stop -m immediate`` afterwards.

:func:`find_bin_dir` returning None means the benchmark skips PostgreSQL with a message.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from bench._timing import on_cpus
from bench.server import free_port

SUPERUSER = "vcs"


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


class PostgresUnavailableError(Exception):
    pass


@dataclass(frozen=True)
class Postgres:
    url: str  # SQLAlchemy URL of an empty database
    version: str


def _run(bin_dir: Path, base: Path, user: str | None, *args: str) -> None:
    options: dict[str, Any] = {}
    if user is not None:
        entry = pwd.getpwnam(user)
        options = {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}
    done = subprocess.run(  # noqa: S603 - fixed argv, no shell
        [str(bin_dir / args[0]), *args[1:]],
        cwd=base,
        env={**os.environ, "LC_ALL": "C", "PGTZ": "UTC"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        preexec_fn=on_cpus(None),
        **options,
    )
    if done.returncode != 0:
        log = base / "server.log"
        tail = log.read_text(errors="replace")[-1500:] if log.exists() else ""
        raise PostgresUnavailableError(f"{args[0]} failed: {done.stderr.strip()[-1500:]} {tail}")


@contextmanager
def postgres() -> Iterator[Postgres]:
    """A running throwaway server with an empty database ``bench``."""
    bin_dir = find_bin_dir()
    if bin_dir is None:
        raise PostgresUnavailableError(
            "PostgreSQL server binaries not found (run `make test-deps`)"
        )
    user: str | None = None
    if os.geteuid() == 0:
        user = os.environ.get("VCSERVICE_PG_USER", "postgres")
        try:
            pwd.getpwnam(user)
        except KeyError as exc:
            raise PostgresUnavailableError(
                f"running as root needs the system user {user!r}"
            ) from exc
    base = Path(tempfile.mkdtemp(prefix="vcservice-bench-pg-"))
    data = base / "data"
    started = False
    try:
        if user is not None:
            entry = pwd.getpwnam(user)
            os.chown(base, entry.pw_uid, entry.pw_gid)
        _run(bin_dir, base, user, "initdb", "-D", str(data), "-U", SUPERUSER, "--auth=trust",
             "--encoding=UTF8", "--locale=C", "--no-sync", "--no-instructions")  # fmt: skip
        port = free_port()
        options = " ".join(
            [
                "-c listen_addresses=127.0.0.1",
                f"-c port={port}",
                f"-c unix_socket_directories={base}",
                "-c fsync=off",
                "-c synchronous_commit=off",
                "-c full_page_writes=off",
                "-c max_connections=200",
            ]
        )
        _run(bin_dir, base, user, "pg_ctl", "-D", str(data), "-l", str(base / "server.log"),
             "-o", options, "-w", "-t", "60", "start")  # fmt: skip
        started = True
        with psycopg.connect(
            host="127.0.0.1", port=port, user=SUPERUSER, dbname="postgres", autocommit=True
        ) as admin:
            admin.execute("CREATE DATABASE bench")
            row = admin.execute("SHOW server_version").fetchone()
        yield Postgres(
            f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{port}/bench",
            str(row[0]) if row else "unknown",
        )
    finally:
        if started:
            with contextlib.suppress(PostgresUnavailableError):
                _run(bin_dir, base, user, "pg_ctl", "-D", str(data), "-m", "immediate", "-w",
                     "stop")  # fmt: skip
        shutil.rmtree(base, ignore_errors=True)
