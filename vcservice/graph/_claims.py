"""Claims: does an attestation in the graph back each claim, with the same value?

* A passport's ``performanceClaim`` is backed (``claims.unattested`` otherwise) as UNTP
  confirms a claim, by criterion id: each criterion the claim references
  (``referenceCriteria``) is the criterion (``assessmentCriteria``) of a conformity assessment,
  with ``conformance`` true and the claim's conformity topic, in one of the claim's
  ``evidence`` credentials. On top of what UNTP asks, that credential must be the kind of
  attestation the claim's ``propertyKind`` needs (carbonFootprint ↔ a
  ProductCarbonFootprintAttestation, recycledContent ↔ a RecycledContentAttestation,
  responsibleSourcing ↔ a ChainOfCustodyCertificate) and must have verified. The assessment's
  ``assessedProduct`` is the passport's product; under mass balance a footprint or recycled
  content may be attested for a product upstream of it (the credits flowed to it through make
  events), so for those the assessed product must be in the passport product's lineage. A
  chain-of-custody claim is backed by a certificate that assesses the product itself and whose
  ``certifiedFacility`` includes the facility that produced it, under the same
  chain-of-custody model. (Whether the certifier is accredited is the ``trust.*`` checks'.)
* Values (``claims.mismatch``): the claimed measure equals the attested one within the
  claim's declared tolerance (``upperTolerance``/``lowerTolerance``, absolute; none declared →
  ``DEFAULT_RELATIVE_TOLERANCE``, for figures declared to a few significant digits). A
  recycled-content claim naming a ``material`` (recycled cobalt) is compared with the attested
  recycledContent entry of that material; one naming none, with the first entry. Credits
  (``certifiedProperty``) are claims too: their ``pcfExcludingBiogenicUptake`` must equal the
  footprint attested by their ``attestedBy`` credential, and they must be attested by the
  right kind of attestation (``claims.unattested``).
* Recycled-content attestations must add up (``claims.mismatch``): pre-consumer plus
  post-consumer fractions equal the recycled fraction.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vcservice import checks
from vcservice.credits import Credit, Debit
from vcservice.graph._index import (
    ATTESTATION_FOR,
    COC,
    DPP,
    PCF,
    RECYCLED,
    GraphIndex,
    all_recycled,
    assessments,
    attestation_types,
    footprint_of,
)
from vcservice.graph._model import Node, as_list, ids_of, number, string
from vcservice.report import Outcome

DEFAULT_RELATIVE_TOLERANCE = 0.005


def close(claimed: float, attested: float, measure: Mapping[str, Any] | None = None) -> bool:
    upper = number(measure.get("upperTolerance")) if measure else None
    lower = number(measure.get("lowerTolerance")) if measure else None
    if upper is not None or lower is not None:
        return attested - (upper or 0.0) <= claimed <= attested + (lower or 0.0) or (
            claimed - (lower or 0.0) <= attested <= claimed + (upper or 0.0)
        )
    slack = max(abs(attested), abs(claimed)) * DEFAULT_RELATIVE_TOLERANCE
    return abs(claimed - attested) <= max(slack, 1e-9)


def _claimed(claim: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    out = []
    for performance in as_list(claim.get("claimedPerformance")):
        measure = performance.get("measure") if isinstance(performance, Mapping) else None
        if isinstance(measure, Mapping) and number(measure.get("value")) is not None:
            out.append(measure)
    return out


#: One assessment that attests a claim's criterion, and the credential it is in.
Attesting = tuple[Node, Mapping[str, Any]]


def _assessed(assessment: Mapping[str, Any]) -> set[str]:
    entries = as_list(assessment.get("assessedProduct"))
    return ids_of([e.get("product") for e in entries if isinstance(e, Mapping)])


def _can_back(passport: dict[str, Any], claim: Mapping[str, Any], evidence: Node) -> str | None:
    """None if ``evidence`` is the kind of credential that can back ``claim``; else why not."""
    kind = string(claim.get("propertyKind"))
    wanted = ATTESTATION_FOR.get(kind or "")
    types = attestation_types(evidence)
    if wanted is None or wanted not in types:
        kinds = ", ".join(sorted(types)) or "untyped"
        return f"{evidence.key} is not a {wanted or 'matching attestation'} (it is {kinds})"
    if not evidence.usable:
        return f"{evidence.key} did not verify"
    if wanted == COC:
        facilities = set()
        for subject in evidence.subjects():
            facilities |= ids_of(subject.get("certifiedFacility"))
        site = ids_of([passport.get("producedAtFacility")])
        if not site & facilities:
            return f"the product was not produced at a facility {evidence.key} certifies"
        models = {string(s.get("chainOfCustodyModel")) for s in evidence.subjects()} - {None}
        if string(claim.get("chainOfCustodyModel")) not in models:
            return f"the claim's chain-of-custody model is not the one {evidence.key} certifies"
    return None


def _attesting(
    claim: Mapping[str, Any], criterion: str, evidence: list[Node], products: list[str]
) -> tuple[list[Attesting], str | None]:
    """The assessments in ``evidence`` that attest ``criterion`` for one of ``products``,
    conformant, under the claim's topic; if none, why not (the nearest miss)."""
    topics = ids_of(claim.get("conformityTopic"))
    found: list[Attesting] = []
    why = f"no evidence assesses criterion {criterion}"
    for node in evidence:
        for assessment in assessments(node):
            if criterion not in ids_of(assessment.get("assessmentCriteria")):
                continue
            if assessment.get("conformance") is not True:
                why = f"{node.key} does not find conformance with criterion {criterion}"
            elif topics and not topics & ids_of(assessment.get("conformityTopic")):
                why = f"{node.key} assesses criterion {criterion} under another conformity topic"
            elif not _assessed(assessment) & set(products):
                why = (
                    f"{node.key} assesses criterion {criterion} for no product this passport's "
                    "product is (or, under mass balance, was made from)"
                )
            else:
                found.append((node, assessment))
    return found, None if found else why


