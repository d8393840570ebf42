"""The rolling-average percentage method of mass balance (``massbalance.rolling-average``).

ISO 22095-2:2026 (mass balance, published January 2026) defines, beside the **credit method**
(discrete certified quantities allocated to chosen outputs: the rest of :mod:`._balance`), the
**rolling average percentage method**: every output of a site over a period may claim at most
the certified share of the site's inputs over that period, each input converted by its
**conversion factor** (/work/shared/DOMAIN.md, "ISO 22095 chain of custody": "the claimable
share of outputs = Σ certified inputs ÷ Σ all inputs over the trailing period (each
converted)"). The UNTP Mass Balance pattern (UNTP after 0.7.0, spec page "Mass Balance",
2026-04-03) keeps the site's accounts as a Digital Facility Record's ``materialUsage`` over an
``applicablePeriod``, make events for production runs and DTEs with bizStep ``stocktake`` for
stocks, under the conservation rule ``opening stock + inbound − outbound ± transformations =
closing stock``. The material the site's inputs put into the period's production is therefore
``inputs + opening stock − closing stock``, and the share computed here is::

    Σ certified input × factor + opening certified stock × factor − closing certified stock × factor
    ─────────────────────────────────────────────────────────────────────────────────────────────────
    Σ input × factor           + opening stock × factor           − closing stock × factor

How the graph says it (extension vocabulary, ``docs/provenance-graphs.md``):

* a **claim**: a MakeEvent output's ``certifiedProperty`` with ``massBalanceMethod``
  ``rollingAveragePercentage`` (or the older ``rollingAverage``, read the same). Its claimed
  share is the larger of its ``certifiedShare`` and ``creditQuantity`` ÷ the output quantity
  (so the account it opens in the ledger, ``creditQuantity``, can never exceed the share).
* the **declaration**: the facility record of the event's ``madeAtFacility`` (a credential whose
  subject has that facility id), issued by the claim's issuer, with a ``massBalanceAccount``
  for that ``propertyKind`` on a rolling-average method, whose UNTP ``materialUsage``
  ``applicablePeriod`` contains the event date. It carries the boundary
  (``massBalanceLevel``, ``geographicBoundary``), the site's ``conversionFactor`` list, and
  ``periodRecord``, hash links to the period's events (so the walk reaches them).
* the period's **inputs**: every ``inputProduct`` of the claimant's MakeEvents at that facility
  dated within the period. An input's certified share is its ``certifiedProperty`` of the kind:
  ``certifiedShare``, else ``creditQuantity`` ÷ (quantity × factor), at most 1 (credits are on
  the mass-balance basis, i.e. converted); no property of the kind = not certified.
* the **stocks**: the claimant's stocktakes at the facility (a ``StocktakeEvent``, or a UNTP
  ModifyEvent whose ``activityType.code`` is ``stocktake``) dated on the period's start date
  (opening) and on its end date (closing); each ``modifiedProduct`` is a stock of an input
  material, read as the inputs are.
* a product's **conversion factor** is the first whose ``material`` is one of the product's
  ``productCategory`` or ``materialProvenance.materialType`` classifications, in the
  declaration's list, then in the event's; an input of an event declaring exactly one factor
  takes that one; otherwise 1 (shown as such in the report).

Outcomes: passed when the claimed share is at most the computed one (within the claims
tolerance, :func:`vcservice.graph._claims.close`); failed when it exceeds it; indeterminate
when the declaration, the opening or closing stocktake is missing (or two stocktakes of one
date disagree), a quantity is not a mass, or nothing was consumed over the period. The whole
computation is kept in the report's ``products`` (``rollingAverage`` of the output).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from vcservice import checks
from vcservice.credits import to_kg
from vcservice.graph._claims import close
from vcservice.graph._index import GraphIndex
from vcservice.graph._model import Node, as_list, classification_keys, number
from vcservice.report import Outcome

__all__ = ["ROLLING_METHODS", "RollingAverage", "claims_of", "is_rolling", "is_stocktake"]

#: ``massBalanceMethod`` values of the rolling-average percentage method.
ROLLING_METHODS = frozenset({"rollingAveragePercentage", "rollingAverage"})
STOCKTAKE = "stocktake"


def is_rolling(prop: Any) -> bool:
    """Whether a ``certifiedProperty`` is claimed under the rolling-average method."""
    return isinstance(prop, Mapping) and prop.get("massBalanceMethod") in ROLLING_METHODS


def _day(value: Any) -> date | None:
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _id(value: Any) -> str | None:
    ident = value.get("id") if isinstance(value, Mapping) else None
    return ident if isinstance(ident, str) else None


def _types(subject: Mapping[str, Any]) -> set[str]:
    return {t for t in as_list(subject.get("type")) if isinstance(t, str)}


def is_stocktake(subject: Mapping[str, Any]) -> bool:
    types = _types(subject)
    if "ClaimEvent" in types:
        return False
    activity = subject.get("activityType")
    code = activity.get("code") if isinstance(activity, Mapping) else None
    return "StocktakeEvent" in types or ("ModifyEvent" in types and code == STOCKTAKE)


def _product_keys(product: Mapping[str, Any]) -> set[tuple[str, str]]:
    keys = classification_keys(product.get("productCategory"))
    for material in as_list(product.get("materialProvenance")):
        if isinstance(material, Mapping):
            keys |= classification_keys([material.get("materialType")])
    return keys


def _factors(values: Any) -> list[tuple[set[tuple[str, str]], float]]:
    out = []
    for entry in as_list(values):
        if isinstance(entry, Mapping):
            factor = number(entry.get("factor"))
            if factor is not None and factor > 0:
                out.append((classification_keys([entry.get("material")]), factor))
    return out


def _factor(
    product: Mapping[str, Any],
    declared: list[tuple[set[tuple[str, str]], float]],
    event: list[tuple[set[tuple[str, str]], float]],
) -> tuple[float, str]:
    keys = _product_keys(product)
    for source, factors in (("declaration", declared), ("event", event)):
        for material, factor in factors:
            if material & keys:
                return factor, source
    if len(event) == 1:
        return event[0][1], "event"
    return 1.0, "none declared"


def _share(product: Mapping[str, Any], kind: str, converted: float) -> float:
    """The certified share of a quantity of ``product`` (see the module docstring)."""
    for prop in as_list(product.get("certifiedProperty")):
        if not isinstance(prop, Mapping) or prop.get("propertyKind") != kind:
            continue
        share = number(prop.get("certifiedShare"))
        if share is not None:
            return min(1.0, max(0.0, share))
        credit = to_kg(prop.get("creditQuantity"))
        if credit is not None and converted > 0:
            return min(1.0, credit / converted)
    return 0.0


class _UnknownError(Exception):
    """The period's computation cannot be made; the message says why (indeterminate)."""


