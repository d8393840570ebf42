"""The provenance graph as a tree of cards that reads on a laptop and on a phone.

A supply chain is a DAG drawn from the product backwards: the product (the root credential) at
the top, the credentials it links to below it, and so on down to the mines and the scrap. A
wide SVG of columns (the former layout) shows a phone one box at a time; a list of nested cards
reflows to any width, needs no script (the page's CSP forbids them) and keeps every label whole.

Three rules make a DAG a readable tree:

* a credential reached along several links is drawn once, where the walk first meets it, and
  every other link to it is a short reference ("see above") to that card, so nothing is
  repeated and the walk cannot loop;
* siblings are ordered by how close their branch is to a problem (a failed or unchecked card,
  a broken link, a missing credential), so the walk runs straight to the first problem and the
  problem is on the first screen; then material (events, passports) before the certificates
  about it, then as the issuer listed them;
* deep levels collapse into ``<details>`` groups, except along a path to a problem.

:func:`graph_model` is pure: a :class:`~vcservice.graph.GraphReport` in, plain data out, for
``_graph.html``.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from vcservice.credential_terms import KIND_WORDS, LINK_TYPES
from vcservice.graph import GraphReport, Node
from vcservice.graph._model import as_list, number, subjects_of
from vcservice.report import Outcome
from vcservice.web.words import (
    CHECK_ICONS,
    CREDENTIAL_WORDS,
    claimed_percent,
    element,
    footprint,
    quantity,
)

#: Digest outcomes of a link that breaks the chain.
BROKEN: Final = frozenset({"failed", "unreachable", "encrypted", "derived", "cycle"})
#: How bad a link's digest outcome is, when several links join the same two credentials.
_EDGE_RANK: Final = {
    "failed": 5,
    "unreachable": 4,
    "encrypted": 4,
    "derived": 4,
    "cycle": 3,
    "unpinned": 2,
    "not-followed": 1,
}
#: Where each kind sorts among siblings: material first (events, passports), then the
#: records, certificates and accreditations about it (the order of ``KIND_WORDS``).
_KIND_RANK: Final = {kind: rank for rank, kind in enumerate(KIND_WORDS)}
#: UNTP link type codes → the kind of what they point to; the only name a credential that
#: could not be fetched has.
_LINK_KINDS: Final = {code: KIND_WORDS[kind] for kind, code in LINK_TYPES.items()}
#: What a broken or unchecked link means, in words.
LINK_WORDS: Final = {
    "failed": "the credential changed after it was linked (its fingerprint does not match)",
    "unreachable": "the linked credential could not be fetched",
    "encrypted": "the linked credential is encrypted, and no key that opens it was given",
    "derived": "the holder showed only part of the credential, so it cannot be matched to the "
    "one that was linked",
    "cycle": "it loops back to a credential above, so the chain goes round in a circle",
    "unpinned": "the link carries no fingerprint, so later changes would go unnoticed",
    "not-followed": "not followed: the chain is longer than this check goes",
}
#: Levels below the product whose inputs are shown open when nothing is wrong in them.
OPEN_DEPTH: Final = 3
#: Levels that nest; a deeper branch continues as a tree of its own after the main one, so
#: a 5,000-link chain neither nests 5,000 deep nor recurses that deep in the template.
MAX_NEST: Final = 16
#: Levels that indent; deeper ones line up with their parent (the phone has 360 px).
INDENT_CAP: Final = 6
#: Problem cards named in the "Problem found in" line before "and N more".
PROBLEMS_NAMED: Final = 3


def kind_rank(types: Iterable[str]) -> tuple[str, int]:
    """What a credential is, in words, and where it sorts among its siblings."""
    ranked = sorted((_KIND_RANK[t], t) for t in set(types) if t in _KIND_RANK)
    return (KIND_WORDS[ranked[0][1]], ranked[0][0]) if ranked else ("Credential", len(_KIND_RANK))


def _link_kind(link: Mapping[str, Any]) -> str:
    link_type = link.get("linkType")
    tail = link_type.rstrip("/").rsplit("/", 1)[-1].lower() if isinstance(link_type, str) else ""
    return _LINK_KINDS.get(tail, "Credential")


def _link_name(link: Mapping[str, Any]) -> str | None:
    """A link's name without the type code the issuer appended: ``Receipt of scrap (DTE)``."""
    name = link.get("linkName")
    if not isinstance(name, str) or not name.strip():
        return None
    name = name.strip()
    head, _, tail = name.rpartition(" (")
    return head if head and tail.rstrip(")").lower() in _LINK_KINDS else name


