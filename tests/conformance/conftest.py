"""Live fixtures for the conformance harness: two separate vcservice processes, each with its
own SQLite database and tenant, on free loopback ports.

* ``vcservice-a``: a did:web tenant (``did:web:127.0.0.1%3A<port>:tenants:alpha``), Ed25519:
  vc+jwt, eddsa-rdfc-2022, eddsa-jcs-2022;
* ``vcservice-b``: a did:key tenant with a P-256 key: vc+jwt, ecdsa-rdfc-2019, ecdsa-jcs-2019.

Both run with ``VCSERVICE_ALLOW_HTTP_LOOPBACK=true`` so each resolves the other's did:web and
fetches the other's status lists over plain http on 127.0.0.1. Each tenant is created with
``vcservice tenants create`` under the same environment before ``vcservice serve`` starts.
The servers are module-scoped: a test module pays the start-up (about 2 s) once.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from conformance.config import Config, parse_config
from tests.conformance.faulty import free_port

REPO = Path(__file__).resolve().parents[2]
ALL_FORMATS = ["vc+jwt", "eddsa-rdfc-2022", "ecdsa-rdfc-2019", "eddsa-jcs-2022", "ecdsa-jcs-2019"]
START_TIMEOUT = 60.0


def _vcservice() -> str:
    local = REPO / ".venv" / "bin" / "vcservice"
    if local.is_file():
        return str(local)
    beside = Path(sys.executable).parent / "vcservice"
    found = str(beside) if beside.is_file() else shutil.which("vcservice")
    if found is None:
        pytest.fail("the vcservice command is not installed (.venv/bin/vcservice)")
    return found


@dataclass
class Instance:
    """One running ``vcservice serve`` and the tenant created in it."""

    name: str
    tenant: str
    did_method: str
    key_type: str
    formats: list[str]
    directory: Path
    port: int = field(default_factory=free_port)
    did: str = ""
    api_key: str = ""
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.directory / "serve.log"

    def env(self) -> dict[str, str]:
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("VCSERVICE_")}
        return {
            **inherited,
            "VCSERVICE_DATABASE_URL": f"sqlite:///{self.directory / 'vcservice.db'}",
            "VCSERVICE_PUBLIC_URL": self.url,
            "VCSERVICE_SECRET_KEY": secrets.token_urlsafe(32),  # 43 characters of base64url
            "VCSERVICE_ALLOW_HTTP_LOOPBACK": "true",
            "VCSERVICE_LOG_LEVEL": "WARNING",
        }

    def entry(self, *, status: bool = True) -> dict[str, Any]:
        """This instance as a platforms.toml ``[[implementation]]`` table."""
        table: dict[str, Any] = {
            "name": self.name,
            "issuer": {
                "endpoint": f"{self.url}/credentials/issue",
                "token": self.api_key,
                "did": self.did,
                "formats": self.formats,
            },
            "verifier": {"endpoint": f"{self.url}/credentials/verify", "formats": ALL_FORMATS},
        }
        if status:
            table["status"] = {"endpoint": f"{self.url}/credentials/status", "token": self.api_key}
        return table


def _start(instances: list[Instance]) -> None:
    """Create every tenant, then start every server, then wait for all: in parallel."""
    command = _vcservice()
    environments = {i.name: i.env() for i in instances}
    creating = [
        (
            instance,
            subprocess.Popen(
                [
                    command,
                    "tenants",
                    "create",
                    instance.tenant,
                    "--did-method",
                    instance.did_method,
                    "--key-type",
                    instance.key_type,
                ],
                env=environments[instance.name],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            ),
        )
        for instance in instances
    ]
    for instance, process in creating:
        out, err = process.communicate(timeout=START_TIMEOUT)
        if process.returncode != 0:
            raise RuntimeError(f"tenants create for {instance.name} failed: {err.decode()}")
        created = json.loads(out)  # {"tenant", "did", "api_key"}
        instance.did, instance.api_key = created["did"], created["api_key"]
    for instance in instances:
        with instance.log.open("wb") as log:
            instance.process = subprocess.Popen(
                [command, "serve", "--host", "127.0.0.1", "--port", str(instance.port)],
                env=environments[instance.name], stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
    deadline = time.monotonic() + START_TIMEOUT
    with httpx.Client(timeout=2.0) as client:
        for instance in instances:
            while True:
                assert instance.process is not None
                if instance.process.poll() is not None:
                    raise RuntimeError(
                        f"{instance.name} exited ({instance.process.returncode}):\n"
                        + instance.log.read_text(errors="replace")
                    )
                try:
                    if client.get(f"{instance.url}/readyz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{instance.name} not ready after {START_TIMEOUT} s")
                time.sleep(0.05)


def _stop(instances: list[Instance]) -> None:
    running = [i.process for i in instances if i.process is not None]
    for process in running:
        if process.poll() is None:
            process.terminate()
    for process in running:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def instances(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Instance, Instance]]:
    """Two running vcservice processes: A (did:web, Ed25519) and B (did:key, P-256)."""
    a = Instance(
        "vcservice-a", "alpha", "web", "ed25519",
        ["vc+jwt", "eddsa-rdfc-2022", "eddsa-jcs-2022"], tmp_path_factory.mktemp("vcservice-a"),
    )  # fmt: skip
    b = Instance(
        "vcservice-b", "beta", "key", "p256",
        ["vc+jwt", "ecdsa-rdfc-2019", "ecdsa-jcs-2019"], tmp_path_factory.mktemp("vcservice-b"),
    )  # fmt: skip
    if a.port == b.port:
        b.port = free_port()
    try:
        _start([a, b])
        yield a, b
    finally:
        _stop([a, b])


@pytest.fixture(scope="module")
def two_instance_config(instances: tuple[Instance, Instance]) -> Config:
    """A configuration naming both instances (issuer, verifier and status endpoints)."""
    return parse_config(
        {"implementation": [i.entry() for i in instances], "settings": {"timeout": 30}},
        environ={},
    )