@dataclass
class _Site:
    """One declared period of one site, issuer and property kind, computed once."""

    declaration: Node
    account: Mapping[str, Any]
    start: date
    end: date
    result: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


def _entries(
    product_entries: Any,
    kind: str,
    declared: list[tuple[set[tuple[str, str]], float]],
    event: list[tuple[set[tuple[str, str]], float]],
    where: str,
) -> Iterator[dict[str, Any]]:
    for entry in as_list(product_entries):
        product = entry.get("product") if isinstance(entry, Mapping) else None
        if not isinstance(product, Mapping):
            continue
        kg = to_kg(entry.get("quantity"))
        if kg is None:
            raise _UnknownError(f"the quantity of {_id(product)} in {where} is not a mass")
        factor, source = _factor(product, declared, event)
        converted = kg * factor
        share = _share(product, kind, converted)
        yield {
            "record": where,
            "product": _id(product),
            "kg": kg,
            "conversionFactor": factor,
            "factorFrom": source,
            "certifiedShare": round(share, 6),
            "convertedKg": round(converted, 6),
            "certifiedKg": round(converted * share, 6),
        }


class RollingAverage:
    """The rolling-average computations of one graph, cached per declared period."""

    def __init__(self, index: GraphIndex) -> None:
        self.index = index
        self._sites: dict[tuple[str, str, str, str], _Site] = {}

    def _usable(self, issuer: str | None) -> Iterator[tuple[Node, dict[str, Any], str]]:
        """Subjects of the usable nodes issued by ``issuer``, with their pointers."""
        for node in self.index.report.nodes.values():
            if not node.usable or node.issuer != issuer or issuer is None:
                continue
            subject = (node.document or {}).get("credentialSubject")
            if isinstance(subject, dict):
                yield node, subject, "/credentialSubject"
            elif isinstance(subject, list):
                for i, item in enumerate(subject):
                    if isinstance(item, dict):
                        yield node, item, f"/credentialSubject/{i}"

    def _declaration(self, issuer: str | None, facility: str, kind: str, day: date) -> _Site:
        for node, subject, _ in self._usable(issuer):
            if subject.get("id") != facility:
                continue
            usage = subject.get("materialUsage")
            period = usage.get("applicablePeriod") if isinstance(usage, Mapping) else None
            start = _day(period.get("startDate")) if isinstance(period, Mapping) else None
            end = _day(period.get("endDate")) if isinstance(period, Mapping) else None
            if start is None or end is None or not start <= day <= end:
                continue
            for account in as_list(subject.get("massBalanceAccount")):
                if (
                    isinstance(account, Mapping)
                    and account.get("propertyKind") == kind
                    and account.get("massBalanceMethod") in ROLLING_METHODS
                ):
                    key = (issuer or "", facility, kind, f"{start}/{end}")
                    if key not in self._sites:
                        site = _Site(node, account, start, end)
                        self._compute(site, issuer, facility, kind)
                        self._sites[key] = site
                    return self._sites[key]
        raise _UnknownError(
            f"no facility record of {facility} by {issuer} declares a rolling-average "
            f"{kind} account (massBalanceAccount) whose materialUsage.applicablePeriod "
            f"contains {day}"
        )

    def _compute(self, site: _Site, issuer: str | None, facility: str, kind: str) -> None:
        declared = _factors(site.account.get("conversionFactor"))
        inputs: list[dict[str, Any]] = []
        outputs: list[dict[str, Any]] = []
        stocks: dict[date, list[tuple[str, list[dict[str, Any]]]]] = {}
        seen: set[tuple[str, str]] = set()
        try:
            for node, subject, pointer in self._usable(issuer):
                types = _types(subject)
                day = _day(subject.get("eventDate"))
                where = f"{node.key}#{pointer}"
                if (node.digest or node.key, pointer) in seen or day is None:
                    continue
                seen.add((node.digest or node.key, pointer))
                if "MakeEvent" in types and _id(subject.get("madeAtFacility")) == facility:
                    if not site.start <= day <= site.end:
                        continue
                    event = _factors(subject.get("conversionFactor"))
                    inputs += _entries(subject.get("inputProduct"), kind, declared, event, where)
                    outputs += _outputs(subject, kind, where)
                elif (
                    is_stocktake(subject)
                    and _id(subject.get("modifiedAtFacility")) == facility
                    and day in (site.start, site.end)
                ):
                    items = list(
                        _entries(subject.get("modifiedProduct"), kind, declared, [], where)
                    )
                    stocks.setdefault(day, []).append((where, items))
            opening = _stock(stocks, site.start, "opening")
            closing = _stock(stocks, site.end, "closing")
        except _UnknownError as exc:
            site.error = str(exc)
            return
        certified_in = sum(i["certifiedKg"] for i in inputs)
        total_in = sum(i["convertedKg"] for i in inputs)
        numerator = certified_in + opening["certifiedKg"] - closing["certifiedKg"]
        denominator = total_in + opening["convertedKg"] - closing["convertedKg"]
        formula = (
            f"({certified_in:g} certified input kg × factor + {opening['certifiedKg']:g} opening "
            f"certified stock − {closing['certifiedKg']:g} closing certified stock) / "
            f"({total_in:g} input kg × factor + {opening['convertedKg']:g} opening stock − "
            f"{closing['convertedKg']:g} closing stock)"
        )
        if denominator <= 0:
            site.error = f"no material was consumed over the period: {formula}"
            return
        computed = min(1.0, max(0.0, numerator / denominator))
        period = {"startDate": site.start.isoformat(), "endDate": site.end.isoformat()}
        site.result = {
            "method": "rollingAveragePercentage",
            "facility": facility,
            "propertyKind": kind,
            "declaration": site.declaration.key,
            "period": period,
            "boundary": {
                key: site.account[key]
                for key in ("massBalanceLevel", "geographicBoundary")
                if key in site.account
            },
            "conversionFactors": [
                {"material": sorted(list(k) for k in keys), "factor": f} for keys, f in declared
            ],
            "inputs": inputs,
            "openingStock": opening,
            "closingStock": closing,
            "outputs": outputs,
            "formula": f"{formula} = {computed:.6g}",
            "computed": round(computed, 6),
        }

    def check(self, node: Node, subject: Mapping[str, Any], claim: dict[str, Any]) -> None:
        """Judge one claim (see :func:`claims_of`), recording the check and keeping the
        computation in ``claim["calculation"]``."""
        report = self.index.report
        facility = _id(subject.get("madeAtFacility"))
        day = _day(subject.get("eventDate"))
        where = claim["record"]
        try:
            if facility is None or day is None:
                raise _UnknownError("the make event names no madeAtFacility id or no eventDate")
            site = self._declaration(node.issuer, facility, claim["propertyKind"], day)
            if site.error is not None:
                raise _UnknownError(site.error)
        except _UnknownError as exc:
            claim["outcome"] = Outcome.INDETERMINATE.value
            claim["reason"] = str(exc)
            report.checks.record(
                checks.MASSBALANCE_ROLLING_AVERAGE,
                Outcome.INDETERMINATE,
                "Rolling-average share cannot be computed",
                f"{claim['product']} claims a {claim['propertyKind']} share of "
                f"{claim['claimed']:g}: {exc}",
                path=where,
            )
            return
        computed = float(site.result["computed"])
        claimed = float(claim["claimed"])
        claim.update(site.result)
        claim["claimed"] = claimed
        if claimed <= computed or close(claimed, computed):
            claim["outcome"] = Outcome.PASSED.value
            report.checks.record(checks.MASSBALANCE_ROLLING_AVERAGE, Outcome.PASSED, path=where)
            return
        claim["outcome"] = Outcome.FAILED.value
        factors = ", ".join(
            sorted({f"{i['product']} × {i['conversionFactor']:g}" for i in site.result["inputs"]})
        )
        report.checks.record(
            checks.MASSBALANCE_ROLLING_AVERAGE,
            Outcome.FAILED,
            "Certified share above the site's rolling average",
            f"{claim['product']} claims a {claim['propertyKind']} share of {claimed:g}, but the "
            f"site {facility} over {site.start}..{site.end} gives at most {computed:.6g}: "
            f"{site.result['formula']} (conversion factors: {factors or 'none'})",
            path=where,
        )


