"""Several ``vcservice serve`` processes on one PostgreSQL database, as a platform runs them.

Each replica is its own ``python -m vcservice.cli serve --workers 1`` process on a free loopback
port, with the same ``VCSERVICE_DATABASE_URL``, ``VCSERVICE_SECRET_KEY`` and
``VCSERVICE_PUBLIC_URL`` (behind a proxy they share one public origin). :func:`start_cluster`
launches them all before waiting for any, so their start-up migrations race on the empty
database exactly as replicas started together by an orchestrator do. Each replica's JSON log
goes to a file, so a test can read what it migrated.

Requests are spread round-robin over the replicas from a thread pool (:meth:`Cluster.spread`),
and every outcome is kept with the replica that gave it: an HTTP answer, or a transport error
(what a killed replica gives, and nothing else may).
"""

from __future__ import annotations

import base64
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT = 90.0  # three interpreters importing the service at once on two busy cores
#: What alembic logs (JSON, logger ``alembic.runtime.migration``) for each revision it applies.
MIGRATION_MESSAGE = "Running upgrade"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Replica:
    """One serving process; ``client`` is shared by the request threads (httpx is thread-safe)."""

    name: str
    url: str
    process: subprocess.Popen[bytes]
    log: Path
    client: httpx.Client

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def migrations(self) -> list[str]:
        """The migration steps this replica ran (alembic's "Running upgrade a -> b" lines)."""
        steps = []
        for line in self.log.read_text(errors="replace").splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue  # the banner `serve` prints before logging is configured
            message = str(entry.get("message", "")) if isinstance(entry, dict) else ""
            if message.startswith(MIGRATION_MESSAGE):
                steps.append(message)
        return steps


@dataclass(frozen=True)
class Outcome:
    """One request's fate: the replica asked, and its HTTP status and JSON body, or the
    transport error (connection refused or reset) when no answer came."""

    replica: str
    status: int | None
    body: Any = None
    content_type: str = ""
    error: str | None = None


@dataclass
class Cluster:
    database_url: str
    env: dict[str, str]
    directory: Path
    replicas: list[Replica] = field(default_factory=list)
    _stack: ExitStack = field(default_factory=ExitStack)

    @property
    def live(self) -> list[Replica]:
        return [replica for replica in self.replicas if replica.alive]

    def launch(self, count: int = 1) -> list[Replica]:
        """Start ``count`` more replicas (all launched before any is waited for); ready when
        returned."""
        started = [self._launch() for _ in range(count)]
        deadline = time.monotonic() + STARTUP_TIMEOUT
        for replica in started:
            _wait_ready(replica, deadline)
        return started

    def _launch(self) -> Replica:
        name = f"replica-{len(self.replicas)}"
        port = free_port()
        log_path = self.directory / f"{name}.log"
        with log_path.open("wb") as log:  # the child keeps its own descriptor
            process = subprocess.Popen(
                [sys.executable, "-m", "vcservice.cli", "serve", "--host", "127.0.0.1",
                 "--port", str(port), "--workers", "1"],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=REPO,
                start_new_session=True,
            )  # fmt: skip
        self._stack.callback(_stop, process)
        url = f"http://127.0.0.1:{port}"
        client = self._stack.enter_context(httpx.Client(base_url=url, timeout=60, trust_env=False))
        replica = Replica(name, url, process, log_path, client)
        self.replicas.append(replica)
        return replica

    def spread(
        self, requests: Sequence[Callable[[httpx.Client], httpx.Response]], *, threads: int = 24
    ) -> list[Outcome]:
        """Run each request on the next live replica in turn (round-robin), ``threads`` at a
        time; the outcomes in request order."""
        targets = self.live

        def run(numbered: tuple[int, Callable[[httpx.Client], httpx.Response]]) -> Outcome:
            index, request = numbered
            replica = targets[index % len(targets)]
            return call(replica, request)

        with ThreadPoolExecutor(max_workers=threads) as pool:
            return list(pool.map(run, enumerate(requests)))

    def close(self) -> None:
        self._stack.close()


def call(replica: Replica, request: Callable[[httpx.Client], httpx.Response]) -> Outcome:
    """One request on one replica, its transport failure kept rather than raised."""
    try:
        answer = request(replica.client)
    except httpx.TransportError as exc:
        return Outcome(replica.name, None, error=type(exc).__name__)
    try:
        body = answer.json()
    except ValueError:
        body = answer.text
    return Outcome(replica.name, answer.status_code, body, answer.headers.get("content-type", ""))


def kill(replica: Replica) -> None:
    """SIGKILL: no shutdown, no rollback by the process; PostgreSQL aborts what it had open."""
    os.kill(replica.process.pid, signal.SIGKILL)
    replica.process.wait(timeout=10)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _wait_ready(replica: Replica, deadline: float) -> None:
    while time.monotonic() < deadline:
        if not replica.alive:
            raise RuntimeError(f"{replica.name} exited: {replica.log.read_text()[-3000:]}")
        try:
            if replica.client.get("/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{replica.name} not ready: {replica.log.read_text()[-3000:]}")


def replica_env(database_url: str, public_url: str, secret: str) -> dict[str, str]:
    """The environment every replica shares: nothing of the caller's ``VCSERVICE_*``."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("VCSERVICE_")}
    env.update(
        VCSERVICE_DATABASE_URL=database_url,
        VCSERVICE_PUBLIC_URL=public_url,
        VCSERVICE_SECRET_KEY=secret,
        VCSERVICE_LOG_LEVEL="INFO",
        PYTHONPATH=str(REPO),
    )
    return env


def new_secret() -> str:
    """A fresh 32-byte ``VCSERVICE_SECRET_KEY`` (base64url, as the settings expect)."""
    return base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()


def start_cluster(
    database_url: str, directory: Path, *, count: int, public_url: str, secret: str
) -> Iterator[Cluster]:
    """``count`` replicas launched together on ``database_url`` (an empty database); stopped
    when the generator is closed (use it as a fixture body)."""
    cluster = Cluster(database_url, replica_env(database_url, public_url, secret), directory)
    try:
        cluster.launch(count)
        yield cluster
    finally:
        cluster.close()
