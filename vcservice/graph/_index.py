"""What the graph checks ask of the verified nodes: attestations, accreditations, product
lineage, the attested values. Built once after the walk; pure reads of the node documents."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
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


def footprint_of(node: Node, product: str | None = None) -> tuple[float, str] | None:
    """(pcfExcludingBiogenicUptake, systemBoundary) attested for ``product`` (or the first)."""
    fallback = None
    for assessment in assessments(node):
        footprint = assessment.get("carbonFootprint")
        value = (
            number(footprint.get("pcfExcludingBiogenicUptake"))
            if isinstance(footprint, Mapping)
            else None
        )
        if value is None or not isinstance(footprint, Mapping):
            continue
        boundary = footprint.get("systemBoundary")
        found = (value, boundary if isinstance(boundary, str) else "")
        products = ids_of(
            [
                e.get("product")
                for e in as_list(assessment.get("assessedProduct"))
                if isinstance(e, Mapping)
            ]
        )
        if product is None or product in products:
            return found
        fallback = fallback or found
    return fallback


def recycled_of(node: Node) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for assessment in assessments(node):
        out.extend(r for r in as_list(assessment.get("recycledContent")) if isinstance(r, dict))
    return out


@dataclass
class GraphIndex:
    report: GraphReport
    flows: dict[str, Flows] = field(default_factory=dict)
    #: product id → ids of the products it was made from or moved as (one step upstream).
    upstream: dict[str, set[str]] = field(default_factory=dict)
    edges: dict[tuple[str, str], Edge] = field(default_factory=dict)

    @classmethod
    def build(cls, report: GraphReport) -> GraphIndex:
        index = cls(report)
        index.edges = {(edge.source, edge.pointer): edge for edge in report.edges}
        for node in report.nodes.values():
            if node.document is None:
                continue
            index.flows[node.key] = flows_of(node.document)
            for subject in node.subjects():
                types = set(as_list(subject.get("type")))
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
        """The nodes reached by a list of links at ``pointer`` (``evidence``, ``attestedBy``)."""
        found = (self.target(node, f"{pointer}/{i}") for i in range(len(as_list(links))))
        return [t for t in found if t is not None]

    def node_by_url(self, url: str) -> Node | None:
        return self.report.nodes.get(url)

    def lineage(self, product: str) -> set[str]:
        """``product`` and every product upstream of it through make events."""
        seen = {product}
        todo = [product]
        while todo:
            for parent in self.upstream.get(todo.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return seen


def _product_ids(entries: Any) -> set[str]:
    return ids_of([e.get("product") for e in as_list(entries) if isinstance(e, Mapping)])