def _stock(
    stocks: Mapping[date, list[tuple[str, list[dict[str, Any]]]]], day: date, which: str
) -> dict[str, Any]:
    found = stocks.get(day, [])
    if not found:
        raise _UnknownError(f"no {which} stocktake of the site dated {day} is in the graph")
    if len({repr(items) for _, items in found}) > 1:
        records = ", ".join(where for where, _ in found)
        raise _UnknownError(f"the {which} stocktakes of {day} disagree ({records})")
    where, items = found[0]
    return {
        "stocktake": where,
        "date": day.isoformat(),
        "items": items,
        "convertedKg": round(sum(i["convertedKg"] for i in items), 6),
        "certifiedKg": round(sum(i["certifiedKg"] for i in items), 6),
    }


def _outputs(subject: Mapping[str, Any], kind: str, where: str) -> Iterator[dict[str, Any]]:
    for entry in as_list(subject.get("outputProduct")):
        product = entry.get("product") if isinstance(entry, Mapping) else None
        if not isinstance(product, Mapping):
            continue
        kg = to_kg(entry.get("quantity"))
        shares = [
            number(p.get("certifiedShare"))
            for p in as_list(product.get("certifiedProperty"))
            if isinstance(p, Mapping) and p.get("propertyKind") == kind and is_rolling(p)
        ]
        yield {
            "record": where,
            "product": _id(product),
            "kg": kg,
            "claimedShare": next((s for s in shares if s is not None), None),
        }


