"""The rolling-average percentage method (ISO 22095-2:2026): ``massbalance.rolling-average``.

A copper refinery declares, in its facility record, a rolling-average responsible-sourcing
account over 2026 Q1 with conversion factors (copper concentrate 0.3 t of cathode per t,
copper scrap 0.95). Over the quarter it consumed 1000 t of concentrate (40 % certified) and
100 t of uncertified scrap; it held 200 t of concentrate (50 % certified) at the opening
stocktake and 100 t (40 % certified) at the closing one. The certified share of its output is
at most::

    (1000 × 0.3 × 0.4 + 200 × 0.3 × 0.5 − 100 × 0.3 × 0.4)
    / (1000 × 0.3 + 100 × 0.95 + 200 × 0.3 − 100 × 0.3)
    = (120 + 30 − 12) / (395 + 60 − 30) = 138 / 425 = 0.324706
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.graph.test_holders import SELLER, Graph
from tests.graph.test_walk import AT, BASE
from vcservice.credits import flows_of
from vcservice.graph import Bundle, GraphReport, GraphVerifier
from vcservice.ledger.postings import postings_of
from vcservice.report import Outcome

KIND = "responsibleSourcing"
SITE = "https://facilities.example.org/JP-REF-002"
HS = "https://www.wcoomd.org/en/topics/nomenclature/instrument-and-tools/hs-nomenclature-2022-edition.aspx"
CONCENTRATE = {"code": "260300", "name": "Copper ores and concentrates", "schemeId": HS}
SCRAP = {"code": "740400", "name": "Copper waste and scrap", "schemeId": HS}
EXPECTED = round(138 / 425, 6)


def classification(value: dict[str, str]) -> dict[str, str]:
    return dict(value, schemeName="Harmonized System 2022")


class Site(Graph):
    """The holders tests' graph of signed credentials, with the rolling-average method's
    products, events and stocktakes on top."""

    def product(self, pid: str, category: dict[str, str], share: float | None) -> dict[str, Any]:
        product: dict[str, Any] = {
            "type": ["Product"],
            "id": pid,
            "name": pid,
            "productCategory": [classification(category)],
        }
        if share is not None:
            product["certifiedProperty"] = [
                {
                    "propertyKind": KIND,
                    "certifiedShare": share,
                    "chainOfCustodyModel": "massBalance",
                    "massBalanceLevel": "site",
                    "massBalanceMethod": "rollingAveragePercentage",
                    "attestedBy": [self.attestation],
                }
            ]
        return product

    def stocktake(self, name: str, day: str, tonnes: float, share: float) -> dict[str, Any]:
        subject = {
            "type": ["ModifyEvent", "LifecycleEvent", "StocktakeEvent"],
            "id": f"urn:ev:{name}",
            "name": "stocktake",
            "eventDate": f"{day}T00:00:00Z",
            "activityType": {"code": "stocktake", "name": "Stocktake"},
            "modifiedAtFacility": {"type": ["Facility"], "id": SITE, "name": "refinery"},
            "modifiedProduct": [
                {
                    "product": self.product("urn:p:conc", CONCENTRATE, share),
                    "quantity": {"value": tonnes, "unit": "TNE"},
                }
            ],
        }
        return self.issue(name, SELLER, subject)

    def make_claimed(self, name: str, claimed: float) -> dict[str, Any]:
        output = self.product("urn:p:cathode", {"code": "740311", "name": "c", "schemeId": HS}, 0)
        output["certifiedProperty"][0]["certifiedShare"] = claimed
        output["certifiedProperty"][0]["creditQuantity"] = {"value": 400 * claimed, "unit": "TNE"}
        subject = {
            "type": ["MakeEvent", "LifecycleEvent"],
            "id": f"urn:ev:{name}",
            "name": "smelting",
            "eventDate": "2026-02-01T06:00:00Z",
            "madeAtFacility": {"type": ["Facility"], "id": SITE, "name": "refinery"},
            "inputProduct": [
                {
                    "product": self.product("urn:p:conc", CONCENTRATE, 0.4),
                    "quantity": {"value": 1000, "unit": "TNE"},
                },
                {
                    "product": self.product("urn:p:scrap", SCRAP, None),
                    "quantity": {"value": 100, "unit": "TNE"},
                },
            ],
            "outputProduct": [{"product": output, "quantity": {"value": 400, "unit": "TNE"}}],
        }
        return self.issue(name, SELLER, subject)

    def record(self, name: str, records: list[dict[str, Any]]) -> str:
        """The facility record declaring the account; its URL (the root)."""
        subject = {
            "type": ["Facility"],
            "id": SITE,
            "name": "refinery",
            "materialUsage": {
                "applicablePeriod": {"startDate": "2026-01-01", "endDate": "2026-03-31"},
                "materialConsumed": [],
            },
            "massBalanceAccount": [
                {
                    "type": ["MassBalanceAccount"],
                    "propertyKind": KIND,
                    "chainOfCustodyModel": "massBalance",
                    "massBalanceLevel": "site",
                    "massBalanceMethod": "rollingAveragePercentage",
                    "geographicBoundary": ["JP"],
                    "conversionFactor": [
                        {"material": classification(CONCENTRATE), "factor": 0.3},
                        {"material": classification(SCRAP), "factor": 0.95},
                    ],
                    "periodRecord": records,
                }
            ],
        }
        self.issue(name, SELLER, subject)
        return BASE + name

    def verify(self, root: str) -> GraphReport:
        return GraphVerifier().verify(
            root, trust_anchors=["did:example:anchor"], bundle=Bundle(self.served), at=AT
        )


def graph(claimed: float, *, closing: bool = True) -> tuple[Site, str]:
    site = Site()
    records = [
        site.stocktake("opening", "2026-01-01", 200, 0.5),
        site.make_claimed("smelt", claimed),
    ]
    if closing:
        records.append(site.stocktake("closing", "2026-03-31", 100, 0.4))
    return site, site.record("dfr", records)


def rolling(report: GraphReport) -> list[tuple[str, Outcome]]:
    return [
        (c.path or "", c.outcome)
        for c in report.checks.checks
        if c.id == "massbalance.rolling-average"
    ]


def calculation(report: GraphReport) -> dict[str, Any]:
    (entry,) = [p for p in report.products if p["product"] == "urn:p:cathode"]
    (calc,) = entry["rollingAverage"]
    assert isinstance(calc, dict)
    return calc


CLAIM = f"{BASE}smelt#/credentialSubject/outputProduct/0/product/certifiedProperty/0"


def test_a_claim_within_the_rolling_average_passes() -> None:
    site, root = graph(0.32)
    report = site.verify(root)
    assert rolling(report) == [(CLAIM, Outcome.PASSED)]
    assert report.verified, [c.to_dict() for c in report.errors]
    calc = calculation(report)
    assert calc["computed"] == EXPECTED
    assert calc["claimed"] == 0.32
    assert calc["period"] == {"startDate": "2026-01-01", "endDate": "2026-03-31"}
    assert calc["boundary"] == {"massBalanceLevel": "site", "geographicBoundary": ["JP"]}
    factors = {i["product"]: (i["conversionFactor"], i["factorFrom"]) for i in calc["inputs"]}
    assert factors == {"urn:p:conc": (0.3, "declaration"), "urn:p:scrap": (0.95, "declaration")}
    assert calc["openingStock"]["certifiedKg"] == pytest.approx(30_000)
    assert calc["closingStock"]["convertedKg"] == pytest.approx(30_000)
    assert calc["formula"].endswith(f"= {EXPECTED:.6g}")


def test_the_claim_at_exactly_the_rolling_average_passes() -> None:
    site, root = graph(EXPECTED)
    assert rolling(site.verify(root)) == [(CLAIM, Outcome.PASSED)]


def test_an_overstated_share_fails_with_the_conversion_factors_shown() -> None:
    site, root = graph(0.4)
    report = site.verify(root)
    assert report.failed_ids() == {"massbalance.rolling-average"}
    (failed,) = report.errors
    assert failed.path == CLAIM
    assert failed.problem is not None
    detail = failed.problem.detail
    assert "claims a responsibleSourcing share of 0.4" in detail
    assert f"gives at most {EXPECTED:.6g}" in detail
    assert "urn:p:conc × 0.3" in detail
    assert "urn:p:scrap × 0.95" in detail
    assert calculation(report)["outcome"] == "failed"


def test_a_rolling_average_output_is_not_judged_by_per_event_conservation() -> None:
    """Under the rolling-average method one event's output need not match its own inputs."""
    site, root = graph(0.32)
    report = site.verify(root)
    assert not [c for c in report.checks.checks if c.id == "massbalance.conservation"]


