"""The service layer: what the HTTP API and the ``tenants`` CLI do, with no HTTP in it.

It composes the core (issuing, verification, status lists) with the store, and owns the two
resolvers that make the service self-sufficient: DIDs of its own tenants and status lists it
hosts are answered from the database, never by an HTTP round trip to itself; everything else
goes through the bounded network resolvers (did:web, status lists over https).
"""

from __future__ import annotations

import copy
import hashlib
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, get_args

import httpx

from vcservice import verifiers
from vcservice._fetch import fetch_client
from vcservice.dids import (
    DIDResolver,
    MethodForm,
    did_document,
    did_key_for,
    did_web_for,
    verification_method_id,
)
from vcservice.errors import InputError, ResolutionError
from vcservice.graph import GraphLimits, GraphVerifier, LinkFetcher
from vcservice.issuing import FORMATS, issue_credential
from vcservice.jsonld import StaticDocumentLoader, bundled_loader
from vcservice.keys import KeyType, Signer
from vcservice.ledger import (
    GENESIS,
    Checkpoint,
    LedgerLimitError,
    Postings,
    StoredEntry,
    UnbalanceableError,
    Upstream,
    entry_leaf,
    merkle,
    postings_of,
    sign_checkpoint,
)
from vcservice.ledger.postings import MAX_CREDENTIAL_ID
from vcservice.ledger.spent import valid_spent_key
from vcservice.links import digest_document
from vcservice.report import Outcome, VerificationReport
from vcservice.securing.dataintegrity import add_proof
from vcservice.settings import Settings
from vcservice.status import (
    StatusListFetcher,
    status_entry,
    status_list_credential,
)
from vcservice.store import (
    KeyRecord,
    KeyVault,
    LedgerCheckpoint,
    NotFoundError,
    Spent,
    StatusAllocation,
    Store,
    Tenant,
    make_engine,
    migrate,
)
from vcservice.verify import issuer_id

#: Each key is listed in both forms: Multikey for Data Integrity verifiers, JWK for JOSE ones.
FORMS: tuple[MethodForm, ...] = ("Multikey", "JsonWebKey")
STATUS_PURPOSES = ("revocation", "suspension")
#: ``web``: did:web:<host>:tenants:<name>, hosted here, keys rotate. ``key``: did:key of the
#: tenant's one key, resolved by anyone without us; the key can never change.
DidMethod = Literal["web", "key"]
DID_METHODS: tuple[DidMethod, ...] = get_args(DidMethod)
_LIST_SUITE = {
    KeyType.ED25519: "eddsa-rdfc-2022",
    KeyType.P256: "ecdsa-rdfc-2019",
    KeyType.P384: "ecdsa-rdfc-2019",
}


def _utcnow() -> datetime:
    return datetime.now(UTC)


class _Local:
    """This service's own DID, its tenants' DIDs and the status lists it hosts, answered from
    the store (a :class:`~vcservice.verifiers.LocalSource`); None for anything else."""

    def __init__(self, service: Service) -> None:
        self._service = service
        self._did_prefix = service.did_prefix
        self._list_prefix = service.settings.public_url + "/status-lists/"

    def did_document(self, did: str) -> dict[str, Any] | None:
        if did == self._service.service_did:
            return self._service.service_did_document()
        if not did.startswith(self._did_prefix):
            return None
        document = self._service.did_document(did[len(self._did_prefix) :])
        if document is None:
            raise ResolutionError(f"{did} is not a tenant of this service")
        return document

    def status_list(self, url: str) -> Any | None:
        if not url.startswith(self._list_prefix):
            return None
        signed = self._service.status_list_credential(url[len(self._list_prefix) :])
        if signed is None:
            raise ResolutionError(f"no status list at {url}")
        return signed[0]


