"""A vcservice server for the HTTP and ledger figures: ``vcservice serve --workers N`` in a
subprocess, on a free loopback port, over a database in a temporary directory (or a given
PostgreSQL URL), with a tenant and API key created through the CLI first."""

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
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench._timing import on_cpus

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


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
    with tempfile.TemporaryDirectory(prefix="vcservice-bench-http-") as tmp:
        directory = Path(tmp)
        url = database_url or f"sqlite:///{directory / 'vcservice.db'}"
        port = free_port()
        public = f"http://127.0.0.1:{port}"
        secret = base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()
        env = {**_env(url, public, secret), **(extra_env or {})}
        args = ["--did-method", "key"]
        if key_file is not None:
            args += ["--key-file", str(key_file)]
        tenant = _create_tenant(env, "bench", args)
        log = (directory / "server.log").open("w")
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
            _wait_ready(public, process, startup_timeout, directory / "server.log", workers)
            yield Server(
                url=public,
                host="127.0.0.1",
                port=port,
                workers=workers,
                api_key=str(tenant["api_key"]),
                did=str(tenant["did"]),
                database_url=url,
                pid=process.pid,
            )
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
            log.close()


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
    server: Server,
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

    ``bodies`` are JSON values, serialized here; with ``raw`` they are request bodies already
    (``bytes`` or ``str``, sent as they are: the hostile corpus has bodies no JSON encoder
    would write)."""
    encoded = [
        (body.decode("utf-8") if isinstance(body, bytes) else str(body))
        if raw
        else json.dumps(body, separators=(",", ":"))
        for body in bodies
    ]
    spec = {
        "host": server.host,
        "port": server.port,
        "path": path,
        "bodies": encoded,
        "mode": mode,
        "concurrency": concurrency,
        "duration": duration,
        "warmup": warmup,
        "rate": rate,
        "headers": {"Authorization": f"Bearer {server.api_key}"} if auth else {},
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
