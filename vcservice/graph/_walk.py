"""Walking the graph: from the root, follow every credential link, check its digest, verify
each credential once with the single-credential pipeline.

Depth first, so that the path to each node is known and a link back to a credential on that
path is a cycle (a link to a credential already verified elsewhere is just a shared upstream,
the normal case: many credits cite one attestation). Bounded by :class:`GraphLimits`; when a
limit is hit the walk reports it once and follows nothing further, so a hostile graph costs at
most ``max_nodes`` fetch attempts and verifications, ``max_links`` links and
``max_seconds`` of walking. A URL that could not be fetched is not asked again in the same
walk, and each credential's bytes are hashed once however many links point at it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from vcservice.confidential import is_sealed, unseal
from vcservice.credits import links_of
from vcservice.errors import DecryptionError, FetchBudgetError, InputError, ResolutionError
from vcservice.graph._bundle import Bundle
from vcservice.graph._derived import derived_form
from vcservice.graph._fetch import LinkFetcher
from vcservice.graph._model import Edge, GraphLimits, GraphReport, Node, follows
from vcservice.links import DigestError, digest_bytes, link_digests, served_bytes
from vcservice.report import Outcome, VerificationReport
from vcservice.schema_validation import validate_extensions
from vcservice.untp import validate_untp
from vcservice.verify import Verifier

_PRODUCT_LISTS = ("inputProduct", "outputProduct", "movedProduct", "modifiedProduct")


@dataclass
class Walker:
    bundle: Bundle
    verifier: Verifier
    fetcher: LinkFetcher | None
    limits: GraphLimits
    at: datetime
    report: GraphReport
    schemas: bool = True
    clock: Callable[[], float] = time.monotonic
    #: Decryption keys (hex) by URL: the keys in the links the verifier was handed.
    keys: Mapping[str, str] = field(default_factory=dict)
    _stopped: set[str] = field(default_factory=set)
    _failed: dict[str, ResolutionError] = field(default_factory=dict)
    _fetches: int = 0
    _deadline: float = 0.0
    _bytes: dict[str, bytes | None] = field(default_factory=dict)

    # --- per node -------------------------------------------------------------------------
    def verify_node(self, key: str, served: Any, depth: int) -> Node:
        try:
            checks = self.verifier.verify_credential(served, at=self.at)
        except InputError as exc:
            checks = VerificationReport()
            checks.failed("datamodel.document", exc.title, exc.detail)
        node = Node(key=key, served=served, depth=depth, document=checks.document, report=checks)
        if self.schemas and node.document is not None:
            checks.extend(validate_untp(node.document))
            checks.extend(validate_extensions(node.document))
        checks.document = None  # the report keeps one copy of each document: the node's
        data = self.served_bytes(node)
        node.digest = digest_bytes(data) if data is not None else None
        self.report.nodes[key] = node
        return node

    def get(self, url: str, link: Mapping[str, Any]) -> Any:
        """What is served at ``url``, decrypted when it is an encrypted envelope: the key is
        the one given for ``url``; DecryptionError when there is none or it does not open it
        (remembered, like a failed fetch, so other links to it cost no second fetch)."""
        served = self._served(url, link)
        if not is_sealed(served):
            return served
        key = self.keys.get(url)
        if key is None:
            error = DecryptionError(f"{url} is published encrypted and no key was given for it")
        else:
            try:
                return unseal(served, key)
            except DecryptionError as exc:
                error = DecryptionError(f"{url} is published encrypted: {exc.detail}")
        self._failed[url] = error
        raise error

    def _served(self, url: str, link: Mapping[str, Any]) -> Any:
        if url in self._failed:
            raise self._failed[url]
        if url in self.bundle.documents:
            return self.bundle.documents[url]
        digest = link.get("digestMultibase")
        if isinstance(digest, str) and digest in self.bundle.by_digest:
            return self.bundle.by_digest[digest]
        if self.fetcher is None:
            raise ResolutionError(
                f"{url} is not in the bundle and fetching linked credentials over the network "
                "is off"
            )
        if self._fetches >= self.limits.max_nodes:
            raise FetchBudgetError(
                f"the walk already asked for {self._fetches} linked credentials over the network"
            )
        self._fetches += 1
        try:
            return self.fetcher.fetch(url)
        except ResolutionError as exc:
            self._failed[url] = exc
            raise

    def served_bytes(self, node: Node) -> bytes | None:
        """The bytes a link to ``node`` is hashed over, computed once per node."""
        if node.key not in self._bytes:
            try:
                self._bytes[node.key] = served_bytes(node.served)
            except DigestError:
                self._bytes[node.key] = None
        return self._bytes[node.key]

    # --- the walk ---------------------------------------------------------------------------
    def walk(self, key: str, served: Any) -> None:
        self._deadline = self.clock() + self.limits.max_seconds
        self._visit(key, served, 0, [])
        root = self.report.nodes.get(key)
        if root is not None:
            root.reached = True

    def _stop(self, check_id: str, title: str, detail: str) -> None:
        if check_id not in self._stopped:
            self._stopped.add(check_id)
            self.report.checks.failed(check_id, title, detail)

    def _visit(self, key: str, served: Any, depth: int, path: list[str]) -> None:
        self._expand(self.verify_node(key, served, depth), depth, path)

    def _expand(self, node: Node, depth: int, path: list[str]) -> None:
        if node.document is None:
            return
        key = node.key
        path.append(key)
        subject = node.document.get("credentialSubject")
        for link, pointer in list(links_of(subject, "/credentialSubject")):
            if follows(link):
                self._follow(node, link, pointer, depth, path)
        path.pop()

    def _edge(self, node: Node, link: Mapping[str, Any], pointer: str, outcome: str) -> None:
        self.report.edges.append(
            Edge(
                node.key,
                link["linkURL"],
                pointer,
                dict(link),
                outcome,
                _quantity_at(node.document, pointer),
            )
        )

    def _follow(
        self, node: Node, link: Mapping[str, Any], pointer: str, depth: int, path: list[str]
    ) -> None:
        url: str = link["linkURL"]
        where = f"{node.key}#{pointer}"
        checks = self.report.checks
        if url in path:
            self._edge(node, link, pointer, "cycle")
            checks.record(
                "graph.cycle",
                Outcome.FAILED,
                "Link cycle",
                f"{url} links back, through {len(path) - path.index(url) - 1} credential(s), "
                "to itself; hash links cannot form a cycle, so a URL on this path served "
                "different content at different times. The back link is not followed.",
                path=where,
            )
            return
        if len(self.report.edges) >= self.limits.max_links:
            self._stop(
                "graph.link-limit",
                "Graph over the link limit",
                f"the graph has more than {self.limits.max_links} links; the walk stopped there",
            )
            return
        target = self.report.nodes.get(url)
        if target is None:
            if self.clock() > self._deadline:
                self._edge(node, link, pointer, "not-followed")
                self._stop(
                    "graph.time-limit",
                    "Graph over the time limit",
                    f"walking the graph took longer than {self.limits.max_seconds:g} s; the "
                    "walk stopped there",
                )
                return
            if len(self.report.nodes) >= self.limits.max_nodes:
                self._edge(node, link, pointer, "not-followed")
                self._stop(
                    "graph.node-limit",
                    "Graph over the node limit",
                    f"the graph has more than {self.limits.max_nodes} credentials; the walk "
                    "stopped there, so what lies beyond was not verified",
                )
                return
            if depth + 1 > self.limits.max_depth:
                self._edge(node, link, pointer, "not-followed")
                self._stop(
                    "graph.depth-limit",
                    "Graph over the depth limit",
                    f"a path from the root is longer than {self.limits.max_depth} links; the "
                    "walk stopped there",
                )
                return
            try:
                served = self.get(url, link)
            except FetchBudgetError as exc:
                self._edge(node, link, pointer, "not-followed")
                self._stop("graph.node-limit", "Graph over the node limit", exc.detail)
                return
            except DecryptionError as exc:
                self._edge(node, link, pointer, "encrypted")
                checks.record(
                    "links.encrypted",
                    Outcome.INDETERMINATE,
                    "Linked credential encrypted",
                    exc.detail,
                    path=where,
                )
                return
            except ResolutionError as exc:
                self._edge(node, link, pointer, "unreachable")
                checks.record(
                    "links.unreachable",
                    Outcome.INDETERMINATE,
                    "Linked credential unreachable",
                    exc.detail,
                    path=where,
                )
                return
            target = self.verify_node(url, served, depth + 1)
            fresh = True
        else:
            fresh = False
        outcome = self._check_digest(where, link, target)
        self._edge(node, link, pointer, outcome)
        if outcome in ("passed", "unpinned"):
            target.reached = True
        if fresh:
            self._expand(target, depth + 1, path)

    def _check_digest(self, where: str, link: Mapping[str, Any], target: Node) -> str:
        checks = self.report.checks
        try:
            digests = link_digests(link)  # parsed once: base58 decoding is pure Python
            if not digests:
                checks.record(
                    "links.unpinned",
                    Outcome.WARNING,
                    "Link without digest",
                    f"the link to {link['linkURL']} carries no digestMultibase, so any valid "
                    "credential served there would be accepted",
                    path=where,
                )
                return "unpinned"
            if any(digest.source == "hashDigest" for digest in digests):
                checks.record(
                    "links.legacy",
                    Outcome.WARNING,
                    "Legacy link digest",
                    f"the link to {link['linkURL']} is pinned by a UNTP 0.6 hashDigest/hashMethod; "
                    "accepted, but UNTP 0.7 links carry digestMultibase",
                    path=where,
                )
            data = self.served_bytes(target)
            if data is None:
                raise DigestError("what is served there cannot be hashed as a credential")
            if all(digest.matches(data) for digest in digests):
                checks.record("links.digest", Outcome.PASSED, path=where)
                return "passed"
            derived = derived_form(target.served)
            if derived is not None:
                checks.record(
                    "links.derived",
                    Outcome.INDETERMINATE,
                    "Derived credential at a pinned link",
                    f"the link to {link['linkURL']} pins a base credential, and what is served "
                    f"there is {derived}: its signature shows the issuer signed the claims it "
                    "discloses, not that it was derived from the credential the link pins",
                    path=where,
                )
                return "derived"
            detail = (
                f"the credential served at {link['linkURL']} does not match the link's "
                "digestMultibase: it changed after the link was made"
            )
        except DigestError as exc:
            detail = f"the link to {link['linkURL']}: {exc.detail}"
        checks.record("links.digest", Outcome.FAILED, "Link digest mismatch", detail, path=where)
        return "failed"


def _quantity_at(document: Any, pointer: str) -> Mapping[str, Any] | None:
    """The ``quantity`` of the event product entry a link sits in, if it sits in one."""
    parts = pointer.strip("/").split("/")
    value: Any = document
    quantity = None
    for index, part in enumerate(parts):
        if isinstance(value, list):
            if not part.isdigit() or int(part) >= len(value):
                return quantity
            value = value[int(part)]
        elif isinstance(value, Mapping):
            value = value.get(part.replace("~1", "/").replace("~0", "~"))
        else:
            return quantity
        if index > 0 and parts[index - 1] in _PRODUCT_LISTS and isinstance(value, Mapping):
            found = value.get("quantity")
            quantity = found if isinstance(found, Mapping) else quantity
    return quantity
