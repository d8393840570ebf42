"""The provenance graph as verified: nodes (credentials), edges (hash links), limits, report.

Check ids of the graph verifier (each also a problem type under ``PROBLEM_BASE``):

* ``graph.node-limit``, ``graph.depth-limit``, ``graph.link-limit``, ``graph.time-limit``: the
  walk stopped at a limit (failed: the claim cannot be shown to hold all the way back). Fetch
  attempts, failed ones included, count against the node limit.
* ``graph.incomplete`` (warning): after a limit, the graph checks below are not run, since
  they would judge part of the graph as if it were all of it.
* ``graph.cycle``: a link points back to a credential on the path that led to it. Hash links
  cannot form a cycle (each digest covers the target, so a target cannot cover its linker), so
  a cycle means a mutable URL served something else; its back edge is not followed further.
* ``links.digest``: the credential at ``linkURL`` does not match the link's digest (failed), or
  the digest is malformed (failed). ``links.unpinned``: a credential link without a digest
  (warning: the target's signature still holds, but another valid credential could be swapped
  in). ``links.unreachable``: the target could not be fetched (indeterminate: could not check).
  ``links.encrypted``: the target is published encrypted and no key given opens it
  (indeterminate; ``docs/hash-links.md``).
* ``links.derived``: a pinned link leads to a derived credential (selective disclosure), which
  cannot match the base credential's digest (indeterminate: the pin could not be checked; the
  node's own signature still says what its issuer signed, but it vouches for nothing here).
* every single-credential check (``proof.*``, ``jose.*``, ``datamodel.*``, ``validity.*``,
  ``status.*``, ``schema.*``) on each node.
* ``trust.unanchored``, ``trust.scope``, ``trust.expired``, ``claims.unattested``,
  ``claims.mismatch``, ``rollup.footprint``, ``rollup.recycled``, ``massbalance.conservation``,
  ``massbalance.overallocated``, ``massbalance.not-holder``, ``massbalance.unregistered``,
  ``massbalance.unit``: see the modules that make them.

A check on a node carries ``path`` = the node key, or ``<node key>#<JSON pointer>`` for a
specific place inside it; node keys are link URLs (or ``root`` for a root given inline with no
known URL).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from vcservice.report import Check, Outcome, VerificationReport

ROOT_KEY = "root"
#: Media types of links that point at credentials (followed); absent = followed if pinned.
CREDENTIAL_MEDIA_TYPES = frozenset(
    {
        "application/vc+jwt",
        "application/vc",
        "application/vc+ld+json",
        "application/vc+sd-jwt",
        "application/ld+json",
        "application/json",
        "application/jwt",
    }
)


@dataclass(frozen=True)
class GraphLimits:
    """Bounds on one walk. ``max_nodes`` counts credentials fetched or read from the bundle."""

    max_nodes: int = 5000
    max_depth: int = 64
    max_links: int = 100_000
    max_seconds: float = 300.0

    def narrowed(self, options: Mapping[str, Any]) -> GraphLimits:
        """Limits a caller asked for (``maxNodes``, ``maxDepth``), never above these."""
        return GraphLimits(
            max_nodes=_at_most(self.max_nodes, options.get("maxNodes")),
            max_depth=_at_most(self.max_depth, options.get("maxDepth")),
            max_links=self.max_links,
            max_seconds=self.max_seconds,
        )


def _at_most(limit: int, asked: Any) -> int:
    if isinstance(asked, int) and not isinstance(asked, bool) and asked > 0:
        return min(limit, asked)
    return limit


@dataclass
class Node:
    """One credential of the graph: what was served, its payload and its own checks."""

    key: str
    served: Any
    depth: int
    document: dict[str, Any] | None = None
    report: VerificationReport = field(default_factory=VerificationReport)
    #: Whether a link with a matching digest (or the root) leads here: a credential reached
    #: only through links whose digest failed vouches for nothing in the graph checks.
    reached: bool = False
    #: The sha2-256 digestMultibase of what is served (the key of the accounts it opens).
    digest: str | None = None

    @property
    def types(self) -> list[str]:
        return types_of(self.document)

    @property
    def issuer(self) -> str | None:
        issuer = (self.document or {}).get("issuer")
        if isinstance(issuer, Mapping):
            issuer = issuer.get("id")
        return issuer if isinstance(issuer, str) else None

    @property
    def issuer_name(self) -> str | None:
        issuer = (self.document or {}).get("issuer")
        name = issuer.get("name") if isinstance(issuer, Mapping) else None
        return name if isinstance(name, str) else None

    @property
    def valid(self) -> bool:
        """Whether its own (single-credential) verification passed."""
        return self.document is not None and self.report.verified

    @property
    def usable(self) -> bool:
        """Whether the graph checks may rely on it: valid, and reached by a sound link."""
        return self.reached and self.valid

    def subjects(self) -> list[dict[str, Any]]:
        return subjects_of(self.document)


@dataclass(frozen=True)
class Edge:
    """A hash link from ``source`` to ``target`` (a URL), with its digest outcome."""

    source: str
    target: str
    pointer: str
    link: Mapping[str, Any]
    digest: str  # passed | failed | unpinned | derived | cycle | unreachable | encrypted |
    # not-followed
    quantity: Mapping[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "from": self.source,
            "to": self.target,
            "pointer": self.pointer,
            "digest": self.digest,
        }
        for key in ("linkName", "linkType", "mediaType", "digestMultibase"):
            if isinstance(self.link.get(key), str):
                out[key] = self.link[key]
        if self.quantity is not None:
            out["quantity"] = dict(self.quantity)
        return out


@dataclass
class GraphReport:
    """Everything :func:`verify_graph` found; ``to_dict`` is the JSON report."""

    root: str
    at: datetime
    trust_anchors: tuple[str, ...]
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    checks: VerificationReport = field(default_factory=VerificationReport)
    products: list[dict[str, Any]] = field(default_factory=list)
    accounts: list[dict[str, Any]] = field(default_factory=list)
    trust: list[dict[str, Any]] = field(default_factory=list)

    def all_checks(self) -> Iterator[Check]:
        """Node checks (with the node key as path prefix) then graph-level checks."""
        for node in self.nodes.values():
            for check in node.report.checks:
                path = f"{node.key}#{check.path}" if check.path else node.key
                yield Check(check.id, check.outcome, check.problem, path)
        yield from self.checks.checks

    @property
    def errors(self) -> list[Check]:
        bad = (Outcome.FAILED, Outcome.INDETERMINATE)
        return [c for c in self.all_checks() if c.outcome in bad]

    @property
    def warnings(self) -> list[Check]:
        return [c for c in self.all_checks() if c.outcome is Outcome.WARNING]

    @property
    def verified(self) -> bool:
        return bool(self.nodes) and not self.errors

    def failed_ids(self) -> set[str]:
        return {c.id for c in self.errors}

    def node_outcomes(self) -> dict[str, str]:
        """Each node's worst outcome over its own checks and the graph checks located in it."""
        rank = {Outcome.FAILED: 2, Outcome.INDETERMINATE: 1}
        worst = dict.fromkeys(self.nodes, 0)
        for check in self.all_checks():
            key = (check.path or "").split("#", 1)[0]
            if key in worst:
                worst[key] = max(worst[key], rank.get(check.outcome, 0))
        names = {0: Outcome.PASSED.value, 1: Outcome.INDETERMINATE.value, 2: Outcome.FAILED.value}
        return {key: names[value] for key, value in worst.items()}

    def to_dict(self) -> dict[str, Any]:
        """The JSON report; numbers a hostile input pushed out of range become null."""
        errors = [c.to_dict() for c in self.errors]
        outcomes = self.node_outcomes()
        data: dict[str, Any] = _finite(
            {
                "verified": self.verified,
                "root": self.root,
                "verificationTime": self.at.isoformat().replace("+00:00", "Z"),
                "trustAnchors": list(self.trust_anchors),
                "summary": {
                    "nodes": len(self.nodes),
                    "edges": len(self.edges),
                    "nodesFailed": sum(1 for o in outcomes.values() if o != "passed"),
                    "errors": len(errors),
                    "failedChecks": sorted(self.failed_ids()),
                },
                "nodes": [
                    {
                        "key": node.key,
                        "id": (node.document or {}).get("id"),
                        "issuer": node.issuer,
                        "issuerName": node.issuer_name,
                        "type": node.types,
                        "name": (node.document or {}).get("name"),
                        "depth": node.depth,
                        "outcome": outcomes[node.key],
                        "checks": [c.to_dict() for c in node.report.checks],
                    }
                    for node in self.nodes.values()
                ],
                "edges": [edge.to_dict() for edge in self.edges],
                "trust": self.trust,
                "products": self.products,
                "accounts": self.accounts,
                "errors": errors,
                "warnings": [c.to_dict() for c in self.warnings],
                "checks": [c.to_dict() for c in self.checks.checks],
            }
        )
        return data


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_finite(item) for item in value]
    return value