def _claim_facts(document: Any) -> tuple[list[str], list[str]]:
    """Footprints and recycled shares the credential claims (passports, events)."""
    footprints: list[str] = []
    recycled: list[str] = []
    for subject in subjects_of(document):
        for claim in as_list(subject.get("performanceClaim")):
            if not isinstance(claim, Mapping):
                continue
            for performance in as_list(claim.get("claimedPerformance")):
                measure = performance.get("measure") if isinstance(performance, Mapping) else None
                if not isinstance(measure, Mapping):
                    continue
                value = number(measure.get("value"))
                if claim.get("propertyKind") == "carbonFootprint":
                    text = footprint(value, measure.get("unit"))
                    if text:
                        footprints.append(text)
                elif claim.get("propertyKind") == "recycledContent" and value is not None:
                    recycled.append(claimed_percent(value))
    return footprints, recycled


def _certified_facts(document: Any) -> list[str]:
    """The values a certificate certifies (``assessedPerformance``): footprint, recycled share."""
    out: list[str] = []
    for subject in subjects_of(document):
        for assessment in as_list(subject.get("conformityAssessment")):
            if not isinstance(assessment, Mapping):
                continue
            for performance in as_list(assessment.get("assessedPerformance")):
                if not isinstance(performance, Mapping):
                    continue
                metric = performance.get("metric")
                label = str(metric.get("name", "")) if isinstance(metric, Mapping) else ""
                measure = performance.get("measure")
                if not isinstance(measure, Mapping):
                    continue
                value = number(measure.get("value"))
                if value is None:
                    continue
                if "footprint" in label.lower():
                    text = footprint(value, measure.get("unit"))
                    if text:
                        out.append(f"certifies {text}")
                elif "recycled" in label.lower():
                    out.append(f"certifies {claimed_percent(value)} recycled")
    return out


#: The roll-ups of a report by make event and by product.
Rollups = tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]


def _products(report: GraphReport) -> Rollups:
    """The roll-ups (``report.products``) by the make event and by the product they are for."""
    by_event: dict[str, dict[str, Any]] = {}
    by_product: dict[str, dict[str, Any]] = {}
    for entry in report.products:
        if isinstance(entry.get("event"), str):
            by_event.setdefault(entry["event"], entry)
        if isinstance(entry.get("product"), str):
            by_product.setdefault(entry["product"], entry)
    return by_event, by_product


