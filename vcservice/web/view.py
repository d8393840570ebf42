"""A graph report turned into what the page shows: verdict, trust chain, claims, SVG layout."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from vcservice.graph import GraphReport
from vcservice.graph._model import as_list, number, subjects_of
from vcservice.report import Outcome, Verdict, verdict_of
from vcservice.web.summary import element, root_passports, summary
from vcservice.web.units import unit_name

#: Digest outcomes of a link that breaks the chain (drawn dashed red, "broken link").
BROKEN = frozenset({"failed", "unreachable", "cycle"})
_EDGE_RANK = {"failed": 5, "unreachable": 4, "cycle": 3, "unpinned": 2, "not-followed": 1}
ICONS = {"passed": "✓", "failed": "✗", "indeterminate": "?"}
OUTCOME_WORDS = {"passed": "verified", "failed": "failed", "indeterminate": "could not check"}
_KINDS = (
    ("DigitalProductPassport", "Product passport"),
    ("DigitalTraceabilityEvent", "Traceability event"),
    ("DigitalConformityCredential", "Certificate"),
    ("DigitalIdentityAnchor", "Accreditation"),
    ("DigitalFacilityRecord", "Facility record"),
)
_COC = {
    "massBalance": "mass balance",
    "segregation": "segregation",
    "identityPreserved": "identity preserved",
    "bookAndClaim": "book and claim",
    "controlledBlending": "controlled blending",
}

NODE_W, NODE_H, COL_STRIDE, ROW_STRIDE, MARGIN = 240, 92, 330, 112, 24


def fmt(value: Any) -> str:
    n = number(value)
    return "?" if n is None else f"{n:g}"


def quantity_text(quantity: Any) -> str | None:
    if not isinstance(quantity, Mapping) or number(quantity.get("value")) is None:
        return None
    unit = quantity.get("unit")
    return f"{fmt(quantity['value'])} {unit_name(unit) if isinstance(unit, str) else ''}".strip()


def kind_of(types: list[str]) -> str:
    return next((label for t, label in _KINDS if t in types), "Credential")


def _claims_of(document: Any) -> list[dict[str, Any]]:
    out = []
    for subject in subjects_of(document):
        for claim in as_list(subject.get("performanceClaim")):
            if not isinstance(claim, Mapping):
                continue
            measures = [
                p.get("measure")
                for p in as_list(claim.get("claimedPerformance"))
                if isinstance(p, Mapping)
            ]
            measure = next((m for m in measures if isinstance(m, Mapping)), {})
            out.append(
                {
                    "subject": subject,
                    "kind": claim.get("propertyKind"),
                    "name": claim.get("name"),
                    "value": number(measure.get("value")),
                    "unit": measure.get("unit"),
                    "coc": claim.get("chainOfCustodyModel"),
                    "level": claim.get("massBalanceLevel"),
                    "method": claim.get("massBalanceMethod"),
                    "material": claim.get("material"),
                }
            )
    return out


#: Declared units of a footprint claim (UN/ECE Rec 20) → how the page names them.
_DECLARED_UNITS = {"KGM": "kg", "KWH": "kWh"}


def percent(fraction: float) -> str:
    return f"{fraction * 100:.4g} %"


def _recycled_percent(value: float | None) -> str | None:
    if value is None:
        return None
    return percent(value) if value <= 1 else f"{value:.4g} %"


def _material_words(claim: Mapping[str, Any]) -> tuple[str, str | None]:
    """What the claim is about, in words, and its element code: the element a claim names
    (recycled cobalt), else the passport's first material (copper)."""
    material = claim.get("material")
    if isinstance(material, Mapping) and isinstance(material.get("code"), str):
        code = material["code"]
        name = material.get("name")
        return (name.lower() if isinstance(name, str) else element(code)), code
    materials = [
        m.get("name")
        for m in as_list(claim["subject"].get("materialProvenance"))
        if isinstance(m, Mapping)
    ]
    return next((m.lower() for m in materials if isinstance(m, str)), "material"), None


def _element_mass(subject: Mapping[str, Any], code: str) -> str | None:
    for item in as_list(subject.get("materialProvenance")):
        kind = item.get("materialType") if isinstance(item, Mapping) else None
        if isinstance(kind, Mapping) and kind.get("code") == code:
            return quantity_text(item.get("mass"))
    return None