# --- reading credentials ---------------------------------------------------------------------
def as_list(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    return [] if value is None else [value]


def types_of(document: Any) -> list[str]:
    if not isinstance(document, Mapping):
        return []
    return [t for t in as_list(document.get("type")) if isinstance(t, str)]


def subjects_of(document: Any) -> list[dict[str, Any]]:
    if not isinstance(document, Mapping):
        return []
    return [s for s in as_list(document.get("credentialSubject")) if isinstance(s, dict)]


def number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def string(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def ids_of(values: Any, key: str = "id") -> set[str]:
    return {
        v[key] for v in as_list(values) if isinstance(v, Mapping) and isinstance(v.get(key), str)
    }


def classification_keys(values: Any) -> set[tuple[str, str]]:
    """(schemeId, code) of each Classification: how two commodity codes are compared."""
    out = set()
    for value in as_list(values):
        if isinstance(value, Mapping):
            scheme, code = value.get("schemeId"), value.get("code")
            if isinstance(scheme, str) and isinstance(code, str):
                out.add((scheme.rstrip("/"), code))
    return out


def follows(link: Mapping[str, Any]) -> bool:
    """Whether a link points at a credential the walk should follow."""
    media = link.get("mediaType")
    if isinstance(media, str):
        return media.split(";", 1)[0].strip().lower() in CREDENTIAL_MEDIA_TYPES
    return "digestMultibase" in link or "hashDigest" in link