@dataclass
class Service:
    settings: Settings
    store: Store
    loader: StaticDocumentLoader = field(default_factory=bundled_loader)
    http: httpx.Client | None = None
    clock: Callable[[], datetime] = _utcnow
    network_resolver: DIDResolver | None = None
    network_status: StatusListFetcher | None = None
    #: Where linked credentials not supplied with a graph come from (default: bounded https).
    network_links: LinkFetcher | None = None

    def __post_init__(self) -> None:
        settings = self.settings
        # The one outbound client: the SSRF rule is applied where it connects (vcservice._fetch).
        http = self.http or fetch_client(allow_http_loopback=settings.allow_http_loopback)
        self.http = http
        #: The pieces behind every verification here (see :mod:`vcservice.verifiers`).
        self.wiring = verifiers.online(
            http,
            allow_http_loopback=settings.allow_http_loopback,
            loader=self.loader,
            clock=self.clock,
            local=_Local(self),
            resolver=self.network_resolver,
            status=self.network_status,
            links=self.network_links,
            link_timeout=settings.graph_fetch_timeout,
            link_max_bytes=settings.graph_fetch_max_bytes,
        )
        self.resolver: DIDResolver = self.wiring.resolver
        self.status_fetcher: StatusListFetcher = self.wiring.status
        self.verifier = self.wiring.verifier()

    @classmethod
    def from_settings(cls, settings: Settings) -> Service:
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
        return cls(settings=settings, store=Store(engine, vault))

    def close(self) -> None:
        if self.http is not None:
            self.http.close()
        self.store.engine.dispose()

    # --- tenants and DIDs -------------------------------------------------------------------
    @property
    def did_prefix(self) -> str:
        return did_web_for(self.settings.public_host, ["tenants"]) + ":"

    def tenant_did(self, name: str) -> str:
        return did_web_for(self.settings.public_host, ["tenants", name])

    def create_tenant(
        self, name: str, key_type: KeyType = KeyType.ED25519, did_method: DidMethod = "web"
    ) -> dict[str, str]:
        if not name or not all(c.isalnum() or c in "-_" for c in name) or len(name) > 64:
            raise InputError(
                "a tenant name is 1-64 letters, digits, '-' or '_' (it becomes part of its DID)"
            )
        if did_method not in DID_METHODS:
            raise InputError(f"unknown DID method {did_method!r}; expected one of web, key")
        did = self.tenant_did(name) if did_method == "web" else did_key_for
        tenant, api_key = self.store.create_tenant(
            name, did, key_type, default_format=self.settings.default_format
        )
        return {"tenant": tenant.name, "did": tenant.did, "api_key": api_key}

    def did_document(self, name: str) -> dict[str, Any] | None:
        """The did:web document hosted for tenant ``name``; None for unknown and did:key ones."""
        tenant = self.store.tenant_by_name(name)
        if tenant is None or not tenant.did.startswith("did:web:"):
            return None
        records = self.store.keys(tenant.id)
        return did_document(
            tenant.did,
            [(k.fragment, k.public) for k in records if k.active],
            retired=[(k.fragment, k.public) for k in records if not k.active],
            forms=FORMS,
        )

    def verification_method(self, tenant: Tenant, key: KeyRecord) -> str:
        """The id of ``key`` in the tenant's DID document, the one its proofs name.

        did:key: ``did:key:<mb>#<mb>`` (what did:key resolves to); did:web: ``<did>#key-<n>``,
        its Multikey form in the document :meth:`did_document` builds.
        """
        if tenant.did.startswith("did:key:"):
            return f"{tenant.did}#{key.public.multibase}"
        return verification_method_id(tenant.did, key.fragment, "Multikey", forms=FORMS)

    def signer(self, tenant: Tenant) -> Signer:
        record, pair = self.store.active_key_pair(tenant.id)
        return Signer(pair, self.verification_method(tenant, record))

    # --- issuing ----------------------------------------------------------------------------
    def issue(self, tenant: Tenant, credential: Any, options: dict[str, Any]) -> Any:
        """Issue for ``tenant``: id, status entries, securing and storage in one transaction."""
        if not isinstance(credential, dict):
            raise InputError("credential must be a JSON object")
        fmt = options.get("format") or tenant.default_format
        if not isinstance(fmt, str) or fmt not in FORMATS:
            raise InputError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
        purposes = _status_purposes(options.get("credentialStatus"))
        document = copy.deepcopy(credential)
        document.setdefault("id", f"urn:uuid:{uuid.uuid4()}")
        if not isinstance(document["id"], str):
            raise InputError("credential id must be a string URL")
        if not document["id"] or len(document["id"].encode()) > MAX_CREDENTIAL_ID:
            raise InputError(f"a credential id is 1 to {MAX_CREDENTIAL_ID} bytes of UTF-8")
        postings = postings_of(document)  # refuses unbalanceable quantities before any work
        upstream = self._upstream(postings, options.get("sourceCredentials"))
        signer = self.signer(tenant)
        with self.store.transaction() as tx:
            allocations = [tx.allocate_status(tenant.id, purpose) for purpose in purposes]
            if allocations:
                entries = [self._entry(a) for a in allocations]
                existing = document.get("credentialStatus")
                if existing is not None:
                    raise InputError(
                        "the credential already has credentialStatus; do not also request one"
                    )
                document["credentialStatus"] = entries[0] if len(entries) == 1 else entries
            secured = issue_credential(document, signer, fmt, loader=self.loader, clock=self.clock)
            if postings:  # the digest a downstream link to this credential will carry
                digest = digest_document(secured)
                tx.post_ledger(tenant.id, tenant.did, document["id"], digest, postings, upstream)
            tx.save_credential(
                tenant.id,
                document["id"],
                secured,
                fmt,
                published=bool(options.get("publish", False)),
                allocations=allocations,
            )
        return secured

    def _upstream(self, postings: Postings, served: Any) -> list[Upstream]:
        """Upstream credentials issued on other platforms (``options.sourceCredentials``), to be
        posted before this credential draws on them, sources first.

        Each must be what a source link names (its digest), of this credential's debits or of
        another served credential's (a chain of them), and must verify; its postings are read
        like those of a credential issued here. One that could not be checked (its issuer's DID
        did not resolve) is a ResolutionError, not a forgery.
        """
        if served is None:
            return []
        if not isinstance(served, list):
            raise InputError("options.sourceCredentials must be a list of credentials")
        by_digest: dict[str, tuple[int, Any]] = {}
        for index, credential in enumerate(served):
            by_digest.setdefault(digest_document(credential), (index, credential))
        found: dict[str, Upstream] = {}
        wanted = [source.digest for charge in postings.charges for source in charge.sources]
        while wanted:
            digest = wanted.pop()
            if digest in found or digest not in by_digest:
                continue
            found[digest] = self._served(*by_digest[digest], digest)
            wanted.extend(
                source.digest
                for charge in found[digest].postings.charges
                for source in charge.sources
            )
        for digest, (index, _) in by_digest.items():
            if digest not in found:
                raise InputError(
                    f"options.sourceCredentials[{index}] (digest {digest}) is not a source "
                    "this credential draws on"
                )
        return _sources_first(found)

    def _served(self, index: int, credential: Any, digest: str) -> Upstream:
        where = f"options.sourceCredentials[{index}]"
        report = self.verify_credential(credential)
        if not report.verified or report.document is None:
            failed = [c for c in report.errors if c.outcome is Outcome.FAILED]
            detail = "; ".join(
                f"{c.id}: {c.problem.detail}" for c in failed or report.errors if c.problem
            )
            if failed:
                raise InputError(f"{where} does not verify: {detail}")
            raise ResolutionError(f"{where} could not be checked: {detail}")
        document = report.document
        issuer = issuer_id(document)
        if not issuer or len(issuer.encode()) > MAX_CREDENTIAL_ID:
            raise LedgerLimitError(
                f"{where}: the ledger keeps issuers of 1 to {MAX_CREDENTIAL_ID} bytes"
            )
        ident = document.get("id")
        if ident is None:  # named by its content, which no re-serialization changes
            ident = digest_document({k: v for k, v in document.items() if k != "proof"})
        if not isinstance(ident, str) or not ident or len(ident.encode()) > MAX_CREDENTIAL_ID:
            raise LedgerLimitError(
                f"{where}: the ledger keeps credential ids of 1 to {MAX_CREDENTIAL_ID} bytes"
            )
        try:
            posted = postings_of(document)
        except UnbalanceableError as exc:
            raise type(exc)(f"{where}: {exc.detail}") from None
        return Upstream(ident, issuer, digest, posted)

    def _entry(self, allocation: StatusAllocation) -> dict[str, Any]:
        return status_entry(
            self._list_url(allocation.list_id), allocation.index, allocation.purpose
        )

    def _list_url(self, list_id: str) -> str:
        return f"{self.settings.public_url}/status-lists/{list_id}"

    # --- the ledger ---------------------------------------------------------------------------
    @property
    def service_did(self) -> str:
        """The service's own did:web (its document is at ``/.well-known/did.json``)."""
        return did_web_for(self.settings.public_host)

    def service_did_document(self) -> dict[str, Any]:
        keys = self.store.service_keys()
        if not keys:  # publish the key before it first signs, so the document never changes
            self.store.service_key_pair()
            keys = self.store.service_keys()
        return did_document(self.service_did, keys, forms=FORMS)

    def service_signer(self) -> Signer:
        fragment, pair = self.store.service_key_pair()
        method = verification_method_id(self.service_did, fragment, "Multikey", forms=FORMS)
        return Signer(pair, method)

    def ledger_checkpoint(self) -> LedgerCheckpoint:
        """The signed checkpoint of the ledger as it stands; signed anew only when it grew."""
        count = self.store.ledger_head().count
        latest = self.store.ledger_checkpoint()
        if latest is not None and latest.count == count:
            return latest
        hashes = self.store.ledger_hashes(count)
        if len(hashes) != count:
            raise RuntimeError("the ledger's entries do not match its head record")
        issued = self.clock().astimezone(UTC).replace(microsecond=0)
        checkpoint = Checkpoint(
            issuer=self.service_did,
            count=count,
            head_hash=hashes[-1] if hashes else GENESIS,
            root_hash=merkle.root([entry_leaf(h) for h in hashes]).hex(),
            issued_at=issued.strftime("%Y-%m-%dT%H:%M:%SZ"),
        )
        jws = sign_checkpoint(checkpoint, self.service_signer())
        return self.store.save_checkpoint(
            LedgerCheckpoint(count, checkpoint.head_hash, checkpoint.root_hash, issued, jws)
        )

    def ledger_proof(self, seq: int, tree_size: int | None) -> LedgerProof:
        """Entry ``seq`` and its inclusion proof in the tree of ``tree_size`` entries (default:
        the current checkpoint's, so the proof comes with the signed root it leads to)."""
        checkpoint: LedgerCheckpoint | None
        if tree_size is None:
            checkpoint = self.ledger_checkpoint()
            size = checkpoint.count
        else:
            checkpoint, size = self.store.ledger_checkpoint(tree_size), tree_size
            count = self.store.ledger_head().count
            if tree_size > count:
                raise InputError(f"treeSize {tree_size} is beyond the ledger's {count} entries")
        stored = self.store.ledger_entry(seq)
        if stored is None:
            raise NotFoundError(f"the ledger has no entry {seq}")
        if seq > size:
            raise InputError(f"entry {seq} is not in the tree of the first {size} entries")
        leaves = [entry_leaf(h) for h in self.store.ledger_hashes(size)]
        return LedgerProof(
            stored,
            size,
            merkle.root(leaves).hex(),
            [h.hex() for h in merkle.inclusion_proof(seq - 1, leaves)],
            checkpoint,
        )

    def ledger_salt(self) -> bytes:
        return self.store.ledger_head().salt

    def ledger_spent(self, key: str) -> Spent:
        """Whether the credit behind a salted key is spent (see :mod:`vcservice.ledger.spent`).

        An unknown key answers "not spent" like a known unspent one: whether this service holds
        an account for a credential is itself something the lookup should not tell.
        """
        if not valid_spent_key(key.lower()):
            raise InputError("digest is a spent-lookup key: 64 hexadecimal digits")
        return self.store.spent(key.lower())

    # --- status -----------------------------------------------------------------------------
    def update_status(self, tenant: Tenant, credential_id: str, updates: Sequence[Any]) -> None:
        for update in updates:
            if not isinstance(update, dict):
                raise InputError("each credentialStatus entry must be an object")
            purpose = update.get("statusPurpose")
            value = update.get("status")
            if purpose not in STATUS_PURPOSES:
                raise InputError(f"statusPurpose must be one of {', '.join(STATUS_PURPOSES)}")
            if update.get("type", "BitstringStatusListEntry") != "BitstringStatusListEntry":
                raise InputError("only BitstringStatusListEntry is supported")
            if not isinstance(value, bool):
                raise InputError("status must be true or false")
            self.store.set_status(tenant.id, credential_id, purpose, value)

    def status_list_credential(self, list_id: str) -> tuple[Any, str] | None:
        """The signed list credential and its ETag, re-signed when a status has changed."""
        record = self.store.status_list(list_id)
        if record is None:
            return None
        signed = record.signed
        if signed is None or record.signed_version != record.version:
            tenant = self.store.tenant(record.tenant_id)
            signer = self.signer(tenant)
            unsigned = status_list_credential(
                self._list_url(list_id), tenant.did, record.purpose, record.bits
            )
            signed = add_proof(
                unsigned, _LIST_SUITE[signer.key.key_type], signer, loader=self.loader
            )
            self.store.save_signed_list(list_id, record.version, signed)
        etag = (
            '"' + hashlib.sha256(json.dumps(signed, sort_keys=True).encode()).hexdigest()[:32] + '"'
        )
        return signed, etag

    # --- verification -----------------------------------------------------------------------
    def verify_credential(self, credential: Any) -> VerificationReport:
        return self.verifier.verify_credential(credential)

    def verify_presentation(
        self, presentation: Any, *, challenge: str | None, domain: str | None
    ) -> VerificationReport:
        return self.verifier.verify_presentation(presentation, challenge=challenge, domain=domain)

    def graph_verifier(self) -> GraphVerifier:
        """The provenance-graph verifier behind ``POST /graphs/verify``: this service's DIDs
        and status lists locally, everything else through the bounded network resolvers.
        ``network_links`` is read here, not only when built: tests set it afterwards."""
        wiring = self.wiring
        if self.network_links is not None:
            wiring = replace(wiring, links=self.network_links)
        settings = self.settings
        limits = GraphLimits(settings.graph_max_nodes, settings.graph_max_depth)
        return wiring.graph_verifier(limits)

    def credential(self, credential_id: str, tenant: Tenant | None) -> Any:
        """The signed-in tenant's own credential with this id (published or not), else the one
        credential published with it; NotFoundError otherwise.

        Credential ids are unique per tenant, so two tenants may both publish one id; then
        the id alone names neither, and the answer is 404 pointing at the tenant-scoped URL
        (:meth:`published_credential`) rather than a guess between them.
        """
        if tenant is not None:
            own = self.store.credential(tenant.id, credential_id)
            if own is not None:
                return own.document
        published = self.store.published_credentials(credential_id)
        if len(published) > 1:
            raise NotFoundError(
                f"several issuers published a credential with id {credential_id}: ask for it "
                "at /tenants/{name}/credentials/{id}"
            )
        if not published:
            raise NotFoundError(f"no credential {credential_id}")
        return published[0].document

    def published_credential(self, name: str, credential_id: str) -> Any:
        """Tenant ``name``'s published credential with this id; NotFoundError otherwise."""
        tenant = self.store.tenant_by_name(name)
        record = None if tenant is None else self.store.credential(tenant.id, credential_id)
        if record is None or not record.published:
            raise NotFoundError(f"no published credential {credential_id} of tenant {name}")
        return record.document


