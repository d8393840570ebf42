"""``platforms.toml``: the implementations under test.

```toml
[[implementation]]
name = "vcservice-a"
# Every endpoint is optional: a suite needing one an implementation lacks is skipped for it.
issuer = { endpoint = "http://127.0.0.1:8001/credentials/issue", did = "did:web:...",
           formats = ["vc+jwt", "eddsa-rdfc-2022"], token_env = "PLATFORM_A_TOKEN",
           options = { } }
verifier = { endpoint = "http://127.0.0.1:8001/credentials/verify" }
presentation_verifier = { endpoint = "http://127.0.0.1:8001/presentations/verify" }
status = { endpoint = "http://127.0.0.1:8001/credentials/status", token_env = "PLATFORM_A_TOKEN" }
graph_verifier = { endpoint = "http://127.0.0.1:8001/graphs/verify" }
# The credit registry (docs/ledger.md, "Federation"): the platform's base URL, under which
# /.well-known/transparency-configuration, /.well-known/did.json and /ledger/ are served.
registry = { endpoint = "http://127.0.0.1:8001" }
# The identity resolver (docs/resolver.md): its base URL, and identifiers the platform resolves.
resolver = { endpoint = "http://127.0.0.1:8001", identifiers = ["/01/09506000164908/10/LOT1"] }
# Selective disclosure: the W3C VC API's holder endpoint (ecdsa-sd-2023, vc+sd-jwt).
derive = { endpoint = "http://127.0.0.1:8001/credentials/derive" }
data_model = "2.0"   # or "1.1" for implementations that only speak VC 1.1 (didkit)

[settings]
fixtures = "tests/fixtures"   # where the W3C / UNTP inputs are (optional; a checkout has them)
timeout = 30
# JSON-LD contexts a platform uses that vcservice does not bundle: URL = file (relative to this
# file). The *.contexts-resolvable checks accept them, and local judgments load them; nothing
# is ever fetched (conformance.resolution).
contexts = { "https://platform.example/contexts/v1" = "contexts/platform-v1.jsonld" }
```

A bearer token is given by the name of an environment variable (``token_env``), never written
in the file; ``token`` is accepted too, for throw-away local setups.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance.resolution import parse_contexts
from vcservice.errors import ConfigError as ConfigError
from vcservice.securing.registry import format_names
from vcservice.securing.suites import LEGACY_SUITES

#: The formats the harness can judge: what vcservice issues (its registry), then the legacy
#: suites its verifier reads.
FORMATS = (*format_names(), *LEGACY_SUITES)


@dataclass(frozen=True)
class Endpoint:
    url: str
    token: str | None = None
    did: str | None = None
    formats: tuple[str, ...] = ()
    options: dict[str, Any] = field(default_factory=dict)
    #: A resolver's identifiers to resolve (URLs, or paths under its endpoint).
    identifiers: tuple[str, ...] = ()

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}


#: The endpoints an implementation may declare, in the order a summary lists them.
ROLES = (
    "issuer",
    "verifier",
    "presentation_verifier",
    "status",
    "graph_verifier",
    "registry",
    "resolver",
    "derive",
)


@dataclass(frozen=True)
class Implementation:
    name: str
    issuer: Endpoint | None = None
    verifier: Endpoint | None = None
    presentation_verifier: Endpoint | None = None
    status: Endpoint | None = None
    graph_verifier: Endpoint | None = None
    registry: Endpoint | None = None
    resolver: Endpoint | None = None
    derive: Endpoint | None = None
    data_model: str = "2.0"

    def summary(self) -> dict[str, Any]:
        """What a report may show: endpoints and formats, never tokens."""
        out: dict[str, Any] = {"name": self.name, "dataModel": self.data_model}
        for role in ROLES:
            endpoint = getattr(self, role)
            if endpoint is not None:
                out[role] = {"endpoint": endpoint.url}
                if endpoint.formats:
                    out[role]["formats"] = list(endpoint.formats)
                if endpoint.did:
                    out[role]["did"] = endpoint.did
        return out


@dataclass(frozen=True)
class Config:
    implementations: tuple[Implementation, ...]
    fixtures: Path | None = None
    timeout: float = 30.0
    #: ``[settings] contexts``: extra JSON-LD contexts (URL, file) the harness resolves.
    contexts: tuple[tuple[str, Path], ...] = ()

    def named(self, names: list[str] | None) -> tuple[Implementation, ...]:
        if not names:
            return self.implementations
        known = {i.name: i for i in self.implementations}
        missing = [n for n in names if n not in known]
        if missing:
            raise ConfigError(f"no implementation named {', '.join(missing)}")
        return tuple(known[n] for n in names)


def _endpoint(value: Any, where: str, environ: dict[str, str]) -> Endpoint | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = {"endpoint": value}
    if not isinstance(value, dict) or not isinstance(value.get("endpoint"), str):
        raise ConfigError(f"{where}: needs 'endpoint' (a URL)")
    url = value["endpoint"]
    if not url.startswith(("http://", "https://")):
        raise ConfigError(f"{where}: endpoint {url!r} is not an http(s) URL")
    token = value.get("token")
    if "token_env" in value:
        name = value["token_env"]
        if not isinstance(name, str) or name not in environ:
            raise ConfigError(f"{where}: environment variable {name!r} (token_env) is not set")
        token = environ[name]
    formats = value.get("formats", [])
    if not isinstance(formats, list) or not all(isinstance(f, str) for f in formats):
        raise ConfigError(f"{where}: formats must be a list of strings")
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ConfigError(f"{where}: unknown formats {unknown}; known: {', '.join(FORMATS)}")
    options = value.get("options", {})
    if not isinstance(options, dict):
        raise ConfigError(f"{where}: options must be a table")
    identifiers = value.get("identifiers", [])
    if not isinstance(identifiers, list) or not all(isinstance(i, str) for i in identifiers):
        raise ConfigError(f"{where}: identifiers must be a list of strings")
    did = value.get("did")
    return Endpoint(url, token if isinstance(token, str) else None,
                    did if isinstance(did, str) else None, tuple(formats), options,
                    tuple(identifiers))  # fmt: skip


def parse_config(data: dict[str, Any], *, base: Path | None = None,
                 environ: dict[str, str] | None = None) -> Config:  # fmt: skip
    environ = dict(os.environ) if environ is None else environ
    entries = data.get("implementation")
    if not isinstance(entries, list) or not entries:
        raise ConfigError("the configuration lists no [[implementation]]")
    implementations = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise ConfigError(f"implementation {index + 1}: needs a 'name'")
        name = entry["name"]
        model = entry.get("data_model", "2.0")
        if model not in ("2.0", "1.1"):
            raise ConfigError(f"{name}: data_model is '2.0' or '1.1', not {model!r}")
        implementations.append(
            Implementation(
                name=name,
                issuer=_endpoint(entry.get("issuer"), f"{name}.issuer", environ),
                verifier=_endpoint(entry.get("verifier"), f"{name}.verifier", environ),
                presentation_verifier=_endpoint(
                    entry.get("presentation_verifier"), f"{name}.presentation_verifier", environ
                ),
                status=_endpoint(entry.get("status"), f"{name}.status", environ),
                graph_verifier=_endpoint(
                    entry.get("graph_verifier"), f"{name}.graph_verifier", environ
                ),
                registry=_endpoint(entry.get("registry"), f"{name}.registry", environ),
                resolver=_endpoint(entry.get("resolver"), f"{name}.resolver", environ),
                derive=_endpoint(entry.get("derive"), f"{name}.derive", environ),
                data_model=model,
            )
        )
    names = [i.name for i in implementations]
    if len(set(names)) != len(names):
        raise ConfigError("implementation names must be unique")
    settings = data.get("settings", {})
    if not isinstance(settings, dict):
        raise ConfigError("[settings] must be a table")
    fixtures = settings.get("fixtures")
    timeout = settings.get("timeout", 30)
    if not isinstance(timeout, int | float) or timeout <= 0:
        raise ConfigError("settings.timeout must be a positive number of seconds")
    return Config(
        tuple(implementations),
        (base or Path.cwd()) / fixtures if isinstance(fixtures, str) else None,
        float(timeout),
        parse_contexts(settings.get("contexts"), base or Path.cwd()),
    )


def load_config(path: Path, environ: dict[str, str] | None = None) -> Config:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    return parse_config(data, base=path.parent, environ=environ)
