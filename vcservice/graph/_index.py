"""What the graph checks ask of the verified nodes: attestations, accreditations, product
lineage, the attested values. Built once after the walk; pure reads of the node documents."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from vcservice.credits import Flows, flows_of
from vcservice.graph._model import Edge, GraphReport, Node, as_list, ids_of, number

DCC = "DigitalConformityCredential"
DIA = "DigitalIdentityAnchor"
DPP = "DigitalProductPassport"
DTE = "DigitalTraceabilityEvent"
PCF = "ProductCarbonFootprintAttestation"
RECYCLED = "RecycledContentAttestation"
COC = "ChainOfCustodyCertificate"
#: propertyKind → the attestation type that can back it.
ATTESTATION_FOR = {"carbonFootprint": PCF, "recycledContent": RECYCLED, "responsibleSourcing": COC}


def attestation_types(node: Node) -> set[str]:
    out: set[str] = set()
    for subject in node.subjects():
        out.update(t for t in as_list(subject.get("type")) if isinstance(t, str))
    return out


def assessments(node: Node) -> Iterator[dict[str, Any]]:
    for subject in node.subjects():
        for assessment in as_list(subject.get("conformityAssessment")):
            if isinstance(assessment, dict):
                yield assessment


def assessed_products(node: Node) -> set[str]:
    out: set[str] = set()
    for assessment in assessments(node):
        for entry in as_list(assessment.get("assessedProduct")):
            if isinstance(entry, Mapping):
                out |= ids_of([entry.get("product")])
    return out


def _covered(assessment: Mapping[str, Any]) -> set[str]:
    entries = as_list(assessment.get("assessedProduct"))
    return ids_of([e.get("product") for e in entries if isinstance(e, Mapping)])


def _for_products(node: Node, products: Sequence[str] | None) -> list[dict[str, Any]]:
    """The assessments that apply: for the first of ``products`` (nearest first) that one of
    them covers; with ``products=None``, all of them, but only if there is exactly one (an
    attestation of several products says nothing about "the" product)."""
    found = list(assessments(node))
    if products is None:
        return found if len(found) == 1 else []
    for product in products:
        covering = [a for a in found if product in _covered(a)]
        if covering:
            return covering
    return []


def footprint_of(node: Node, products: Sequence[str] | None = None) -> tuple[float, str] | None:
    """(pcfExcludingBiogenicUptake, systemBoundary) attested for the first of ``products`` the
    attestation covers (see :func:`_for_products`), or None."""
    for assessment in _for_products(node, products):
        footprint = assessment.get("carbonFootprint")
        if not isinstance(footprint, Mapping):
            continue
        value = number(footprint.get("pcfExcludingBiogenicUptake"))
        if value is not None:
            boundary = footprint.get("systemBoundary")
            return value, boundary if isinstance(boundary, str) else ""
    return None


def _recycled_in(found: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for a in found for r in as_list(a.get("recycledContent")) if isinstance(r, dict)]


def recycled_of(node: Node, products: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """The recycledContent entries attested for the first of ``products`` it covers."""
    return _recycled_in(_for_products(node, products))


def all_recycled(node: Node) -> list[dict[str, Any]]:
    """Every recycledContent entry of the attestation, whatever product it is for."""
    return _recycled_in(assessments(node))


@dataclass
class GraphIndex:
    report: GraphReport
    flows: dict[str, Flows] = field(default_factory=dict)
    #: product id → ids of the products it was made from or moved as (one step upstream).
    upstream: dict[str, set[str]] = field(default_factory=dict)
    edges: dict[tuple[str, str], Edge] = field(default_factory=dict)
    #: node key → the edges leaving it, in document order.
    edges_from: dict[str, list[Edge]] = field(default_factory=dict)

    @classmethod
    def build(cls, report: GraphReport) -> GraphIndex:
        """Flows and lineage come only from usable nodes (valid, reached by a sound link), and
        once per credential however many URLs serve it."""
        index = cls(report)
        index.edges = {(edge.source, edge.pointer): edge for edge in report.edges}
        for edge in report.edges:
            index.edges_from.setdefault(edge.source, []).append(edge)
        seen: set[str] = set()
        for node in report.nodes.values():
            if node.document is None or not node.usable:
                continue
            if node.digest is not None:
                if node.digest in seen:
                    continue
                seen.add(node.digest)
            index.flows[node.key] = flows_of(node.document)
            for subject in node.subjects():
                types = {t for t in as_list(subject.get("type")) if isinstance(t, str)}
                if "MakeEvent" in types:
                    inputs = _product_ids(subject.get("inputProduct"))
                    for output in _product_ids(subject.get("outputProduct")):
                        index.upstream.setdefault(output, set()).update(inputs)
        return index

    def nodes_of_type(self, kind: str) -> list[Node]:
        return [n for n in self.report.nodes.values() if kind in n.types]

    def target(self, node: Node, pointer: str) -> Node | None:
        """The node the link at ``pointer`` of ``node`` reached, if its digest matched (a link
        whose digest failed vouches for nothing)."""
        edge = self.edges.get((node.key, pointer))
        if edge is None or edge.digest not in ("passed", "unpinned"):
            return None
        return self.report.nodes.get(edge.target)

    def targets(self, node: Node, links: Any, pointer: str) -> list[Node]:
        """The nodes reached by the links at ``pointer`` (``evidence``, ``attestedBy``): a list
        of links, or a single link object."""
        pointers = (
            [f"{pointer}/{i}" for i in range(len(links))] if isinstance(links, list) else [pointer]
        )
        found = (self.target(node, where) for where in pointers)
        return [t for t in found if t is not None]

    def lineage(self, product: str) -> list[str]:
        """``product`` and every product upstream of it through make events, nearest first."""
        order = [product]
        seen = {product}
        for current in order:  # grows while iterating: a breadth-first walk
            for parent in sorted(self.upstream.get(current, ())):
                if parent not in seen:
                    seen.add(parent)
                    order.append(parent)
        return order


def _product_ids(entries: Any) -> set[str]:
    return ids_of([e.get("product") for e in as_list(entries) if isinstance(e, Mapping)])