@dataclass(frozen=True)
class LedgerProof:
    """An entry, the tree it is proven in, the path to that tree's root, and the stored
    checkpoint signing that root when there is one."""

    stored: StoredEntry
    tree_size: int
    root_hash: str
    path: list[str]
    checkpoint: LedgerCheckpoint | None


def _sources_first(found: dict[str, Upstream]) -> list[Upstream]:
    """The upstream credentials ordered so that each comes after those it draws on (a
    depth-first post-order, iterative: a long chain must not exhaust the stack)."""
    ordered: list[Upstream] = []
    seen: set[str] = set()
    for root in found:
        if root in seen:
            continue
        seen.add(root)
        stack = [(root, iter(_sources(found[root], found)))]
        while stack:
            digest, sources = stack[-1]
            following = next((d for d in sources if d not in seen), None)
            if following is None:
                stack.pop()
                ordered.append(found[digest])
            else:  # hash links cannot form a cycle; ``seen`` keeps this total all the same
                seen.add(following)
                stack.append((following, iter(_sources(found[following], found))))
    return ordered


def _sources(upstream: Upstream, found: dict[str, Upstream]) -> list[str]:
    return [
        source.digest
        for charge in upstream.postings.charges
        for source in charge.sources
        if source.digest in found
    ]


def _status_purposes(option: Any) -> list[str]:
    """The purposes requested by ``options.credentialStatus`` (an object or a list of them)."""
    if option is None:
        return []
    entries = option if isinstance(option, list) else [option]
    purposes: list[str] = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise InputError("options.credentialStatus must be an object or a list of objects")
        if entry.get("type", "BitstringStatusListEntry") != "BitstringStatusListEntry":
            raise InputError("options.credentialStatus.type must be BitstringStatusListEntry")
        purpose = entry.get("statusPurpose", "revocation")
        if purpose not in STATUS_PURPOSES:
            raise InputError(f"statusPurpose must be one of {', '.join(STATUS_PURPOSES)}")
        if purpose in purposes:
            raise InputError(f"statusPurpose {purpose} requested twice")
        purposes.append(purpose)
    return purposes