def _rolled_up(entry: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """Footprint and recycled share the service recomputed for a product (per kg)."""
    rolled = entry.get("carbonFootprint")
    value = None
    if isinstance(rolled, Mapping):
        value = number(rolled.get("computed", rolled.get("claimed")))
    fp = footprint(value, "KGM")
    fraction = number(entry.get("recycledFraction"))
    if fraction == 0:  # a roll-up of none says nothing the card needs to carry
        return fp, None
    if fraction is not None:
        return fp, f"{claimed_percent(fraction)} recycled"
    by_material = entry.get("recycledFractionByMaterial")
    if isinstance(by_material, Mapping) and by_material:
        shares = [
            f"{element(material)} {claimed_percent(share)}"
            for material, raw in sorted(by_material.items())
            if (share := number(raw)) is not None
        ]
        return fp, f"recycled {', '.join(shares)}" if shares else None
    return fp, None


def node_facts(report: GraphReport, node: Node, rollups: Rollups | None = None) -> list[str]:
    """Key figures for a card: what it claims or certifies, else what the service rolled up
    (``rollups``: :func:`_products` of the report, computed once by the caller)."""
    footprints, recycled = _claim_facts(node.document)
    facts = [*dict.fromkeys(footprints)]
    facts += [f"{share} recycled" for share in dict.fromkeys(recycled)]
    facts += _certified_facts(node.document)
    if not footprints or not recycled:
        by_event, by_product = rollups or _products(report)
        ids = [s.get("id") for s in subjects_of(node.document)]
        entry = by_event.get(node.key) or next(
            (by_product[i] for i in ids if isinstance(i, str) and i in by_product), None
        )
        if entry is not None:
            fp, share = _rolled_up(entry)
            if fp and not footprints:
                facts.insert(0, fp)
            if share and not recycled:
                facts.append(share)
    return facts


def _raw(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, indent=2, ensure_ascii=False)


def names_of(report: GraphReport) -> dict[str, str]:
    """Credential addresses and issuer DIDs → the names people know them by."""
    names: dict[str, str] = {}
    for key, node in report.nodes.items():
        name = (node.document or {}).get("name")
        if isinstance(name, str) and name.strip():
            names[key] = f"“{name.strip()}”"
        if node.issuer and node.issuer_name:
            names.setdefault(node.issuer, node.issuer_name)
    return names


def in_words(text: str, names: Mapping[str, str]) -> str:
    """``text`` with every credential address and DID it names replaced by the name (longest
    first, so an address is never half-replaced by a shorter one it starts with)."""
    for ident in sorted(names, key=len, reverse=True):
        if ident in text:
            text = text.replace(ident, names[ident])
    return text


def _problems(report: GraphReport) -> dict[str, list[dict[str, str]]]:
    """Each node's failed and unchecked checks (its own, and the graph checks located in it),
    as title and detail: words, no check ids; addresses and DIDs named where known."""
    out: dict[str, list[dict[str, str]]] = {key: [] for key in report.nodes}
    names = names_of(report)
    for check in report.all_checks():
        key = (check.path or "").split("#", 1)[0]
        if key not in out or check.outcome not in (Outcome.FAILED, Outcome.INDETERMINATE):
            continue
        entry = (
            {"title": check.problem.title, "detail": in_words(check.problem.detail, names)}
            if check.problem is not None
            else {"title": "A check did not pass", "detail": ""}
        )
        if entry not in out[key]:
            out[key].append(entry)
    return out


@dataclass
class _Link:
    """Every hash link between the same two credentials, merged (worst digest outcome)."""

    source: str
    target: str
    digest: str
    quantity: str | None
    name: str | None
    kind: str

    @property
    def broken(self) -> bool:
        return self.digest in BROKEN


def merged_links(report: GraphReport) -> dict[str, list[_Link]]:
    """Outgoing links of each credential, one per target, in the order the issuer listed them."""
    by_pair: dict[tuple[str, str], _Link] = {}
    out: dict[str, list[_Link]] = {}
    for edge in report.edges:
        pair = (edge.source, edge.target)
        link = by_pair.get(pair)
        if link is None:
            link = by_pair[pair] = _Link(
                edge.source,
                edge.target,
                edge.digest,
                quantity(edge.quantity),
                _link_name(edge.link),
                _link_kind(edge.link),
            )
            out.setdefault(edge.source, []).append(link)
            continue
        if _EDGE_RANK.get(edge.digest, 0) > _EDGE_RANK.get(link.digest, 0):
            link.digest = edge.digest
        link.quantity = link.quantity or quantity(edge.quantity)
        link.name = link.name or _link_name(edge.link)
    return out


def problem_distance(
    report: GraphReport, links: Mapping[str, list[_Link]], outcomes: Mapping[str, str]
) -> dict[str, int]:
    """Links from each credential to the nearest problem below it (0: it is one); credentials
    with none below them are absent. A breadth-first walk up the reversed links."""
    parents: dict[str, list[str]] = {}
    start: set[str] = {k for k, o in outcomes.items() if o != "passed"}
    for source, outgoing in links.items():
        for link in outgoing:
            parents.setdefault(link.target, []).append(source)
            if link.target not in report.nodes or link.broken:
                start.add(link.target)
            if link.broken:
                start.add(source)
    distance = dict.fromkeys(start, 0)
    queue = deque(start)
    while queue:
        key = queue.popleft()
        for parent in parents.get(key, ()):
            if parent not in distance:
                distance[parent] = distance[key] + 1
                queue.append(parent)
    return distance


@dataclass
class _Item:
    """One place in the tree: a card, a reference to a card drawn elsewhere, or a credential
    that is not available; with the link that leads here from the card above."""

    what: str  # "node" | "ref" | "missing"
    key: str
    depth: int
    link: _Link | None = None
    children: list[_Item] = field(default_factory=list)
    continued: bool = False


def _walk(
    report: GraphReport,
    links: Mapping[str, list[_Link]],
    order: Callable[[str], list[_Link]],
    roots: list[str],
) -> list[_Item]:
    """Pre-order walk from the roots, each credential's links in ``order``: a credential is
    drawn the first time it is met, so every reference points up the page. Iterative: no
    recursion limit on a long chain."""
    drawn: set[str] = set()
    trees: list[_Item] = []
    pending = [(key, False) for key in roots]  # roots, then branches continued past MAX_NEST
    while pending:
        start, continuation = pending.pop(0)
        if start in drawn and not continuation:
            continue
        top = _Item("node", start, 0)
        drawn.add(start)
        trees.append(top)
        stack: list[tuple[_Item, list[_Link]]] = [(top, order(start))]
        while stack:
            parent, todo = stack[-1]
            if not todo:
                stack.pop()
                continue
            link = todo.pop(0)
            target = link.target
            depth = parent.depth + 1
            if target in drawn:
                parent.children.append(_Item("ref", target, depth, link))
                continue
            drawn.add(target)
            if target not in report.nodes:
                parent.children.append(_Item("missing", target, depth, link))
                continue
            if depth >= MAX_NEST and links.get(target):
                # drawn as the top of a tree of its own after this one; a pointer here
                parent.children.append(_Item("ref", target, depth, link, continued=True))
                pending.append((target, True))
                continue
            item = _Item("node", target, depth, link)
            parent.children.append(item)
            stack.append((item, order(target)))
    return trees


def _has_problem(item: _Item, outcomes: Mapping[str, str]) -> bool:
    if item.what == "missing" or (item.link is not None and item.link.broken):
        return True
    if item.what == "node" and outcomes.get(item.key, "passed") != "passed":
        return True
    return any(_has_problem(child, outcomes) for child in item.children)


def _size(item: _Item) -> int:
    """Cards below ``item`` (references to cards drawn elsewhere not counted)."""
    return sum((child.what != "ref") + _size(child) for child in item.children)


def _edge_view(link: _Link, parent_name: str | None) -> dict[str, Any]:
    words = LINK_WORDS.get(link.digest)
    return {
        "digest": link.digest,
        "broken": link.broken,
        "quantity": link.quantity,
        "name": link.name,
        "words": words,
        "of": parent_name,
    }


def _card(
    report: GraphReport,
    node: Node,
    anchor: str,
    outcome: str,
    problems: list[dict[str, str]],
    rollups: Rollups,
) -> dict[str, Any]:
    kind, _ = kind_rank(node.types)
    document = node.document or {}
    name = document.get("name")
    return {
        "anchor": anchor,
        "key": node.key,
        "outcome": outcome,
        "icon": CHECK_ICONS.get(outcome, "?"),
        "word": CREDENTIAL_WORDS.get(outcome, outcome),
        "kind": kind,
        "name": name if isinstance(name, str) and name.strip() else node.key,
        "issuer": node.issuer,
        "issuer_name": node.issuer_name or node.issuer or "unknown issuer",
        "facts": node_facts(report, node, rollups),
        "problems": problems,
        "document": _raw(node.document) if node.document is not None else None,
        "served": node.served if isinstance(node.served, str) else None,
    }


def graph_model(report: GraphReport) -> dict[str, Any]:
    """What ``_graph.html`` draws: the tree of cards (``tree``: one item per place, product
    first), the cards by node (``nodes``, anchors ``node-<i>`` in ``report.nodes`` order), the
    merged links (``edges``, each with ``broken``), the first problem cards (``problems``:
    failed before could-not-check, each in page order; ``more_problems`` not named) and the
    credentials that are not available (``missing``)."""
    outcomes = report.node_outcomes()
    links = merged_links(report)
    distance = problem_distance(report, links, outcomes)
    anchors = {key: f"node-{i}" for i, key in enumerate(report.nodes)}
    far = len(report.nodes) + len(report.edges) + 1

    def order(key: str) -> list[_Link]:
        def rank(indexed: tuple[int, _Link]) -> tuple[int, int, int]:
            index, link = indexed
            near = 0 if link.broken else distance.get(link.target, far)
            node = report.nodes.get(link.target)
            kind = kind_rank(node.types)[1] if node is not None else -1
            return (near, kind, index)

        return [link for _, link in sorted(enumerate(links.get(key, [])), key=rank)]

    roots = ([report.root] if report.root in report.nodes else []) + list(report.nodes)
    trees = _walk(report, links, order, roots)
    node_problems = _problems(report)
    rollups = _products(report)
    cards = {
        key: _card(report, node, anchors[key], outcomes[key], node_problems[key], rollups)
        for key, node in report.nodes.items()
    }
    missing: dict[str, dict[str, Any]] = {}
    problems: list[dict[str, Any]] = []

    def view(item: _Item, parent: _Item | None) -> dict[str, Any]:
        parent_name = cards[parent.key]["name"] if parent and parent.key in cards else None
        out: dict[str, Any] = {
            "what": item.what,
            "depth": item.depth,
            "indent": 0 < item.depth <= INDENT_CAP,
            "edge": (
                _edge_view(item.link, parent_name if item.depth > INDENT_CAP else None)
                if item.link
                else None
            ),
            "continued": item.continued,
        }
        if item.what == "missing":
            link = item.link
            ghost = {
                "anchor": f"missing-{len(missing)}",
                "key": item.key,
                "kind": link.kind if link else "Credential",
                "name": (link.name if link else None) or "a linked credential",
                "outcome": "indeterminate",
            }
            missing[item.key] = ghost
            problems.append(ghost)
            out["card"] = ghost
            return out
        if item.what == "ref":
            out["card"] = cards.get(item.key) or missing.get(item.key)
            return out
        card = cards[item.key]
        out["card"] = card
        if card["outcome"] != "passed":
            problems.append(card)
        out["children"] = [view(child, item) for child in item.children]
        out["size"] = _size(item)
        # open: the first levels, the way to a problem, and short lists of references
        out["open"] = item.depth < OPEN_DEPTH or not out["size"] or _has_problem(item, outcomes)
        return out

    tree = [view(top, None) for top in trees]
    edges = [
        {"from": link.source, "to": link.target} | _edge_view(link, None)
        for outgoing in links.values()
        for link in outgoing
    ]
    ordered = sorted(problems, key=lambda card: card["outcome"] != "failed")
    return {
        "tree": tree,
        "nodes": [cards[key] for key in report.nodes],
        "edges": edges,
        "missing": list(missing.values()),
        "problems": ordered[:PROBLEMS_NAMED],
        "more_problems": max(0, len(ordered) - PROBLEMS_NAMED),
    }
