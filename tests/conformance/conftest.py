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

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from conformance.config import Config, parse_config
from tests.instances import Server, TenantSpec, free_port, start, stop

ALL_FORMATS = ["vc+jwt", "eddsa-rdfc-2022", "ecdsa-rdfc-2019", "eddsa-jcs-2022", "ecdsa-jcs-2019"]


@dataclass
class Instance(Server):
    """One running ``vcservice serve`` (:class:`tests.instances.Server`) with its one tenant,
    and the formats that tenant issues."""

    formats: list[str] = field(default_factory=list)

    @property
    def did(self) -> str:
        return self.tenants[0].did

    @property
    def api_key(self) -> str:
        return self.tenants[0].api_key

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


def _instance(
    name: str, tenant: str, did_method: str, key_type: str, formats: list[str], directory: Any
) -> Instance:
    args = ("--did-method", did_method, "--key-type", key_type)
    return Instance(name, directory, [TenantSpec(tenant, args)], formats=formats)


@pytest.fixture(scope="module")
def instances(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Instance, Instance]]:
    """Two running vcservice processes: A (did:web, Ed25519) and B (did:key, P-256)."""
    a = _instance(
        "vcservice-a", "alpha", "web", "ed25519",
        ["vc+jwt", "eddsa-rdfc-2022", "eddsa-jcs-2022"], tmp_path_factory.mktemp("vcservice-a"),
    )  # fmt: skip
    b = _instance(
        "vcservice-b", "beta", "key", "p256",
        ["vc+jwt", "ecdsa-rdfc-2019", "ecdsa-jcs-2019"], tmp_path_factory.mktemp("vcservice-b"),
    )  # fmt: skip
    if a.port == b.port:
        b.port = free_port()
    try:
        start([a, b])
        yield a, b
    finally:
        stop([a, b])


@pytest.fixture(scope="module")
def two_instance_config(instances: tuple[Instance, Instance]) -> Config:
    """A configuration naming both instances (issuer, verifier and status endpoints)."""
    return parse_config(
        {"implementation": [i.entry() for i in instances], "settings": {"timeout": 30}},
        environ={},
    )