def _certified_amount(
    claim: Mapping[str, Any], product: Mapping[str, Any] | None, code: str | None
) -> str | None:
    """How much of the product the claim's credits cover: the credits of its own kind (and
    element), never another kind's (a battery's recycled cobalt is not its 50 t of footprint
    credits)."""
    entry = product or {}
    kind = claim.get("kind")
    calc: Any = None
    if kind == "carbonFootprint":
        calc = entry.get("carbonFootprint")
    elif kind == "recycledContent":
        by_material = entry.get("recycledContentByMaterial") or {}
        calc = by_material.get(code) if code else entry.get("recycledContent")
    if isinstance(calc, Mapping) and quantity_text(calc.get("creditQuantity")):
        return quantity_text(calc.get("creditQuantity"))
    if kind == "responsibleSourcing" and claim.get("value") is not None:
        return quantity_text({"value": claim["value"], "unit": claim.get("unit")})
    if kind == "carbonFootprint" or kind == "responsibleSourcing":
        masses = [m.get("mass") for m in as_list(claim["subject"].get("materialProvenance"))]
        return next((q for q in map(quantity_text, masses) if q), None)
    return None


def _coc_text(claim: Mapping[str, Any], product: Mapping[str, Any] | None) -> str | None:
    model = claim.get("coc")
    if not isinstance(model, str):
        return None
    material, code = _material_words(claim)
    kind = str(claim.get("kind"))
    what = {
        "carbonFootprint": "certified low-carbon production",
        "recycledContent": "certified recycled input",
    }.get(kind, "certified production")
    amount = _certified_amount(claim, product, code) or "the quantity claimed"
    if model == "massBalance":
        detail = ", ".join(
            str(x)
            for x in (claim.get("level") and f"{claim['level']} level", claim.get("method"))
            if x
        )
        if kind == "recycledContent" and code:
            total = _element_mass(claim["subject"], code)
            of = f"of the {total} of {material} in this product" if total else f"of the {material}"
            return (
                f"mass balance{f' ({detail})' if detail else ''}: {amount} {of} is booked as "
                "recycled: recycled and new material were mixed in production, and the recycled "
                "quantity is allocated to this product and to nobody else, not necessarily "
                "these atoms."
            )
        return (
            f"mass balance{f' ({detail})' if detail else ''}: {amount} of the {material} delivered "
            f"is backed by {what}, not necessarily these atoms. Certified and other material were "
            "mixed; the certified quantity is booked to you and to nobody else."
        )
    if model == "bookAndClaim":
        return (
            f"book and claim: certificates for {amount} of {what} were bought for this "
            f"{material}; there is no physical link between them and the goods delivered."
        )
    if model in ("segregation", "controlledBlending"):
        return (
            f"{_COC[model]}: the {material} delivered comes only from certified sources, kept "
            "apart from uncertified material, though sources may be mixed with each other."
        )
    if model == "identityPreserved":
        return (
            f"identity preserved: the {material} delivered is the very material from the "
            "certified source, kept apart all along the chain."
        )
    return f"chain-of-custody model {model}"


def _products(report: GraphReport) -> list[dict[str, Any]]:
    return [p for p in report.products if isinstance(p, dict)]


def node_facts(report: GraphReport) -> dict[str, dict[str, str]]:
    """Footprint and recycled content to print on each node (claims, else the roll-ups)."""
    facts: dict[str, dict[str, str]] = {}
    by_event: dict[str, dict[str, Any]] = {}
    by_product: dict[str, dict[str, Any]] = {}
    for entry in _products(report):
        if isinstance(entry.get("event"), str):
            by_event.setdefault(entry["event"], entry)
        if isinstance(entry.get("product"), str):
            by_product.setdefault(entry["product"], entry)
    for key, node in report.nodes.items():
        out: dict[str, str] = {}
        for claim in _claims_of(node.document):
            if claim["kind"] == "carbonFootprint" and claim["value"] is not None:
                out.setdefault("footprint", f"{fmt(claim['value'])} kg CO2e/kg")
            if claim["kind"] == "recycledContent" and claim["value"] is not None:
                out.setdefault("recycled", f"{_recycled_percent(claim['value'])} recycled")
        subject_ids = [s.get("id") for s in subjects_of(node.document)]
        product: dict[str, Any] | None = by_event.get(key) or next(
            (by_product[i] for i in subject_ids if isinstance(i, str) and i in by_product), None
        )
        if product:
            footprint = product.get("carbonFootprint") or {}
            value = footprint.get("computed", footprint.get("claimed"))
            if value is not None:
                out.setdefault("footprint", f"{fmt(value)} kg CO2e/kg")
            fraction = number(product.get("recycledFraction"))
            if fraction is not None:
                out.setdefault("recycled", f"{percent(fraction)} recycled")
        facts[key] = out
    return facts


