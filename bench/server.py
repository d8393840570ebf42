"""A vcservice server for the HTTP and ledger figures: ``vcservice serve --workers N`` in a
subprocess, on a free loopback port, over a database in a temporary directory (or a given
PostgreSQL URL), with a tenant and API key created through the CLI first.

:func:`replicas` runs several such servers on one database, as a platform runs replicas behind
a reverse proxy: the tenant is created once (which migrates the empty database), and every
server gets the same settings (``VCSERVICE_SECRET_KEY``, and as ``VCSERVICE_PUBLIC_URL`` the
first server's address, standing for the proxy's), so any of them serves any request.
:func:`serve` is the one-server case."""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench._timing import on_cpus

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    return free_ports(1)[0]


def free_ports(count: int) -> list[int]:
    """``count`` distinct free loopback ports (all probed at once, so none is handed out twice)."""
    with ExitStack() as stack:
        probes = [stack.enter_context(socket.socket()) for _ in range(count)]
        for probe in probes:
            probe.bind(("127.0.0.1", 0))
        return [int(probe.getsockname()[1]) for probe in probes]


@dataclass(frozen=True)
class Server:
    url: str
    host: str
    port: int
    workers: int
    api_key: str
    did: str
    database_url: str
    #: The ``vcservice serve`` process (uvicorn's supervisor with several workers, whose worker
    #: processes are its children): what :mod:`bench.hostile_http` reads CPU time from.
    pid: int

    def client(self, timeout: float = 120) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=timeout, trust_env=False)


def _env(database_url: str, public_url: str, secret: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("VCSERVICE_")}
    env.update(
        VCSERVICE_DATABASE_URL=database_url,
        VCSERVICE_PUBLIC_URL=public_url,
        VCSERVICE_SECRET_KEY=secret,
        PYTHONPATH=str(REPO),
    )
    return env