def _backing(
    index: GraphIndex, passport: dict[str, Any], claim: Mapping[str, Any], evidence: list[Node]
) -> tuple[list[Attesting], str]:
    """The assessments that back ``claim`` (one or more per criterion), or [] and why not."""
    reasons = {e.key: _can_back(passport, claim, e) for e in evidence}
    eligible = [e for e in evidence if reasons[e.key] is None]
    if not eligible:
        return [], "; ".join(r for r in reasons.values() if r) or "no evidence link reached"
    criteria = sorted(ids_of(claim.get("referenceCriteria")))
    if not criteria:
        return [], "the claim references no criterion (referenceCriteria)"
    product = passport.get("id")
    if not isinstance(product, str):
        return [], "the passport's product has no id"
    coc = ATTESTATION_FOR.get(str(claim.get("propertyKind"))) == COC
    products = [product] if coc else index.lineage(product)
    backing: list[Attesting] = []
    for criterion in criteria:
        found, why = _attesting(claim, criterion, eligible, products)
        if why is not None:
            return [], why
        backing.extend(found)
    return backing, ""


def _attested_value(
    kind: str, backing: list[Attesting], lineage: list[str], material: str | None = None
) -> Attesting | None:
    """The backing assessment of the nearest product of ``lineage``, if it attests a value
    (of ``material``, when the claim names one)."""
    for product in lineage:
        for node, assessment in backing:
            if product in _assessed(assessment) and _value(kind, assessment, material) is not None:
                return node, assessment
    return None


def material_code(value: Any) -> str | None:
    """The ``code`` of a ``material`` classification, or None."""
    code = value.get("code") if isinstance(value, Mapping) else None
    return code if isinstance(code, str) and code else None


def _value(kind: str, assessment: Mapping[str, Any], material: str | None = None) -> float | None:
    """The attested value of ``kind``: for recycled content, that of the first entry of
    ``material`` (of any material when None)."""
    if kind == "carbonFootprint":
        footprint = assessment.get("carbonFootprint")
        if isinstance(footprint, Mapping):
            return number(footprint.get("pcfExcludingBiogenicUptake"))
    if kind == "recycledContent":
        for content in as_list(assessment.get("recycledContent")):
            if not isinstance(content, Mapping):
                continue
            if material is not None and material_code(content.get("material")) != material:
                continue
            value = number(content.get("recycledFraction"))
            if value is not None:
                return value
    return None