def _names(report: GraphReport) -> dict[str, str]:
    names: dict[str, str] = {}
    for node in report.nodes.values():
        if node.issuer and node.issuer_name:
            names.setdefault(node.issuer, node.issuer_name)
    return names


_TRUST_PROBLEMS = {
    "trust.scope": "not accredited for what it certified",
    "trust.expired": "its accreditation had expired when it certified",
}


def trust_chains(report: GraphReport) -> list[dict[str, Any]]:
    names = _names(report)
    seen: dict[tuple[Any, ...], dict[str, Any]] = {}
    for entry in report.trust:
        path = [p for p in as_list(entry.get("anchorPath")) if isinstance(p, str)]
        if not path and isinstance(entry.get("issuer"), str):
            path = [entry["issuer"]]
        outcome = str(entry.get("outcome", "indeterminate"))
        key = (tuple(path), outcome, entry.get("problem"))
        if key in seen:
            seen[key]["attestations"] += 1
            continue
        steps = [names.get(did, did) for did in path]
        text = steps[0] if steps else "an unknown certifier"
        for step in steps[1:]:
            text += f" → accredited by {step}"
        if outcome == "passed" and path and path[-1] in report.trust_anchors:
            text += " (trust anchor)"
        elif not report.trust_anchors:
            text += " — not checked: no accreditation body was chosen as trusted"
        elif outcome != "passed":
            text += " — " + _TRUST_PROBLEMS.get(
                str(entry.get("problem")), "not accredited by a trust anchor you accept"
            )
        seen[key] = {"text": text, "outcome": outcome, "attestations": 1, "dids": path}
    return list(seen.values())


def _claim_text(claim: Mapping[str, Any]) -> str:
    kind, value = claim["kind"], claim["value"]
    per = _DECLARED_UNITS.get(claim["unit"] or "KGM")
    if kind == "carbonFootprint" and value is not None and per is not None:
        return f"Carbon footprint: {fmt(value)} kg CO2e per {per}"
    if kind == "recycledContent" and value is not None:
        code = _material_words(claim)[1]
        what = f"Recycled {element(code)}" if code else "Recycled content"
        return f"{what}: {_recycled_percent(value)}"
    return str(claim["name"] or kind or "claim")


def claims(report: GraphReport) -> list[dict[str, Any]]:
    """The performance claims of the root, or of the passports of what the root is about (a
    claim event retiring the wire's credits: the wire passport's claims)."""
    root = report.nodes.get(report.root)
    if root is None:
        return []
    documents = [root, *(p for p in root_passports(report) if p.key != root.key)]
    by_product = {p.get("product"): p for p in _products(report)}
    out: list[dict[str, Any]] = []
    for node in documents:
        for claim in _claims_of(node.document):
            product = by_product.get(claim["subject"].get("id"))
            per = _DECLARED_UNITS.get(claim["unit"] or "KGM")
            computed = None
            # The roll-ups are per kg: a footprint claimed per another unit (a battery's per
            # kWh) is compared with the per-kWh roll-up instead.
            footprint = (product or {}).get("carbonFootprint") or {}
            if claim["kind"] == "carbonFootprint" and footprint.get("computed") is not None:
                per_kwh = footprint.get("perKWh") or {}
                if per == "kg":
                    computed = (
                        f"Recomputed from the chain: {fmt(footprint['computed'])} kg CO2e per kg"
                    )
                elif per == "kWh" and per_kwh.get("computed") is not None:
                    computed = (
                        f"Recomputed from the chain: {number(per_kwh['computed']) or 0:.3g} "
                        "kg CO2e per kWh"
                    )
            out.append(
                {
                    "text": _claim_text(claim),
                    "name": claim["name"],
                    "computed": computed,
                    "coc": _coc_text(claim, product),
                    "source": (node.document or {}).get("name"),
                }
            )
    return out


