"""UNTP tier 3, claim confirmation by criterion id, ported to UNTP 0.7.0 property names.

The tier 3 of the UNTP test suite (tests-untp, ``untp-test-suite-mocha``: the N3 rule
``10-infer-product-claim-criteria-verified.n3``, ``20-infer-product-claim-verified.n3`` and
``getUnattestedIssuersForProduct``) knows UNTP 0.6 names. Its logic, in 0.7.0 names:

* a passport (``DigitalProductPassport``) makes claims: its product (``credentialSubject``)
  has ``performanceClaim``s, each referencing criteria (``referenceCriteria``, at least one)
  under a conformity topic;
* a criterion of a claim is *verified* by a conformity credential
  (``DigitalConformityCredential``) in the set of credentials when one of its
  ``conformityAssessment``s has that criterion among its ``assessmentCriteria`` (same id), the
  claim's ``conformityTopic``, ``conformance`` true, and assesses the passport's product
  (``assessedProduct[].product.id``; 0.7.0 also has ``assessedFacility``, matched against the
  product's ``producedAtFacility``);
* the conformity credential's issuer must be trusted: a trusted DID, or the subject of a
  ``DigitalIdentityAnchor`` whose issuer is trusted (transitively);
* a claim is *confirmed* when every one of its criteria is verified.

One extension, for mass balance: a claim declaring ``chainOfCustodyModel: massBalance`` may be
confirmed by an assessment of a product upstream of the passport's product (through the make
events in the set), but only by a conformity credential the claim cites as ``evidence``
(credits, not lineage, carry a property under mass balance; the claim says which credits).
Each result says how it was confirmed. Like tests-untp, this reads the credentials' JSON: it
does not verify signatures, status or links (the graph verifier does).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

DPP = "DigitalProductPassport"
DCC = "DigitalConformityCredential"
DIA = "DigitalIdentityAnchor"
DTE = "DigitalTraceabilityEvent"
#: How a criterion was matched, strongest first.
BY_PRODUCT, BY_FACILITY, BY_MASS_BALANCE = "product", "facility", "mass balance"
MAX_CHAIN = 4


def _list(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    return [] if value is None else [value]


def _ids(values: Any) -> set[str]:
    return {
        v["id"] for v in _list(values) if isinstance(v, Mapping) and isinstance(v.get("id"), str)
    }


def _types(document: Mapping[str, Any]) -> set[str]:
    return {t for t in _list(document.get("type")) if isinstance(t, str)}


def _subjects(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [s for s in _list(document.get("credentialSubject")) if isinstance(s, Mapping)]


def _issuer(document: Mapping[str, Any]) -> str | None:
    issuer = document.get("issuer")
    if isinstance(issuer, Mapping):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None


def _entries(values: Any, key: str) -> set[str]:
    return _ids([e.get(key) for e in _list(values) if isinstance(e, Mapping)])


@dataclass(frozen=True)
class Verification:
    """One criterion of a claim verified by one assessment of one conformity credential."""

    criterion: str
    credential: str
    assessment: str
    how: str


@dataclass
class ClaimResult:
    passport: str
    product: str
    claim: str
    name: str
    criteria: list[str]
    verified: dict[str, list[Verification]] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)

    @property
    def confirmed(self) -> bool:
        return bool(self.criteria) and all(self.verified.get(c) for c in self.criteria)

    @property
    def how(self) -> str:
        """The weakest match any criterion needed ("" when not confirmed)."""
        if not self.confirmed:
            return ""
        order = [BY_PRODUCT, BY_FACILITY, BY_MASS_BALANCE]
        return max((min((v.how for v in self.verified[c]), key=order.index)
                    for c in self.criteria), key=order.index)  # fmt: skip

    def why(self) -> str:
        if not self.criteria:
            return "the claim references no criterion"
        return "; ".join(self.reasons.get(c, f"criterion {c} not verified")
                         for c in self.criteria if not self.verified.get(c))  # fmt: skip


def trusted_issuers(documents: Mapping[str, Mapping[str, Any]], trusted: Iterable[str]) -> set[str]:
    """The trusted DIDs and every DID a DIA issued by a trusted DID (transitively) anchors."""
    out = set(trusted)
    anchors = [(_issuer(d), _ids(_subjects(d))) for d in documents.values() if DIA in _types(d)]
    for _ in range(MAX_CHAIN):
        more = {s for issuer, subjects in anchors if issuer in out for s in subjects} - out
        if not more:
            break
        out |= more
    return out


def _upstream(documents: Mapping[str, Mapping[str, Any]]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for document in documents.values():
        if DTE not in _types(document):
            continue
        for event in _subjects(document):
            if "MakeEvent" not in _types(event):
                continue
            inputs = _entries(event.get("inputProduct"), "product")
            for output in _entries(event.get("outputProduct"), "product"):
                out.setdefault(output, set()).update(inputs)
    return out


def _lineage(product: str, upstream: Mapping[str, set[str]]) -> set[str]:
    seen, todo = {product}, [product]
    while todo:
        for parent in upstream.get(todo.pop(), ()):
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return seen - {product}


def confirm_claims(
    documents: Mapping[str, Mapping[str, Any]], trusted: Iterable[str]
) -> list[ClaimResult]:
    """Every claim of every passport in ``documents`` (key → credential JSON; a key is what
    ``evidence`` links name as ``linkURL``), confirmed or not, in document order."""
    issuers = trusted_issuers(documents, trusted)
    upstream = _upstream(documents)
    dccs = [(k, d) for k, d in documents.items() if DCC in _types(d)]
    results = []
    for key, document in documents.items():
        if DPP not in _types(document):
            continue
        for product in _subjects(document):
            product_id = product.get("id")
            if not isinstance(product_id, str):
                continue
            sites = _ids([product.get("producedAtFacility")])
            for claim in _list(product.get("performanceClaim")):
                if isinstance(claim, Mapping):
                    results.append(_confirm(key, product_id, sites, claim, dccs, issuers, upstream))
    return results


def _confirm(
    key: str,
    product: str,
    sites: set[str],
    claim: Mapping[str, Any],
    dccs: list[tuple[str, Mapping[str, Any]]],
    issuers: set[str],
    upstream: Mapping[str, set[str]],
) -> ClaimResult:
    criteria = sorted(_ids(claim.get("referenceCriteria")))
    result = ClaimResult(
        passport=key,
        product=product,
        claim=str(claim.get("id", "")),
        name=str(claim.get("name", claim.get("id", ""))),
        criteria=criteria,
    )
    topics = _ids(claim.get("conformityTopic"))
    evidence = {e.get("linkURL") for e in _list(claim.get("evidence")) if isinstance(e, Mapping)}
    mass_balance = claim.get("chainOfCustodyModel") == "massBalance"
    upstream_products = _lineage(product, upstream) if mass_balance else set()
    for criterion in criteria:
        why = f"no conformity credential assesses criterion {criterion}"
        for dcc_key, dcc in dccs:
            for subject in _subjects(dcc):
                for assessment in _list(subject.get("conformityAssessment")):
                    if not isinstance(assessment, Mapping):
                        continue
                    if criterion not in _ids(assessment.get("assessmentCriteria")):
                        continue
                    assessed = _entries(assessment.get("assessedProduct"), "product")
                    facilities = _entries(assessment.get("assessedFacility"), "facility")
                    cited = dcc_key in evidence or dcc.get("id") in evidence
                    if product in assessed:
                        how = BY_PRODUCT
                    elif sites & facilities:
                        how = BY_FACILITY
                    elif cited and assessed & upstream_products:
                        how = BY_MASS_BALANCE
                    else:
                        why = f"{dcc_key} assesses criterion {criterion} for another product"
                        continue
                    if assessment.get("conformance") is not True:
                        why = f"{dcc_key} finds no conformance with criterion {criterion}"
                    elif topics and not topics & _ids(assessment.get("conformityTopic")):
                        why = f"{dcc_key} assesses criterion {criterion} under another topic"
                    elif _issuer(dcc) not in issuers:
                        why = f"{dcc_key} is issued by {_issuer(dcc)}, whom nothing trusted anchors"
                    else:
                        found = Verification(criterion, dcc_key, str(assessment.get("id")), how)
                        result.verified.setdefault(criterion, []).append(found)
        if not result.verified.get(criterion):
            result.reasons[criterion] = why
    return result