def _check_passport(index: GraphIndex, node: Node) -> None:
    report = index.report
    for s_index, passport in enumerate(node.subjects()):
        base = (
            "/credentialSubject"
            if isinstance((node.document or {}).get("credentialSubject"), Mapping)
            else f"/credentialSubject/{s_index}"
        )
        product = passport.get("id")
        lineage = index.lineage(product) if isinstance(product, str) else []
        for c_index, claim in enumerate(as_list(passport.get("performanceClaim"))):
            if not isinstance(claim, Mapping):
                continue
            where = f"{node.key}#{base}/performanceClaim/{c_index}"
            pointer = f"{base}/performanceClaim/{c_index}/evidence"
            evidence = index.targets(node, claim.get("evidence"), pointer)
            backing, why = _backing(index, passport, claim, evidence)
            name = claim.get("name", claim.get("id", f"claim {c_index}"))
            if not backing:
                report.checks.record(
                    checks.CLAIMS_UNATTESTED,
                    Outcome.FAILED,
                    "Claim not attested",
                    f"{name!s}: {why}",
                    path=where,
                )
                continue
            report.checks.record(checks.CLAIMS_UNATTESTED, Outcome.PASSED, path=where)
            kind = str(claim.get("propertyKind"))
            material = material_code(claim.get("material"))
            nearest = _attested_value(kind, backing, lineage, material)
            for measure in _claimed(claim):
                claimed = number(measure.get("value"))
                if nearest is None or claimed is None:
                    continue
                attested = _value(kind, nearest[1], material)
                assert attested is not None
                if close(claimed, attested, measure):
                    report.checks.record(checks.CLAIMS_MISMATCH, Outcome.PASSED, path=where)
                else:
                    report.checks.record(
                        checks.CLAIMS_MISMATCH,
                        Outcome.FAILED,
                        "Claimed value differs from the attested one",
                        f"{name!s}: claimed {claimed:g}, attested {attested:g} by {nearest[0].key}",
                        path=where,
                    )


def _check_credit(index: GraphIndex, node: Node, item: Credit | Debit) -> None:
    report = index.report
    where = f"{node.key}#{item.pointer}"
    wanted = ATTESTATION_FOR.get(item.kind)
    attesting = [
        t for t in (index.target(node, link.pointer) for link in item.attested_by) if t and t.usable
    ]
    if not attesting:
        if any((node.key, link.pointer) in index.edges for link in item.attested_by):
            return  # a followed attestedBy link that failed is already reported by the walk
        report.checks.record(
            checks.CLAIMS_UNATTESTED,
            Outcome.FAILED,
            "Credit not attested",
            f"the {item.kind} credit names no attestation the graph could follow (attestedBy "
            "must link a credential, with its digest)",
            path=where,
        )
        return
    if wanted is not None and not any(wanted in attestation_types(t) for t in attesting):
        report.checks.record(
            checks.CLAIMS_UNATTESTED,
            Outcome.FAILED,
            "Credit not attested",
            f"the {item.kind} credit is attested by {', '.join(t.key for t in attesting)}, "
            f"none of which is a {wanted}",
            path=where,
        )
        return
    if item.kind == "carbonFootprint" and item.pcf is not None:
        for attestation in (t for t in attesting if PCF in attestation_types(t)):
            found = footprint_of(attestation, index.lineage(item.product) if item.product else None)
            if found is not None and not close(item.pcf, found[0]):
                report.checks.record(
                    checks.CLAIMS_MISMATCH,
                    Outcome.FAILED,
                    "Credit footprint differs from the attested one",
                    f"the credit carries {item.pcf:g} kg CO2e/kg; {attestation.key} attests "
                    f"{found[0]:g}",
                    path=where,
                )


def _check_recycled_sums(index: GraphIndex, node: Node) -> None:
    for content in all_recycled(node):
        total = number(content.get("recycledFraction"))
        pre, post = (
            number(content.get("preConsumerFraction")),
            number(content.get("postConsumerFraction")),
        )
        if total is None or pre is None or post is None:
            continue
        if not close(pre + post, total):
            index.report.checks.record(
                checks.CLAIMS_MISMATCH,
                Outcome.FAILED,
                "Recycled-content fractions do not add up",
                f"pre-consumer {pre:g} + post-consumer {post:g} ≠ recycled {total:g}",
                path=node.key,
            )


def check_claims(index: GraphIndex) -> None:
    for node in index.report.nodes.values():
        if node.document is None or not node.usable:
            continue
        if DPP in node.types:
            _check_passport(index, node)
        flows = index.flows.get(node.key)
        if flows is not None:
            items: list[Credit | Debit] = [*flows.credits, *flows.debits]
            for item in items:
                _check_credit(index, node, item)
        if RECYCLED in attestation_types(node):
            _check_recycled_sums(index, node)
