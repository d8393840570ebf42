"""The service layer: what the HTTP API, the pages and the ``tenants`` CLI do, with no HTTP in it.

One module per resource, each a small object over the store and what else it needs:
:mod:`.tenants` (tenants, DIDs, keys), :mod:`.issuing` (issuing and upstream credentials),
:mod:`.credentials` (reading issued ones), :mod:`.status_lists`, :mod:`.ledger` (checkpoints,
proofs, spent lookups), :mod:`.verification` and :mod:`.graphs`, :mod:`.sessions` (the
issuer console's). Surfaces speak to them in typed commands and results (:mod:`.commands`).

:class:`Service` composes them and is all a router or a page calls. It receives what touches
the world (settings, the store, the outbound HTTP client, the clock); :meth:`Service.from_settings`
builds those from settings. The resources are made on each use from the facade's fields, so a
test that swaps ``service.store`` or ``service.network_links`` is heard everywhere at once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any

import httpx

from vcservice import verifiers
from vcservice._fetch import fetch_client
from vcservice.dids import DIDResolver
from vcservice.errors import VCServiceError
from vcservice.graph import GraphVerifier, LinkFetcher
from vcservice.jsonld import StaticDocumentLoader, bundled_loader
from vcservice.keys import KeyPair, KeyType, Signer
from vcservice.report import VerificationReport
from vcservice.resolver import Identifier
from vcservice.service import graphs
from vcservice.service.batch import issue_batch
from vcservice.service.commands import (
    DID_METHODS,
    STATUS_PURPOSES,
    DidMethod,
    IssueCommand,
    IssuedCredential,
    NewTenant,
    StatusChange,
    StatusPurpose,
)
from vcservice.service.credentials import Credentials
from vcservice.service.identifiers import Identifiers, QrKind, Registration, Resolved
from vcservice.service.issuing import Issuing
from vcservice.service.key_backends import KeyBackends
from vcservice.service.ledger import Ledger, LedgerConsistency, LedgerProof
from vcservice.service.registry import Registry
from vcservice.service.sessions import Sessions
from vcservice.service.status_lists import StatusLists
from vcservice.service.tenants import FORMS, Tenants
from vcservice.service.verification import Local
from vcservice.settings import Settings
from vcservice.status import StatusListFetcher
from vcservice.store import (
    ConsoleSession,
    CredentialRecord,
    CredentialStatus,
    KeyEvent,
    KeyRecord,
    KeyVault,
    LedgerCheckpoint,
    Spent,
    Store,
    Tenant,
    is_ready,
    make_engine,
    migrate,
)
from vcservice.store._identifiers import StoredLink
from vcservice.store._registry import Equivocation, WitnessedLog
from vcservice.verify import Verifier

__all__ = [
    "DID_METHODS",
    "FORMS",
    "STATUS_PURPOSES",
    "DidMethod",
    "IssueCommand",
    "IssuedCredential",
    "LedgerConsistency",
    "LedgerProof",
    "NewTenant",
    "Service",
    "StatusChange",
    "StatusPurpose",
]


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Service:
    """The facade: one method per thing a surface asks, each delegating to its resource.

    Construct it with :meth:`from_settings`, or directly with a client and clock of your own
    (tests inject fakes through ``network_resolver``, ``network_status``, ``network_links``).
    """

    settings: Settings
    store: Store
    #: The one outbound client; the SSRF rule is applied where it connects
    #: (:func:`vcservice._fetch.fetch_client`). The service closes it in :meth:`close`.
    http: httpx.Client
    loader: StaticDocumentLoader = field(default_factory=bundled_loader)
    clock: Callable[[], datetime] = _utcnow
    network_resolver: DIDResolver | None = None
    network_status: StatusListFetcher | None = None
    #: Where linked credentials not supplied with a graph come from (default: bounded https).
    network_links: LinkFetcher | None = None

    @classmethod
    def from_settings(
        cls, settings: Settings, *, clock: Callable[[], datetime] = _utcnow
    ) -> Service:
        """The service of ``settings``: its database (migrated), key vault and bounded client."""
        engine = make_engine(settings.database_url)
        migrate(engine)
        dev_file = None
        if settings.database_url.startswith("sqlite:///"):
            database = Path(settings.database_url.removeprefix("sqlite:///"))
            dev_file = database.with_name(database.name + ".secret-key")
        vault = KeyVault.from_settings(
            settings.secret_key.get_secret_value() if settings.secret_key else None,
            settings.secret_key_file,
            dev_file=dev_file,
        )
        http = fetch_client(allow_http_loopback=settings.allow_http_loopback)
        return cls(settings=settings, store=Store(engine, vault), http=http, clock=clock)

    def close(self) -> None:
        self.http.close()
        self.key_backends.close()
        self.store.engine.dispose()

    def ready(self) -> bool:
        """Whether the database answers."""
        return is_ready(self.store.engine)

    # --- the resources, made from the fields on each use -------------------------------------
    @cached_property
    def key_backends(self) -> KeyBackends:
        """The vault and, when configured, the PKCS#11 token (opened on first use)."""
        return KeyBackends(self.settings)

    @property
    def _tenants(self) -> Tenants:
        return Tenants(self.store, self.settings, self.key_backends, self.clock)

    @property
    def _status_lists(self) -> StatusLists:
        return StatusLists(self.store, self.settings, self._tenants, self.loader)

    @property
    def _ledger(self) -> Ledger:
        return Ledger(self.store, self.settings, self.clock)

    @property
    def _registry(self) -> Registry:
        return Registry(
            self.store, self._ledger, self.settings, self.resolver, self.http, self.clock
        )

    @property
    def _credentials(self) -> Credentials:
        return Credentials(self.store)

    @property
    def _sessions(self) -> Sessions:
        return Sessions(self.store)

    @property
    def _identifiers(self) -> Identifiers:
        return Identifiers(self.store, self.settings, self.http)

    # --- tenants, DIDs and keys --------------------------------------------------------------
    @property
    def did_prefix(self) -> str:
        return self._tenants.did_prefix

    def tenant_did(self, name: str) -> str:
        return self._tenants.did_of(name)

    def create_tenant(
        self,
        name: str,
        key_type: KeyType = KeyType.ED25519,
        did_method: DidMethod = "web",
        key: KeyPair | None = None,
        *,
        key_backend: str = "vault",
        pre_rotation: bool = False,
    ) -> NewTenant:
        return self._tenants.create(
            name, key_type, did_method, key, key_backend=key_backend, pre_rotation=pre_rotation
        )

    def tenant_by_api_key(self, api_key: str) -> Tenant | None:
        return self._tenants.by_api_key(api_key)

    def did_document(self, name: str) -> dict[str, Any] | None:
        """The did:web document hosted for tenant ``name``; None for unknown and did:key ones."""
        return self._tenants.did_document(name)

    def did_log(self, name: str) -> tuple[str, str | None] | None:
        """A did:webvh tenant's ``did.jsonl`` and ``did-witness.json`` (None: no witnesses)."""
        return self._tenants.did_log(name)

    def webvh_name(self, did: str) -> str | None:
        return self._tenants.webvh_name(did)

    def local_webvh_document(self, did: str) -> dict[str, Any] | None:
        return self._tenants.local_webvh_document(did)

    def deactivate_did(self, tenant: Tenant) -> str:
        return self._tenants.deactivate(tenant)

    def add_witness_proof(self, tenant: Tenant, version_id: str, proof: dict[str, Any]) -> None:
        self._tenants.add_witness_proof(tenant, version_id, proof)

    def key_events(
        self, tenant: Tenant, *, after: int = 0, limit: int = 100
    ) -> tuple[list[KeyEvent], str]:
        """The tenant's key audit trail from ``after`` (and the hash before the page)."""
        return self._tenants.key_events(tenant, after=after, limit=limit)

    def signature_counts(self, tenant: Tenant) -> dict[str, int]:
        return self._tenants.signature_counts(tenant)

    def verification_method(self, tenant: Tenant, key: KeyRecord) -> str:
        return self._tenants.verification_method(tenant, key)

    def signer(self, tenant: Tenant) -> Signer:
        return self._tenants.signer(tenant)

    def keys(self, tenant: Tenant) -> list[KeyRecord]:
        return self._tenants.keys(tenant)

    def add_key(self, tenant: Tenant, key_type: KeyType) -> KeyRecord:
        return self._tenants.add_key(tenant, key_type)

    def retire_key(self, tenant: Tenant, fragment: str) -> KeyRecord:
        return self._tenants.retire_key(tenant, fragment)

    def formats(self, tenant: Tenant) -> list[str]:
        """The formats the tenant's active keys can produce, its default first."""
        return self._tenants.formats(tenant)

    # --- issuing and issued credentials ------------------------------------------------------
    def issue(self, tenant: Tenant, command: IssueCommand) -> IssuedCredential:
        """Issue for ``tenant``: id, status entries, securing and storage in one transaction."""
        return self._issuing().issue(tenant, command)

    def issue_batch(
        self,
        tenant: Tenant,
        commands: Sequence[IssueCommand],
        *,
        fatal: Callable[[VCServiceError], bool] = lambda _: False,
    ) -> list[IssuedCredential | VCServiceError]:
        """Issue each of ``commands``, atomic per credential, stored in one transaction
        (:mod:`vcservice.service.batch`); each one's credential or refusal, in order."""
        signers: dict[str, tuple[Signer, KeyRecord]] = {}
        return issue_batch(
            self.store, lambda: self._issuing(signers), tenant, commands, fatal=fatal
        )

    def _issuing(self, signers: dict[str, tuple[Signer, KeyRecord]] | None = None) -> Issuing:
        """The Issuing of one request (it keeps what that request's served credentials
        verified as); ``signers``: those shared by a batch's items."""
        return Issuing(
            self.store,
            self._tenants,
            self._status_lists,
            self.loader,
            self.clock,
            self.verify_credential,
            self._registry,
            identifiers=self._identifiers,
            signers=signers,
        )

    def credential(self, credential_id: str, tenant: Tenant | None) -> Any:
        return self._credentials.get(credential_id, tenant)

    def published_credential(self, name: str, credential_id: str) -> Any:
        return self._credentials.published(name, credential_id)

    def own_credential(self, tenant: Tenant, credential_id: str) -> CredentialRecord | None:
        return self._credentials.own(tenant, credential_id)

    def credentials(self, tenant: Tenant, *, limit: int, offset: int) -> list[CredentialRecord]:
        return self._credentials.listed(tenant, limit=limit, offset=offset)

    def search_credentials(
        self, tenant: Tenant, query: str, *, limit: int, offset: int
    ) -> tuple[list[CredentialRecord], int]:
        return self._credentials.searched(tenant, query, limit=limit, offset=offset)

    def credential_statuses(
        self, tenant: Tenant, credential_ids: Sequence[str]
    ) -> dict[str, list[CredentialStatus]]:
        return self._credentials.statuses(tenant, credential_ids)

    # --- status lists --------------------------------------------------------------------------
    @property
    def status_list_prefix(self) -> str:
        return self._status_lists.prefix

    def update_status(
        self, tenant: Tenant, credential_id: str, changes: Sequence[StatusChange]
    ) -> None:
        self._status_lists.update(tenant, credential_id, changes)

    def status_list_credential(self, list_id: str) -> tuple[Any, str] | None:
        """The signed list credential and its ETag, re-signed when a status has changed."""
        return self._status_lists.credential(list_id)

    # --- the ledger ----------------------------------------------------------------------------
    @property
    def service_did(self) -> str:
        """The service's own did:web (its document is at ``/.well-known/did.json``)."""
        return self._ledger.service_did

    def service_did_document(self) -> dict[str, Any]:
        return self._ledger.service_did_document()

    def service_signer(self) -> Signer:
        return self._ledger.service_signer()

    def ledger_checkpoint(self) -> LedgerCheckpoint:
        return self._ledger.checkpoint()

    def ledger_proof(self, seq: int, tree_size: int | None) -> LedgerProof:
        return self._ledger.proof(seq, tree_size)

    def ledger_consistency(self, old_size: int, new_size: int | None) -> LedgerConsistency:
        return self._ledger.consistency(old_size, new_size)

    def ledger_salt(self) -> bytes:
        return self._ledger.salt()

    def ledger_spent(self, key: str) -> Spent:
        return self._ledger.spent(key)

    # --- the federated credit registry --------------------------------------------------------
    def registry_configuration(self) -> dict[str, Any]:
        return self._registry.configuration()

    def register(self, statement: bytes) -> tuple[bytes, bool]:
        """A registration at this home: its receipt, and whether it is new."""
        return self._registry.register(statement)

    def registry_receipt(self, credential_digest: str) -> bytes | None:
        return self._registry.receipt(credential_digest)

    def witness(self, old: int, proof: Sequence[bytes], checkpoint: str) -> str:
        return self._registry.witness(old, proof, checkpoint)

    def witnessed(self) -> tuple[list[WitnessedLog], list[Equivocation]]:
        return self._registry.witnessed()

    # --- verification ------------------------------------------------------------------------
    @cached_property
    def wiring(self) -> verifiers.Wiring:
        """The pieces behind every verification here (see :mod:`vcservice.verifiers`)."""
        settings = self.settings
        return verifiers.online(
            self.http,
            allow_http_loopback=settings.allow_http_loopback,
            loader=self.loader,
            clock=self.clock,
            local=Local(self),
            resolver=self.network_resolver,
            status=self.network_status,
            links=self.network_links,
            link_timeout=settings.graph_fetch_timeout,
            link_max_bytes=settings.graph_fetch_max_bytes,
        )

    @property
    def resolver(self) -> DIDResolver:
        return self.wiring.resolver

    @property
    def status_fetcher(self) -> StatusListFetcher:
        return self.wiring.status

    @cached_property
    def verifier(self) -> Verifier:
        return self.wiring.verifier()

    def verify_credential(self, credential: Any) -> VerificationReport:
        return self.verifier.verify_credential(credential)

    def verify_presentation(
        self, presentation: Any, *, challenge: str | None, domain: str | None
    ) -> VerificationReport:
        return self.verifier.verify_presentation(presentation, challenge=challenge, domain=domain)

    def graph_verifier(self) -> GraphVerifier:
        """The provenance-graph verifier behind ``POST /graphs/verify`` and the buyer page.
        ``network_links`` is read here, not only when wired: tests set it afterwards."""
        return graphs.graph_verifier(self.wiring, self.settings, self.network_links)

    # --- the identity resolver -----------------------------------------------------------------
    def resolver_description(self) -> dict[str, Any]:
        return self._identifiers.description()

    def parse_identifier(self, text: str) -> Identifier:
        """An identifier (a resolver URL or path) in canonical form; InputError if malformed."""
        return self._identifiers.identifier(text)

    def register_identifier(self, tenant: Tenant, registration: Registration) -> StoredLink:
        return self._identifiers.register(tenant, registration)

    def registered_identifiers(self, tenant: Tenant) -> list[tuple[Identifier, list[StoredLink]]]:
        return self._identifiers.registered(tenant)

    def credential_identifiers(self, tenant: Tenant, credential_id: str) -> list[Identifier]:
        return self._identifiers.of_credential(tenant, credential_id)

    def resolve_identifier(self, identifier: Identifier) -> Resolved:
        """The linkset of a registered identifier; NotFoundError otherwise."""
        return self._identifiers.resolve(identifier)

    def identifier_qr(self, identifier: Identifier, kind: QrKind) -> bytes:
        return self._identifiers.qr_code(identifier, kind)

    def passport_of(self, url: str) -> tuple[Identifier, str] | None:
        """The identifier at ``url`` and its newest passport; None if ``url`` is not one."""
        return self._identifiers.passport_of(url)

    # --- issuer-console sessions ---------------------------------------------------------------
    def open_session(
        self, api_key: str, *, lifetime: timedelta, idle: timedelta
    ) -> tuple[str, ConsoleSession] | None:
        return self._sessions.open(api_key, lifetime=lifetime, idle=idle)

    def session(self, token: str, *, idle: timedelta) -> ConsoleSession | None:
        return self._sessions.get(token, idle=idle)

    def touch_session(self, session_id: str) -> bool:
        return self._sessions.touch(session_id)

    def close_session(self, token: str) -> None:
        self._sessions.close(token)

    def derive_secret(self, purpose: bytes) -> bytes:
        return self._sessions.secret(purpose)