def _create_tenant(
    env: dict[str, str], name: str, args: Sequence[str] = ("--did-method", "key")
) -> dict[str, Any]:
    done = subprocess.run(  # noqa: S603 - fixed argv, no shell
        [sys.executable, "-m", "vcservice.cli", "tenants", "create", name, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=REPO,
    )
    if done.returncode != 0:
        raise RuntimeError(f"tenants create failed: {done.stderr[-2000:]}")
    start = done.stdout.index("{")
    tenant: dict[str, Any] = json.loads(done.stdout[start:])
    return tenant


@contextmanager
def serve(
    *,
    workers: int,
    database_url: str | None = None,
    cpus: Sequence[int] | None = None,
    startup_timeout: float = 60,
    key_file: Path | None = None,
    extra_env: Mapping[str, str] | None = None,
) -> Iterator[Server]:
    """Run a server until the block ends; SQLite in a temporary directory unless
    ``database_url`` is given (it must name an empty database). The tenant's did:key is a new
    key, or the one in ``key_file`` (one party's key on several servers); ``extra_env`` adds
    settings (``VCSERVICE_…``)."""
    with replicas(
        1,
        workers=workers,
        database_url=database_url,
        cpus=cpus,
        startup_timeout=startup_timeout,
        key_file=key_file,
        extra_env=extra_env,
    ) as servers:
        yield servers[0]


@contextmanager
def replicas(
    count: int,
    *,
    workers: int = 1,
    database_url: str | None = None,
    cpus: Sequence[int] | None = None,
    startup_timeout: float = 60,
    key_file: Path | None = None,
    extra_env: Mapping[str, str] | None = None,
) -> Iterator[list[Server]]:
    """Run ``count`` servers of ``workers`` workers each on one database and one tenant until
    the block ends (arguments as for :func:`serve`). They start together, after the tenant
    exists, so none of them finds the database unmigrated."""
    with tempfile.TemporaryDirectory(prefix="vcservice-bench-http-") as tmp:
        directory = Path(tmp)
        url = database_url or f"sqlite:///{directory / 'vcservice.db'}"
        ports = free_ports(count)
        public = f"http://127.0.0.1:{ports[0]}"
        secret = base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()
        env = {**_env(url, public, secret), **(extra_env or {})}
        args = ["--did-method", "key"]
        if key_file is not None:
            args += ["--key-file", str(key_file)]
        tenant = _create_tenant(env, "bench", args)
        with ExitStack() as stack:
            started = []
            for index, port in enumerate(ports):
                log = directory / (f"server-{index}.log" if count > 1 else "server.log")
                started.append(
                    (port, log, stack.enter_context(_running(env, port, workers, cpus, log)))
                )
            servers = []
            for port, log, process in started:
                url_of = f"http://127.0.0.1:{port}"
                _wait_ready(url_of, process, startup_timeout, log, workers)
                servers.append(
                    Server(
                        url=url_of,
                        host="127.0.0.1",
                        port=port,
                        workers=workers,
                        api_key=str(tenant["api_key"]),
                        did=str(tenant["did"]),
                        database_url=url,
                        pid=process.pid,
                    )
                )
            yield servers


@contextmanager
def _running(
    env: dict[str, str], port: int, workers: int, cpus: Sequence[int] | None, log_path: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """``vcservice serve`` on ``port`` until the block ends (then terminated, killed if slow)."""
    command = [
        sys.executable,
        "-m",
        "vcservice.cli",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    with log_path.open("w") as log:
        process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            command,
            preexec_fn=on_cpus(cpus),
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=REPO,
            start_new_session=True,
        )
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def _wait_ready(
    url: str, process: subprocess.Popen[bytes], timeout: float, log: Path, workers: int
) -> None:
    deadline = time.monotonic() + timeout
    ready = 0
    with httpx.Client(base_url=url, timeout=2, trust_env=False) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"server exited: {log.read_text(errors='replace')[-2000:]}")
            try:
                if client.get("/readyz").status_code == 200:
                    ready += 1
                    if ready >= 3 * workers:  # every worker has probably started by now
                        return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
    raise RuntimeError(f"server not ready after {timeout} s: {log.read_text(errors='replace')}")


def load(
    server: Server | Sequence[Server],
    path: str,
    bodies: list[Any],
    *,
    mode: str,
    concurrency: int,
    duration: float,
    warmup: float,
    rate: float = 1000.0,
    auth: bool = False,
    cpu: int | None = None,
    raw: bool = False,
) -> dict[str, Any]:
    """Run the load generator (:mod:`bench.loadgen`) in its own process; its JSON summary.
    Given several servers (replicas on one host), it spreads its connections over them
    round-robin.

    ``bodies`` are JSON values, serialized here; with ``raw`` they are request bodies already
    (``bytes`` or ``str``, sent as they are: the hostile corpus has bodies no JSON encoder
    would write)."""
    encoded = [
        (body.decode("utf-8") if isinstance(body, bytes) else str(body))
        if raw
        else json.dumps(body, separators=(",", ":"))
        for body in bodies
    ]
    servers = [server] if isinstance(server, Server) else list(server)
    first = servers[0]
    spec = {
        "host": first.host,
        "port": first.port,
        "ports": [s.port for s in servers],
        "path": path,
        "bodies": encoded,
        "mode": mode,
        "concurrency": concurrency,
        "duration": duration,
        "warmup": warmup,
        "rate": rate,
        "headers": {"Authorization": f"Bearer {first.api_key}"} if auth else {},
    }
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(spec, handle)
    try:
        done = subprocess.run(  # noqa: S603 - fixed argv, no shell
            [sys.executable, "-m", "bench.loadgen", handle.name],
            preexec_fn=on_cpus(None if cpu is None else [cpu]),
            capture_output=True,
            text=True,
            timeout=duration + warmup + 120,
            check=False,
            cwd=REPO,
        )
    finally:
        Path(handle.name).unlink(missing_ok=True)
    if done.returncode != 0:
        raise RuntimeError(f"load generator failed: {done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result