def reasons(report: GraphReport) -> list[str]:
    titles = {k: (n.document or {}).get("name") or k for k, n in report.nodes.items()}
    out: list[str] = []
    for check in report.errors:
        where = titles.get((check.path or "").split("#", 1)[0])
        problem = check.problem
        text = f"{problem.title}: {problem.detail}" if problem else check.id
        line = f"{text} (in “{where}”)" if where else text
        if line not in out:
            out.append(line)
    return out


def _raw(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, indent=2, ensure_ascii=False)


def _layers(report: GraphReport, keys: list[str]) -> dict[str, int]:
    """Each box's distance from the root along the longest path, so every arrow points from a
    column further left (upstream) to one further right, whichever path the walk took first.
    Edges that close a cycle are ignored; a node is placed at most ``len(keys)`` columns away."""
    children: dict[str, list[str]] = {k: [] for k in keys}
    for edge in report.edges:
        if edge.source in children and edge.target in children:
            children[edge.source].append(edge.target)
    layer = {k: 0 for k in keys}
    order: list[str] = []
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    for start in [report.root, *keys]:
        if start not in children or start in state:
            continue
        stack = [(start, iter(children[start]))]
        state[start] = 1
        while stack:
            key, pending = stack[-1]
            child = next(pending, None)
            if child is None:
                state[key] = 2
                order.append(key)
                stack.pop()
            elif child not in state:
                state[child] = 1
                stack.append((child, iter(children[child])))
        # cycle edges (to a node still on the path) are skipped by the topological order below
    position = {k: i for i, k in enumerate(reversed(order))}  # topological: root first
    for key in reversed(order):
        for child in children[key]:
            if position[child] > position[key]:
                layer[child] = max(layer[child], min(layer[key] + 1, len(keys)))
    return layer


def _order_columns(
    columns: dict[int, list[str]], neighbours: dict[str, set[str]], sweeps: int = 4
) -> None:
    """Reorder each column by the mean row of its boxes' neighbours in the column beside it
    (the barycentre heuristic), sweeping both ways: it removes most crossings of a supply
    chain's fan-in at linear cost, where an exact minimum is NP-hard."""
    keys = sorted(columns)
    for sweep in range(sweeps):
        for column in keys if sweep % 2 == 0 else reversed(keys):
            side = column - 1 if sweep % 2 == 0 else column + 1
            if side not in columns:
                continue
            row = {k: i for i, k in enumerate(columns[side])}
            current = {k: i for i, k in enumerate(columns[column])}

            def centre(
                key: str, row: dict[str, int] = row, current: dict[str, int] = current
            ) -> float:
                near = [row[n] for n in neighbours.get(key, ()) if n in row]
                return sum(near) / len(near) if near else float(current[key])

            columns[column].sort(key=centre)