def test_a_missing_closing_stocktake_is_indeterminate() -> None:
    site, root = graph(0.32, closing=False)
    report = site.verify(root)
    assert rolling(report) == [(CLAIM, Outcome.INDETERMINATE)]
    (check,) = report.errors
    assert check.problem is not None
    assert "no closing stocktake of the site dated 2026-03-31" in check.problem.detail


def test_without_a_declaration_the_share_is_indeterminate() -> None:
    site = Site()
    root = site.make_claimed("smelt", 0.32)["linkURL"]
    report = site.verify(root)
    assert rolling(report) == [(CLAIM, Outcome.INDETERMINATE)]


def test_ledger_reads_a_rolling_average_site_like_any_other() -> None:
    """The ledger rule (docs/ledger.md): an output on the rolling-average method opens an
    account of its creditQuantity (its certified share of the output), held by its issuer;
    inputs with a creditQuantity are debits; a stocktake opens and spends nothing."""
    site = Site()
    made = site.product("urn:p:cathode", CONCENTRATE, 0.3)
    used = dict(site.product("urn:p:conc", CONCENTRATE, 0.4), sourceCredential=[site.attestation])
    for product in (made, used):
        product["certifiedProperty"][0]["creditQuantity"] = {"value": 120, "unit": "TNE"}
    make = {
        "credentialSubject": [
            {
                "type": ["MakeEvent"],
                "inputProduct": [{"product": used}],
                "outputProduct": [{"product": made}],
            }
        ]
    }
    postings = postings_of(make)
    assert [(o.product, o.kind, o.amount_mg) for o in postings.openings] == [
        ("urn:p:cathode", KIND, 120 * 10**9)
    ]
    assert [(c.product, c.amount_mg) for c in postings.charges] == [("urn:p:conc", 120 * 10**9)]
    stocktake = {
        "credentialSubject": {
            "type": ["ModifyEvent", "LifecycleEvent", "StocktakeEvent"],
            "modifiedProduct": [{"product": site.product("urn:p:conc", CONCENTRATE, 0.5)}],
        }
    }
    assert flows_of(stocktake).credits == ()
    assert flows_of(stocktake).debits == ()