def claims_of(node: Node, prefix: str, subject: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """The rolling-average claims of the outputs of the make event ``subject`` at ``prefix``:
    one per output ``certifiedProperty`` on a rolling-average method that claims a share."""
    for i, entry in enumerate(as_list(subject.get("outputProduct"))):
        product = entry.get("product") if isinstance(entry, Mapping) else None
        if not isinstance(product, Mapping) or _id(product) is None:
            continue
        quantity = to_kg(entry.get("quantity"))
        for j, prop in enumerate(as_list(product.get("certifiedProperty"))):
            kind = prop.get("propertyKind") if isinstance(prop, Mapping) else None
            if not is_rolling(prop) or not isinstance(kind, str):
                continue
            readings = []
            share = number(prop.get("certifiedShare"))
            if share is not None:
                readings.append(share)
            credit = to_kg(prop.get("creditQuantity"))
            if credit is not None and quantity:
                readings.append(credit / quantity)
            if not readings:
                continue
            single = isinstance(subject.get("outputProduct"), list)
            at = f"{prefix}/outputProduct/{i}" if single else f"{prefix}/outputProduct"
            many = isinstance(product.get("certifiedProperty"), list)
            pointer = f"{at}/product/certifiedProperty" + (f"/{j}" if many else "")
            yield {
                "record": f"{node.key}#{pointer}",
                "product": _id(product),
                "propertyKind": kind,
                "claimed": round(max(readings), 6),
                "certifiedShare": share,
                "creditQuantity": prop.get("creditQuantity"),
                "quantity": entry.get("quantity"),
            }
