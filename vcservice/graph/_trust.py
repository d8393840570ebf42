"""Trust: is each certifier accredited, by someone the buyer trusts, for what it attested?

An attestation (a DigitalConformityCredential) counts only if its issuer is the subject of an
accreditation (a DigitalIdentityAnchor in the graph, valid on its own) whose issuer is one of
the verifier's trust anchors, or is itself accredited that way (a chain, at most
``MAX_CHAIN`` long: an international body accrediting a national one). Three distinct
failures, because a buyer acts differently on each:

* ``trust.unanchored``: no accreditation path from the certifier to a trust anchor at all;
* ``trust.scope``: accredited, but not for this scheme, commodity or country. Commodities are
  the CoC certificate's ``materialScope`` and the assessed products' ``productCategory``,
  compared by (schemeId, code); countries are the footprint's ``geographyCountry``, the
  products' ``countryOfProduction`` and the certified facilities' ``countryOfOperation``. An
  attestation that names no commodity or no country cannot be shown to be in scope, so it fails;
* ``trust.expired``: in scope, but the accreditation's ``validityPeriod`` does not cover the
  day the attestation was issued (its ``validFrom``). What matters is the accreditation *when
  the certifier attested*; a later lapse does not undo a sound attestation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from vcservice import checks
from vcservice.graph._index import COC, DCC, DIA, GraphIndex, assessments
from vcservice.graph._model import Node, as_list, classification_keys, ids_of, string
from vcservice.model import parse_datetime_stamp
from vcservice.report import Outcome

MAX_CHAIN = 4


@dataclass(frozen=True)
class Accreditation:
    node: Node
    subject: dict[str, Any]


def _accreditations(index: GraphIndex) -> dict[str, list[Accreditation]]:
    """Valid accreditation credentials by the DID they accredit."""
    out: dict[str, list[Accreditation]] = {}
    for node in index.nodes_of_type(DIA):
        if not node.usable:
            continue
        for subject in node.subjects():
            if "Accreditation" in as_list(subject.get("type")) and isinstance(
                subject.get("id"), str
            ):
                out.setdefault(subject["id"], []).append(Accreditation(node, subject))
    return out


def _day(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _period_covers(period: Any, day: date) -> bool:
    if not isinstance(period, Mapping):
        return False
    start, end = _day(period.get("startDate")), _day(period.get("endDate"))
    return start is not None and end is not None and start <= day <= end


def _attested_day(node: Node) -> date | None:
    stamp = parse_datetime_stamp((node.document or {}).get("validFrom"))
    return stamp.date() if stamp is not None else None


def _scope(subject: dict[str, Any]) -> tuple[set[str], set[tuple[str, str]], set[str]]:
    """(schemes, commodities, countries) an attestation subject needs to be accredited for."""
    schemes = ids_of([subject.get("referenceScheme")])
    commodities = classification_keys(subject.get("materialScope"))
    countries: set[str] = set()
    for facility in as_list(subject.get("certifiedFacility")):
        if isinstance(facility, Mapping):
            countries |= _country(facility.get("countryOfOperation"))
    return schemes, commodities, countries


def _country(value: Any) -> set[str]:
    code = value.get("countryCode") if isinstance(value, Mapping) else value
    return {code} if isinstance(code, str) else set()


def _needs(node: Node) -> tuple[set[str], set[tuple[str, str]], set[str]]:
    schemes: set[str] = set()
    commodities: set[tuple[str, str]] = set()
    countries: set[str] = set()
    for subject in node.subjects():
        s, c, k = _scope(subject)
        schemes, commodities, countries = schemes | s, commodities | c, countries | k
    for assessment in assessments(node):
        footprint = assessment.get("carbonFootprint")
        if isinstance(footprint, Mapping):
            countries |= _country(footprint.get("geographyCountry"))
        for entry in as_list(assessment.get("assessedProduct")):
            product = entry.get("product") if isinstance(entry, Mapping) else None
            if isinstance(product, Mapping):
                commodities |= classification_keys(product.get("productCategory"))
                countries |= _country(product.get("countryOfProduction"))
    return schemes, commodities, countries


def _scope_gaps(node: Node, accreditation: dict[str, Any]) -> list[str]:
    schemes, commodities, countries = _needs(node)
    gaps = []
    missing = schemes - ids_of(accreditation.get("accreditedScheme"))
    if not schemes:
        gaps.append("the attestation names no conformity scheme (referenceScheme)")
    elif missing:
        gaps.append(f"scheme {', '.join(sorted(missing))} is not accredited")
    if not commodities:
        gaps.append("the attestation names no commodity (materialScope or productCategory)")
    elif missing_c := commodities - classification_keys(accreditation.get("accreditedCommodity")):
        codes = ", ".join(f"{code} ({scheme})" for scheme, code in sorted(missing_c))
        gaps.append(f"commodity {codes} is not in the accredited commodities")
    accredited = {c for c in as_list(accreditation.get("accreditedCountry")) if isinstance(c, str)}
    if not countries:
        gaps.append("the attestation names no country")
    elif missing_k := countries - accredited:
        gaps.append(f"country {', '.join(sorted(missing_k))} is not in the accredited countries")
    return gaps


class _Anchoring:
    """Whether a DID is a trust anchor or accredited (transitively) by one, with the path."""

    def __init__(self, anchors: tuple[str, ...], accreditations: dict[str, list[Accreditation]]):
        self.anchors = set(anchors)
        self.accreditations = accreditations
        self._memo: dict[tuple[str, date | None, int], list[str] | None] = {}

    def path(self, did: str, on: date | None, depth: int = 0) -> list[str] | None:
        """Memoised: bodies accrediting each other must not make the search exponential."""
        key = (did, on, depth)
        if key not in self._memo:
            self._memo[key] = None  # a cycle back to this state finds nothing
            self._memo[key] = self._path(did, on, depth)
        return self._memo[key]

    def _path(self, did: str, on: date | None, depth: int) -> list[str] | None:
        if did in self.anchors:
            return [did]
        if depth >= MAX_CHAIN:
            return None
        for accreditation in self.accreditations.get(did, []):
            issuer = accreditation.node.issuer
            if issuer is None or issuer == did:
                continue
            if on is not None and not _period_covers(
                accreditation.subject.get("validityPeriod"), on
            ):
                continue
            upper = self.path(issuer, _attested_day(accreditation.node), depth + 1)
            if upper is not None:
                return [did, *upper]
        return None


def check_trust(index: GraphIndex) -> None:
    report = index.report
    accreditations = _accreditations(index)
    anchoring = _Anchoring(report.trust_anchors, accreditations)
    for node in index.nodes_of_type(DCC):
        issuer = node.issuer
        if issuer is None or node.document is None or not node.reached:
            continue
        day = _attested_day(node)
        entry: dict[str, Any] = {"attestation": node.key, "issuer": issuer, "outcome": "failed"}
        report.trust.append(entry)
        anchored = []
        for accreditation in accreditations.get(issuer, []):
            by = accreditation.node.issuer
            path = anchoring.path(by, _attested_day(accreditation.node)) if by else None
            if path is not None:
                anchored.append((accreditation, [issuer, *path]))
        if not anchored and not report.trust_anchors:
            # No anchor chosen says nothing against the chain, only that the buyer named no
            # accreditation body yet: every surface that allows it reads "could not check".
            report.checks.record(
                checks.TRUST_UNANCHORED,
                Outcome.INDETERMINATE,
                "No trust anchor chosen",
                "no accreditation body was chosen as trusted, so whether the certifiers are "
                "accredited by one you trust could not be checked",
                path=node.key,
            )
            entry |= {"outcome": "indeterminate", "problem": checks.TRUST_UNANCHORED}
            continue
        if not anchored:
            found = accreditations.get(issuer, [])
            bodies = ", ".join(sorted({a.node.issuer or "?" for a in found}))
            detail = (
                f"{issuer} is accredited only by {bodies}, "
                "none of which is a trust anchor or accredited by one"
                if found
                else f"no valid accreditation of {issuer} is in the graph (linked from the "
                "attestation's authorisation)"
            )
            report.checks.record(
                checks.TRUST_UNANCHORED,
                Outcome.FAILED,
                "Certifier not anchored",
                detail,
                path=node.key,
            )
            entry["problem"] = checks.TRUST_UNANCHORED
            continue
        report.checks.record(checks.TRUST_UNANCHORED, Outcome.PASSED, path=node.key)
        entry.update({"accreditation": anchored[0][0].node.key, "anchorPath": anchored[0][1]})
        scoped = [(a, p, _scope_gaps(node, a.subject)) for a, p in anchored]
        in_scope = [(a, p) for a, p, gaps in scoped if not gaps]
        if not in_scope:
            accreditation, _, gaps = scoped[0]
            report.checks.record(
                checks.TRUST_SCOPE,
                Outcome.FAILED,
                "Certifier not accredited for this",
                f"the accreditation {accreditation.node.key} of {issuer}: {'; '.join(gaps)}",
                path=node.key,
            )
            entry["problem"] = checks.TRUST_SCOPE
            continue
        report.checks.record(checks.TRUST_SCOPE, Outcome.PASSED, path=node.key)
        current = [
            (a, p)
            for a, p in in_scope
            if day is not None and _period_covers(a.subject.get("validityPeriod"), day)
        ]
        chosen, path = (current or in_scope)[0]
        entry.update({"accreditation": chosen.node.key, "anchorPath": path})
        if not current:
            period = chosen.subject.get("validityPeriod")
            span = (
                f"{period.get('startDate')} to {period.get('endDate')}"
                if isinstance(period, Mapping)
                else "no validityPeriod"
            )
            report.checks.record(
                checks.TRUST_EXPIRED,
                Outcome.FAILED,
                "Accreditation not valid when attesting",
                f"{issuer} attested on {day} but its accreditation {chosen.node.key} runs {span}",
                path=node.key,
            )
            entry["problem"] = checks.TRUST_EXPIRED
            continue
        report.checks.record(checks.TRUST_EXPIRED, Outcome.PASSED, path=node.key)
        entry["outcome"] = "passed"
        entry["anchor"] = path[-1]
        entry["scheme"] = sorted(ids_of([s.get("referenceScheme") for s in node.subjects()]))
        entry["chainOfCustody"] = COC in {
            t for s in node.subjects() for t in as_list(s.get("type")) if isinstance(t, str)
        }
        entry["issuerName"] = string(node.issuer_name)
