"""One verifier wiring: the factories every surface builds its verifiers with.

Why this module exists: when each surface (the API, the CLI, the buyer page, the graph walk,
the conformance harness) assembled its own :class:`~vcservice.verify.Verifier`, they drifted
apart. The CLI built one without a status fetcher, so a revoked credential printed "verified"
and exited 0 while the API answered 422 ``status.revocation``. Here the pieces behind every
verification (DID resolution, status lists, linked credentials, the document loader, the clock)
are put together once, in two ways, and every surface asks for one of them:

:func:`online`
    did:key, did:jwk, did:web and did:webvh (over the bounded fetcher); status lists and linked
    credentials over https through the bounded fetchers, on the caller's ``httpx.Client``. A
    service puts its own DIDs and status lists in front (``local``): it answers them from its
    database, never by an HTTP call to itself.
:func:`offline`
    No network: did:key, did:jwk and the DID documents supplied; status lists only from those
    supplied; no linked-credential fetcher. A status entry naming any other list is checked and
    comes out *indeterminate* (``status.revocation`` / ``status.suspension``: could not check),
    never passed and never failed. It is the same mechanism as an unreachable list online, so
    the check ids are the same on both.

Only facts about the credential can be indeterminate. A failure of the service's own database
while it answers its own DIDs or lists (:class:`~vcservice.store.StoreUnavailableError`)
propagates out of the verifier, so each surface answers "try again" (503 + ``Retry-After``, or
CLI exit 3), never a verdict.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

import httpx

from vcservice._fetch import DEFAULT_TIMEOUT
from vcservice.dids import DIDResolver, StaticResolver, default_resolver
from vcservice.dids._base import DidHistory, history_of
from vcservice.dids._didwebvh import verify_log
from vcservice.graph import GraphLimits, GraphVerifier, HttpLinkFetcher, LinkFetcher
from vcservice.graph._fetch import DEFAULT_MAX_BYTES as LINK_MAX_BYTES
from vcservice.graph._verify import offline_resolver
from vcservice.jsonld import StaticDocumentLoader, bundled_loader
from vcservice.status import HttpStatusListFetcher, MapStatusListFetcher, StatusListFetcher
from vcservice.verify import Verifier


def _utcnow() -> datetime:
    return datetime.now(UTC)


class LocalSource(Protocol):
    """What a service answers about itself from its own database.

    Each method returns None for what is not this source's (another host's DID or list), so
    the network is asked instead. For what is its own but unknown (a deleted tenant, a list
    that does not exist) it raises :class:`~vcservice.errors.ResolutionError` (could not
    check); an outage of its database raises ``StoreUnavailableError``, which no verifier
    turns into a verdict.
    """

    def did_document(self, did: str) -> dict[str, Any] | None: ...

    def did_log(self, did: str) -> tuple[str, str | None] | None:
        """A did:webvh DID's ``did.jsonl`` and ``did-witness.json`` (None: no witnesses) as
        hosted here; None for a DID whose log is not kept here (or that keeps none)."""
        ...

    def status_list(self, url: str) -> Any | None: ...


class _LocalDIDs:
    """``local`` first, then ``fallback``: one resolver, with history where either has it."""

    def __init__(self, local: LocalSource, fallback: DIDResolver) -> None:
        self._local = local
        self._fallback = fallback

    def resolve(self, did: str) -> dict[str, Any]:
        document = self._local.did_document(did)
        return document if document is not None else self._fallback.resolve(did)

    def history(self, did: str) -> DidHistory | None:
        """A local did:webvh tenant's log, verified like anyone's (the database is not trusted
        more than a host would be); else the fallback's history."""
        log = self._local.did_log(did)
        if log is not None:
            return verify_log(did, *log)
        return history_of(self._fallback, did)


class _LocalLists:
    """``local`` first, then ``fallback``: one status-list fetcher."""

    def __init__(self, local: LocalSource, fallback: StatusListFetcher) -> None:
        self._local = local
        self._fallback = fallback

    def fetch(self, url: str) -> Any:
        found = self._local.status_list(url)
        return found if found is not None else self._fallback.fetch(url)


