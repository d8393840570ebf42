"""Service settings from the environment (``VCSERVICE_*``), built by a factory, never global.

Secrets are refused by default: private keys are encrypted with ``VCSERVICE_SECRET_KEY`` (or the
file named by ``VCSERVICE_SECRET_KEY_FILE``). Only for the embedded SQLite default is a
development key file created next to the database, so that ``make run`` works on a fresh clone;
a PostgreSQL deployment without an explicit secret refuses to start.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VCSERVICE_", extra="ignore")

    database_url: str = "sqlite:///./vcservice.db"
    #: Where the service is reachable; tenant DIDs (did:web) and status-list URLs derive from it.
    public_url: str = "http://localhost:8000"
    secret_key: SecretStr | None = None
    secret_key_file: str | None = None
    #: Securing format used when an issue request names none.
    default_format: str = "vc+jwt"
    #: Request limits (bytes, nesting depth, items in one JSON array or object).
    max_body_bytes: int = Field(default=1 << 20, ge=1024)
    max_json_depth: int = Field(default=64, ge=4)
    max_json_items: int = Field(default=10_000, ge=16)
    #: Verify endpoints are public unless this is set.
    verify_requires_auth: bool = False
    #: Resolve did:web and fetch status lists over plain http on loopback (tests only).
    allow_http_loopback: bool = False
    #: Reverse proxies whose ``X-Forwarded-For``/``-Proto`` are believed (comma-separated IPs or
    #: CIDRs). Empty by default: the client address is the socket's peer, so no header can
    #: forge it (logged addresses, the console's sign-in throttle). See docs/console.md.
    forwarded_allow_ips: str = ""
    log_level: str = "INFO"
    #: Bounds on one provenance-graph verification (``POST /graphs/verify``): credentials
    #: verified, links deep, and the size and time allowed for each linked credential fetched.
    graph_max_nodes: int = Field(default=2000, ge=1)
    graph_max_depth: int = Field(default=64, ge=1)
    graph_fetch_max_bytes: int = Field(default=2 << 20, ge=1024)
    graph_fetch_timeout: float = Field(default=5.0, gt=0)
    #: CPU-heavy verification per worker (see ``http/scheduling.py``): threads running at once,
    #: requests allowed to wait beyond them (then 503 with Retry-After), and the deadline in
    #: seconds of one verification's work (past it the document is refused as too costly)
    #: and of one graph verification's (many credentials).
    verify_concurrency: int = Field(default=2, ge=1)
    verify_queue: int = Field(default=32, ge=0)
    verify_deadline: float = Field(default=5.0, gt=0)
    graph_verify_deadline: float = Field(default=60.0, gt=0)
    #: Trust anchors (comma-separated DIDs) the verification page (``/verify``) uses when the
    #: buyer gives none and the input carries none.
    trust_anchors: str = ""
    #: Days the verification page keeps what it verified, so that a result link re-runs it
    #: (``/verify/r/{id}``); a link older than that answers 404. Pruned whenever one is stored.
    shared_result_days: int = Field(default=90, ge=1)
    #: At most this many inputs are kept (the oldest shared go first): anyone who may verify
    #: may store one, so the table is bounded by count as well as by age.
    shared_result_max: int = Field(default=10_000, ge=1)
    #: The federated credit registry (docs/ledger.md): the registration API base URLs
    #: (``https://other.example/registry``, comma-separated) of the registries asked to
    #: cosign each checkpoint this service signs for a registration, and how long a call to
    #: another registry (a home, a witness) may take in seconds.
    witness_endpoints: str = ""
    #: As a witness: the logs (registry DIDs, comma-separated) this service cosigns; empty:
    #: any registry that asks (an open federation; each log costs one row).
    witnessed_log_dids: str = ""
    registry_timeout: float = Field(default=5.0, gt=0)
    #: The PKCS#11 key backend (docs/keys.md): the module (``.so``) of the HSM's PKCS#11
    #: library, the label of the token holding tenants' keys and its user PIN (or a file
    #: holding it, for container secrets). Unset: tenants can only keep keys in the vault.
    pkcs11_module: str | None = None
    pkcs11_token_label: str | None = None
    pkcs11_pin: SecretStr | None = None
    pkcs11_pin_file: str | None = None
    #: did:webvh tenants: the witness DIDs (did:key, comma-separated) whose approvals each
    #: new log entry needs, and how many of them (0: no witnesses). Applies to tenants created
    #: afterwards; a tenant keeps the rule its log was created with.
    webvh_witnesses: str = ""
    webvh_witness_threshold: int = Field(default=0, ge=0)
    #: Entries of each status list opened from now on (the open list keeps its own length
    #: until it is full): a multiple of 8 from 131,072, the Bitstring Status List minimum for
    #: herd privacy, to 2**24 (a 2 MiB bitstring).
    status_list_length: int = Field(default=131_072, ge=131_072, le=1 << 24, multiple_of=8)

    @property
    def webvh_witness_dids(self) -> tuple[str, ...]:
        return tuple(d.strip() for d in self.webvh_witnesses.split(",") if d.strip())

    @property
    def witnesses(self) -> list[str]:
        return [w.strip() for w in self.witness_endpoints.split(",") if w.strip()]

    @property
    def witnessed_logs(self) -> frozenset[str]:
        return frozenset(d.strip() for d in self.witnessed_log_dids.split(",") if d.strip())

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("public_url must be an absolute http(s) URL")
        if parts.path not in ("", "/") or parts.query or parts.fragment:
            raise ValueError("public_url must be an origin (scheme, host, optional port)")
        return f"{parts.scheme}://{parts.netloc}"

    @field_validator("forwarded_allow_ips")
    @classmethod
    def _forwarded_allow_ips(cls, value: str) -> str:
        """Only addresses and networks: a typo would otherwise silently trust nobody (uvicorn
        keeps unparsable entries as literals), and ``*`` would trust everyone."""
        for item in (part.strip() for part in value.split(",")):
            if not item:
                continue
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(
                    f"forwarded_allow_ips: {item!r} is not an IP address or CIDR network"
                ) from None
        return value

    @property
    def trusted_proxies(self) -> list[str]:
        """The ``forwarded_allow_ips`` entries, for uvicorn; empty when none is trusted."""
        return [part.strip() for part in self.forwarded_allow_ips.split(",") if part.strip()]

    @property
    def default_trust_anchors(self) -> tuple[str, ...]:
        return tuple(a.strip() for a in self.trust_anchors.split(",") if a.strip())

    @property
    def public_host(self) -> str:
        """``host[:port]`` of the public URL, as did:web writes it (before %-encoding)."""
        return urlsplit(self.public_url).netloc
