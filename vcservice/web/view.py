"""A graph report turned into what the result page shows: verdict, summary, trust chain,
claims, and the graph (:mod:`vcservice.web.graph_view`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vcservice.graph import GraphReport
from vcservice.graph._model import as_list, number, subjects_of
from vcservice.report import Outcome, Verdict, verdict_of
from vcservice.web.graph_view import graph_model
from vcservice.web.inputs import Request as VerifyRequest
from vcservice.web.summary import ANCHOR_BODY, ANCHOR_WORDS, AnchorSource, root_passports, summary
from vcservice.web.words import (
    claimed_percent,
    custody_model,
    element,
    footprint,
    quantity,
    trust_problem,
)


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
            return quantity(item.get("mass"))
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
    if isinstance(calc, Mapping) and quantity(calc.get("creditQuantity")):
        return quantity(calc.get("creditQuantity"))
    if kind == "responsibleSourcing" and claim.get("value") is not None:
        return quantity({"value": claim["value"], "unit": claim.get("unit")})
    if kind == "carbonFootprint" or kind == "responsibleSourcing":
        masses = [m.get("mass") for m in as_list(claim["subject"].get("materialProvenance"))]
        return next((q for q in map(quantity, masses) if q), None)
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
            f"{custody_model(model)}: the {material} delivered comes only from certified "
            "sources, kept apart from uncertified material, though sources may be mixed with "
            "each other."
        )
    if model == "identityPreserved":
        return (
            f"identity preserved: the {material} delivered is the very material from the "
            "certified source, kept apart all along the chain."
        )
    return f"chain-of-custody model {model}"


def _products(report: GraphReport) -> list[dict[str, Any]]:
    return [p for p in report.products if isinstance(p, dict)]


def _names(report: GraphReport) -> dict[str, str]:
    names: dict[str, str] = {}
    for node in report.nodes.values():
        if node.issuer and node.issuer_name:
            names.setdefault(node.issuer, node.issuer_name)
    return names


def anchor_source(request: VerifyRequest, typed: str, *, linked: bool) -> AnchorSource:
    """Who chose the trust anchors ``request`` was verified with: anchors typed into the form
    are the buyer's (``you``), or on a result link its maker's (``link``); else the bundle
    named them, else they are the service's default. (None at all: "you" chose none.)"""
    if not request.anchors or typed.strip():
        return "link" if linked and typed.strip() else "you"
    return "bundle" if request.bundle.trust_anchors else "default"


def trust_chains(report: GraphReport, source: AnchorSource = "you") -> list[dict[str, Any]]:
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
            text += f" (trust anchor: {ANCHOR_WORDS[source]})"
        elif not report.trust_anchors:
            text += " — not checked: no accreditation body was chosen as trusted"
        elif outcome != "passed":
            text += " — " + trust_problem(entry.get("problem"), ANCHOR_BODY[source])
        seen[key] = {"text": text, "outcome": outcome, "attestations": 1, "dids": path}
    return list(seen.values())


def _claim_text(claim: Mapping[str, Any]) -> str:
    kind, value = claim["kind"], claim["value"]
    stated = footprint(value, claim["unit"]) if kind == "carbonFootprint" else None
    if stated is not None:
        return f"Carbon footprint: {stated}"
    if kind == "recycledContent" and value is not None:
        code = _material_words(claim)[1]
        what = f"Recycled {element(code)}" if code else "Recycled content"
        return f"{what}: {claimed_percent(value)}"
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
            computed = None
            # The roll-ups are per kg: a footprint claimed per another unit (a battery's per
            # kWh) is compared with the per-kWh roll-up instead.
            rolled = (product or {}).get("carbonFootprint") or {}
            if claim["kind"] == "carbonFootprint" and rolled.get("computed") is not None:
                per = str(claim["unit"] or "KGM").upper()
                if per == "KWH":
                    rolled = rolled.get("perKWh") or {}
                again = footprint(number(rolled.get("computed")), per) if per != "TNE" else None
                computed = f"Recomputed from the chain: {again}" if again else None
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


def _ids(report: GraphReport, outcome: Outcome) -> set[str]:
    return {c.id for c in report.errors if c.outcome is outcome}


def page_model(
    report: GraphReport, url: str | None = None, anchor_source: AnchorSource = "you"
) -> dict[str, Any]:
    """Everything ``result.html`` shows; ``url``: the address the buyer gave, if the input was
    one (a link to verify again then carries it); ``anchor_source``: who chose the trust
    anchors (:func:`anchor_source`), which the page says instead of calling them "yours"."""
    root = report.nodes.get(report.root)
    graph = graph_model(report)
    verdict = verdict_of(report)
    return {
        "verified": report.verified,
        # "could not check" (nothing failed, something was out of reach) is not "forged"
        "state": "passed" if verdict is Verdict.VERIFIED else verdict.value,
        # machine-readable, as the API and the CLI report them (data-* of the verdict)
        "failed_checks": " ".join(sorted(_ids(report, Outcome.FAILED))),
        "indeterminate_checks": " ".join(sorted(_ids(report, Outcome.INDETERMINATE))),
        "reasons": reasons(report),
        "summary": summary(report, url, anchor_source),
        "root": root,
        "root_name": (root.document or {}).get("name") if root else report.root,
        "root_issuer": (root.issuer_name or root.issuer) if root else None,
        "root_issuer_did": root.issuer if root else None,
        "trust": trust_chains(report, anchor_source),
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