@dataclass(frozen=True)
class Wiring:
    """The pieces behind every verification; :meth:`verifier` and :meth:`graph_verifier` build
    the two verifiers from the same ones, so a credential gets the same checks from both.

    ``links`` None keeps a graph walk offline (a link not in the bundle is
    ``links.unreachable``, indeterminate).
    """

    resolver: DIDResolver
    status: StatusListFetcher
    links: LinkFetcher | None = None
    loader: StaticDocumentLoader = field(default_factory=bundled_loader)
    clock: Callable[[], datetime] = _utcnow

    def verifier(self) -> Verifier:
        """The single-credential (and presentation) verifier."""
        return Verifier(
            resolver=self.resolver, loader=self.loader, clock=self.clock, status=self.status
        )

    def graph_verifier(
        self, limits: GraphLimits | None = None, *, schemas: bool = True
    ) -> GraphVerifier:
        """The provenance-graph verifier; a request's bundle is consulted before these pieces."""
        return GraphVerifier(
            resolver=self.resolver,
            status=self.status,
            fetcher=self.links,
            loader=self.loader,
            clock=self.clock,
            limits=limits or GraphLimits(),
            schemas=schemas,
        )


def online(
    http: httpx.Client,
    *,
    allow_http_loopback: bool = False,
    loader: StaticDocumentLoader | None = None,
    clock: Callable[[], datetime] = _utcnow,
    local: LocalSource | None = None,
    did_documents: Mapping[str, dict[str, Any]] | None = None,
    did_logs: Mapping[str, tuple[str, str | None]] | None = None,
    resolver: DIDResolver | None = None,
    status: StatusListFetcher | None = None,
    links: LinkFetcher | None = None,
    link_timeout: float = DEFAULT_TIMEOUT,
    link_max_bytes: int = LINK_MAX_BYTES,
) -> Wiring:
    """Verification with the network, through the bounded fetchers on ``http`` (borrowed: the
    caller closes it).

    ``allow_http_loopback`` permits plain http to loopback hosts (tests only, as the service's
    setting of that name). ``did_documents`` and did:webvh ``did_logs`` (DID → its log and
    witness file, verified like fetched ones) are resolved before anything else (the CLI's
    ``--did-document`` and ``--did-log``); ``local`` comes next (a service's own DIDs and
    lists). ``resolver``, ``status`` and ``links`` replace the network pieces (tests inject
    fakes there).
    """
    network_dids = resolver or default_resolver(http, allow_http_loopback=allow_http_loopback)
    network_lists = status or HttpStatusListFetcher(http, allow_http_loopback=allow_http_loopback)
    network_links = links or HttpLinkFetcher(
        http,
        allow_http_loopback=allow_http_loopback,
        timeout=link_timeout,
        max_bytes=link_max_bytes,
    )
    dids: DIDResolver = network_dids
    lists: StatusListFetcher = network_lists
    if local is not None:
        dids, lists = _LocalDIDs(local, dids), _LocalLists(local, lists)
    if did_documents or did_logs:
        dids = StaticResolver(did_documents or {}, fallback=dids, logs=did_logs or {})
    return Wiring(dids, lists, network_links, loader or bundled_loader(), clock)


def offline(
    *,
    did_documents: Mapping[str, dict[str, Any]] | None = None,
    did_logs: Mapping[str, tuple[str, str | None]] | None = None,
    status_lists: Mapping[str, Any] | None = None,
    loader: StaticDocumentLoader | None = None,
    clock: Callable[[], datetime] = _utcnow,
) -> Wiring:
    """Verification without any network: did:key, did:jwk, ``did_documents`` and the did:webvh
    ``did_logs`` (verified); status lists
    only from ``status_lists`` (URL → list credential as served), so any other list is
    indeterminate; no linked-credential fetcher."""
    resolver = StaticResolver(did_documents or {}, fallback=offline_resolver(), logs=did_logs or {})
    return Wiring(
        resolver,
        MapStatusListFetcher(status_lists or {}),
        None,
        loader or bundled_loader(),
        clock,
    )
