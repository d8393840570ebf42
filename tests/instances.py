"""Running ``vcservice serve`` processes for tests: each with its own SQLite database (or a
PostgreSQL database), its own vault secret and a free loopback port.

Every instance runs with ``VCSERVICE_ALLOW_HTTP_LOOPBACK=true``, so instances resolve each
other's did:web (tenants' and the services' own) and call each other's registries over plain
http on 127.0.0.1. Tenants are created with ``vcservice tenants create`` under the same
environment before ``serve`` starts.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[1]
START_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def vcservice_command() -> str:
    local = REPO / ".venv" / "bin" / "vcservice"
    if local.is_file():
        return str(local)
    beside = Path(sys.executable).parent / "vcservice"
    found = str(beside) if beside.is_file() else shutil.which("vcservice")
    if found is None:
        pytest.fail("the vcservice command is not installed (.venv/bin/vcservice)")
    return found


@dataclass
class TenantSpec:
    """A tenant to create: its name, and the arguments of ``tenants create`` after it."""

    name: str
    args: tuple[str, ...] = ()
    did: str = ""
    api_key: str = ""


@dataclass
class Server:
    """One ``vcservice serve`` process. ``public_url`` defaults to its own address; a test may
    point it elsewhere (a second process pretending to be the first: an equivocating log)."""

    name: str
    directory: Path
    tenants: list[TenantSpec] = field(default_factory=list)
    port: int = field(default_factory=free_port)
    public_url: str = ""
    database_url: str = ""
    secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    extra_env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.directory / "serve.log"

    def tenant(self, name: str) -> TenantSpec:
        return next(t for t in self.tenants if t.name == name)

    def env(self) -> dict[str, str]:
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("VCSERVICE_")}
        return {
            **inherited,
            "VCSERVICE_DATABASE_URL": self.database_url
            or f"sqlite:///{self.directory / 'vcservice.db'}",
            "VCSERVICE_PUBLIC_URL": self.public_url or self.url,
            "VCSERVICE_SECRET_KEY": self.secret,
            "VCSERVICE_ALLOW_HTTP_LOOPBACK": "true",
            "VCSERVICE_LOG_LEVEL": "WARNING",
            **self.extra_env,
        }


def create_tenants(servers: Sequence[Server]) -> None:
    command = vcservice_command()
    running = [
        (
            tenant,
            server,
            subprocess.Popen(
                [command, "tenants", "create", tenant.name, *tenant.args],
                env=server.env(),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            ),
        )
        for server in servers
        for tenant in server.tenants
        if not tenant.api_key
    ]
    for tenant, server, process in running:
        out, err = process.communicate(timeout=START_TIMEOUT)
        if process.returncode != 0:
            raise RuntimeError(f"tenants create on {server.name} failed: {err.decode()}")
        created = json.loads(out)  # {"tenant", "did", "api_key"}
        tenant.did, tenant.api_key = created["did"], created["api_key"]


def start(servers: Sequence[Server]) -> None:
    """Create every tenant, then start every server, then wait until all are ready."""
    create_tenants(servers)
    command = vcservice_command()
    for server in servers:
        with server.log.open("ab") as log:
            server.process = subprocess.Popen(
                [command, "serve", "--host", "127.0.0.1", "--port", str(server.port)],
                env=server.env(), stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
    deadline = time.monotonic() + START_TIMEOUT
    with httpx.Client(timeout=2.0) as client:
        for server in servers:
            while True:
                assert server.process is not None
                if server.process.poll() is not None:
                    raise RuntimeError(
                        f"{server.name} exited ({server.process.returncode}):\n"
                        + server.log.read_text(errors="replace")
                    )
                try:
                    if client.get(f"{server.url}/readyz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{server.name} not ready after {START_TIMEOUT} s")
                time.sleep(0.05)


def stop(servers: Sequence[Server]) -> None:
    running = [s.process for s in servers if s.process is not None]
    for process in running:
        if process.poll() is None:
            process.terminate()
    for process in running:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