def layout(report: GraphReport) -> dict[str, Any]:
    """Boxes in columns by distance from the product (sources left, the product right), each
    column ordered to keep arrows from crossing, and the edges between."""
    facts = node_facts(report)
    nodes = list(report.nodes.values())
    outcomes = report.node_outcomes()
    missing = sorted({e.target for e in report.edges if e.target not in report.nodes})
    keys = [n.key for n in nodes] + missing
    depth_of = _layers(report, keys)
    max_depth = max(depth_of.values(), default=0)
    columns: dict[int, list[str]] = {}
    for key in keys:
        columns.setdefault(max_depth - depth_of[key], []).append(key)
    neighbours: dict[str, set[str]] = {}
    for edge in report.edges:
        neighbours.setdefault(edge.source, set()).add(edge.target)
        neighbours.setdefault(edge.target, set()).add(edge.source)
    _order_columns(columns, neighbours)
    pos: dict[str, tuple[int, int]] = {}
    for column, column_keys in columns.items():
        for row, key in enumerate(column_keys):
            pos[key] = (MARGIN + column * COL_STRIDE, MARGIN + row * ROW_STRIDE)
    views = []
    for index, node in enumerate(nodes):
        x, y = pos[node.key]
        outcome = outcomes[node.key]
        name = str((node.document or {}).get("name") or node.key)
        views.append(
            {
                "anchor": f"node-{index}",
                "key": node.key,
                "x": x,
                "y": y,
                "outcome": outcome,
                "icon": ICONS.get(outcome, "?"),
                "word": OUTCOME_WORDS.get(outcome, outcome),
                "kind": kind_of(node.types),
                "name": name,
                "short": name if len(name) <= 34 else name[:33] + "…",
                "issuer": node.issuer,
                "issuer_name": node.issuer_name or node.issuer or "unknown issuer",
                "issuer_short": (node.issuer_name or node.issuer or "unknown issuer")[:36],
                "facts": facts.get(node.key, {}),
                "problems": [
                    c.problem.to_dict() | {"id": c.id}
                    for c in node.report.checks
                    if c.problem is not None and c.outcome.value in ("failed", "indeterminate")
                ],
                "document": _raw(node.document) if node.document is not None else None,
                "served": node.served if isinstance(node.served, str) else None,
            }
        )
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for edge in report.edges:
        pair = (edge.source, edge.target)
        item = merged.setdefault(
            pair,
            {
                "from": edge.source,
                "to": edge.target,
                "digest": "passed",
                "quantity": None,
                "name": edge.link.get("linkName"),
            },
        )
        if _EDGE_RANK.get(edge.digest, 0) > _EDGE_RANK.get(item["digest"], 0):
            item["digest"] = edge.digest
        item["quantity"] = item["quantity"] or quantity_text(edge.quantity)
    edges = []
    for item in merged.values():
        (sx, sy), (tx, ty) = pos[item["from"]], pos[item["to"]]
        # material flows from the linked (upstream) credential to the one that links to it
        x1, y1 = tx + NODE_W, ty + NODE_H // 2
        x2, y2 = sx, sy + NODE_H // 2
        bend = max(60, abs(x2 - x1) // 2)
        item |= {
            "path": f"M{x1},{y1} C{x1 + bend},{y1} {x2 - bend},{y2} {x2},{y2}",
            "lx": (x1 + x2) // 2,
            "ly": (y1 + y2) // 2 - 4,
            "broken": item["digest"] in BROKEN,
        }
        edges.append(item)
    edges.sort(key=lambda e: e["broken"])  # broken links drawn last, on top
    width = MARGIN * 2 + (max(columns, default=0) + 1) * COL_STRIDE - (COL_STRIDE - NODE_W)
    rows = max((len(k) for k in columns.values()), default=1)
    height = MARGIN * 2 + rows * ROW_STRIDE - (ROW_STRIDE - NODE_H)
    ghosts = [{"key": k, "x": pos[k][0], "y": pos[k][1]} for k in missing]
    return {
        "nodes": views,
        "edges": edges,
        "missing": ghosts,
        "width": width,
        "height": height,
        "node_w": NODE_W,
        "node_h": NODE_H,
    }


def _ids(report: GraphReport, outcome: Outcome) -> set[str]:
    return {c.id for c in report.errors if c.outcome is outcome}


def page_model(report: GraphReport, url: str | None = None) -> dict[str, Any]:
    """Everything ``result.html`` shows; ``url``: the address the buyer gave, if the input was
    one (a link to verify again then carries it)."""
    root = report.nodes.get(report.root)
    graph = layout(report)
    verdict = verdict_of(report)
    return {
        "verified": report.verified,
        # "could not check" (nothing failed, something was out of reach) is not "forged"
        "state": "passed" if verdict is Verdict.VERIFIED else verdict.value,
        # machine-readable, as the API and the CLI report them (data-* of the verdict)
        "failed_checks": " ".join(sorted(_ids(report, Outcome.FAILED))),
        "indeterminate_checks": " ".join(sorted(_ids(report, Outcome.INDETERMINATE))),
        "reasons": reasons(report),
        "summary": summary(report, url),
        "root": root,
        "root_name": (root.document or {}).get("name") if root else report.root,
        "root_issuer": (root.issuer_name or root.issuer) if root else None,
        "root_issuer_did": root.issuer if root else None,
        "trust": trust_chains(report),
        "claims": claims(report),
        "graph": graph,
        "anchors": list(report.trust_anchors),
        "at": report.at.isoformat().replace("+00:00", "Z"),
        "counts": {
            "credentials": len(report.nodes),
            "failed": sum(1 for n in graph["nodes"] if n["outcome"] != "passed"),
            "broken": sum(1 for e in graph["edges"] if e["broken"]),
        },
    }
