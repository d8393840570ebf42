"""The graph verifier: the walk, then the graph checks, with every outside door injected."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from vcservice import checks
from vcservice.confidential import parse_key, split_key
from vcservice.dids import (
    DidJwkResolver,
    DidKeyResolver,
    DIDResolver,
    MultiResolver,
)
from vcservice.errors import DecryptionError, InputError, ResolutionError
from vcservice.graph._balance import check_balance
from vcservice.graph._bundle import Bundle
from vcservice.graph._claims import check_claims
from vcservice.graph._fetch import LinkFetcher
from vcservice.graph._index import GraphIndex
from vcservice.graph._model import ROOT_KEY, GraphLimits, GraphReport
from vcservice.graph._receipts import Registries
from vcservice.graph._trust import check_trust
from vcservice.graph._walk import Walker
from vcservice.jsonld import StaticDocumentLoader, bundled_loader
from vcservice.links import served_bytes
from vcservice.report import Outcome
from vcservice.status import MapStatusListFetcher, StatusListFetcher
from vcservice.verify import Verifier

_LIMITS = (
    checks.GRAPH_NODE_LIMIT,
    checks.GRAPH_DEPTH_LIMIT,
    checks.GRAPH_LINK_LIMIT,
    checks.GRAPH_TIME_LIMIT,
)


def _is_jws(text: str) -> bool:
    """A compact JWS or ``data:`` URL, as the hash-link rule reads one (one definition)."""
    try:
        served_bytes(text)
    except InputError:
        return False
    return True


def _utcnow() -> datetime:
    return datetime.now(UTC)


def offline_resolver() -> MultiResolver:
    """The DID methods that need no network: did:key and did:jwk."""
    return MultiResolver({"key": DidKeyResolver(), "jwk": DidJwkResolver()})


@dataclass
class GraphVerifier:
    """Verifies provenance graphs; one instance can serve many requests (it keeps no state).

    ``resolver``, ``status`` and ``fetcher`` are what lies *behind* a request's bundle: the
    bundle's DID documents and documents are consulted first. ``fetcher=None`` keeps the walk
    offline (a link not in the bundle is ``links.unreachable``).
    """

    resolver: DIDResolver = field(default_factory=offline_resolver)
    status: StatusListFetcher | None = None
    fetcher: LinkFetcher | None = None
    loader: StaticDocumentLoader = field(default_factory=bundled_loader)
    clock: Callable[[], datetime] = _utcnow
    limits: GraphLimits = field(default_factory=GraphLimits)
    schemas: bool = True

    def verify(
        self,
        root: Any,
        *,
        trust_anchors: Sequence[str],
        bundle: Bundle | None = None,
        at: datetime | None = None,
        options: dict[str, Any] | None = None,
        keys: Mapping[str, str] | None = None,
    ) -> GraphReport:
        """Verify the graph below ``root``: a URL, or a credential as served (JWS or JSON).

        ``options`` (over the bundle's): ``maxNodes`` and ``maxDepth`` narrow the limits;
        ``requiredWitnesses`` (default 0) with ``trustedWitnesses`` (DIDs) asks that every
        home registry's receipt be cosigned by that many distinct trusted witnesses.

        ``keys``: decryption keys (hex) by URL, for links to credentials published encrypted;
        a root URL may carry its own as ``decryptionKey`` (query parameter or fragment). A link
        to an encrypted credential without a key that opens it is ``links.encrypted``.

        Raises InputError only for a root that is neither, or witness options that are
        malformed or cannot be met; everything about the graph itself is reported.
        """
        bundle = bundle or Bundle()
        at = at or bundle.at or self.clock()
        asked = {**bundle.options, **(options or {})}
        limits = self.limits.narrowed(asked)
        anchors = tuple(dict.fromkeys([*trust_anchors, *bundle.trust_anchors]))
        resolver = bundle.resolver(self.resolver)
        registries = Registries.from_options(asked, resolver)
        status = MapStatusListFetcher(bundle.documents, fallback=self.status)
        verifier = Verifier(resolver=resolver, loader=self.loader, clock=self.clock, status=status)
        keys = {**bundle.keys, **(keys or {})}
        for given in keys.values():
            parse_key(given)  # a malformed key is the caller's input error, not the graph's
        if isinstance(root, str) and root.startswith(("https://", "http://")):
            key, root_key = split_key(root)
            if root_key is not None:
                parse_key(root_key)
                keys[key] = root_key
            report = GraphReport(root=key, at=at, trust_anchors=anchors)
            walker = Walker(
                bundle, verifier, self.fetcher, limits, at, report, self.schemas, keys=keys
            )
            try:
                served = walker.get(key, {})
            except DecryptionError as exc:
                report.checks.record(
                    checks.LINKS_ENCRYPTED,
                    Outcome.INDETERMINATE,
                    "Root credential encrypted",
                    exc.detail,
                    path=key,
                )
                return report
            except ResolutionError as exc:
                report.checks.record(
                    checks.LINKS_UNREACHABLE,
                    Outcome.INDETERMINATE,
                    "Root credential unreachable",
                    exc.detail,
                    path=key,
                )
                return report
        elif isinstance(root, dict) or (isinstance(root, str) and _is_jws(root)):
            served = root
            key = bundle.url_of(root) or ROOT_KEY
            report = GraphReport(root=key, at=at, trust_anchors=anchors)
            walker = Walker(
                bundle, verifier, self.fetcher, limits, at, report, self.schemas, keys=keys
            )
        else:
            raise InputError(
                "the root is a credential (JSON object, compact JWS or data: URL) or its "
                "http(s) URL"
            )
        walker.walk(key, served)
        if any(report.checks.has_failed(limit) for limit in _LIMITS):
            report.checks.record(
                checks.GRAPH_INCOMPLETE,
                Outcome.WARNING,
                "Graph checks not run",
                "the walk stopped at a limit, so trust, claims, roll-ups and mass balance would "
                "be judged on part of the graph (a missing attestation would read as a false "
                "claim); they were not run",
                path=key,
            )
            return report
        index = GraphIndex.build(report)
        check_trust(index)
        check_claims(index)
        check_balance(index, registries)
        return report


def verify_graph(
    root: Any,
    *,
    trust_anchors: Sequence[str],
    bundle: Bundle | None = None,
    at: datetime | None = None,
    **dependencies: Any,
) -> GraphReport:
    """One-shot form of :meth:`GraphVerifier.verify` (``dependencies`` as its fields)."""
    return GraphVerifier(**dependencies).verify(
        root, trust_anchors=trust_anchors, bundle=bundle, at=at
    )
