"""The example chains end to end: the positive bundles verify with their accreditation bodies as
the only trust anchors and show every roll-up; each negative variant fails with the check id it
is named after, and (where the case allows) with nothing else."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from tests.conftest import REPO
from vcservice.graph import GraphReport, GraphVerifier, load_bundle

EXAMPLES = REPO / "examples"
BUNDLES = sorted(EXAMPLES.glob("*/bundle.json"))
NEGATIVES = sorted(EXAMPLES.glob("*/negative/*.json"))
#: Variants whose defect necessarily shows under a second id as well.
COLLATERAL: dict[str, set[str]] = {}


def verify(path: Path) -> GraphReport:
    bundle = load_bundle(path)
    assert bundle.root is not None
    return GraphVerifier().verify(bundle.root, trust_anchors=bundle.trust_anchors, bundle=bundle)


def test_every_chain_has_a_bundle_and_all_negative_cases() -> None:
    assert [p.parent.name for p in BUNDLES] == ["battery", "copper", "steel"]
    required = {
        "links.digest", "status.revocation", "trust.scope", "trust.expired", "trust.unanchored",
        "claims.unattested", "rollup.footprint", "massbalance.conservation",
        "massbalance.overallocated", "graph.cycle", "graph.node-limit", "links.unreachable",
        "massbalance.not-holder", "massbalance.unregistered.no-receipt",
        "massbalance.unregistered.forged-receipt", "massbalance.unregistered.wrong-amount",
        "massbalance.unregistered.wrong-holder", "massbalance.unregistered.second-spend",
        "massbalance.unregistered.equivocation",
    }  # fmt: skip
    copper = {p.stem for p in NEGATIVES if p.parent.parent.name == "copper"}
    assert required <= copper


@pytest.mark.parametrize("path", BUNDLES, ids=lambda p: p.parent.name)
def test_the_chain_verifies_end_to_end(path: Path) -> None:
    report = verify(path)
    assert report.verified, [c.to_dict() for c in report.errors]
    index = load_bundle(path.parent)
    assert set(report.nodes) <= set(index.documents)
    assert len(report.nodes) >= 16
    anchors = {entry["anchor"] for entry in report.trust}
    assert anchors == set(index.trust_anchors)
    footprints = [p["carbonFootprint"] for p in report.products if p["carbonFootprint"]]
    recycled = [p["recycledContent"] for p in report.products if p["recycledContent"]] + [
        calc for p in report.products for calc in p.get("recycledContentByMaterial", {}).values()
    ]
    assert footprints
    assert recycled
    for calc in footprints + recycled:
        assert calc["computed"] == pytest.approx(calc["claimed"])
    in_mass = [p for p in report.products if p["quantity"]["unit"] in ("TNE", "KGM")]
    # a product whose recycled credits name their element has a share per element instead
    assert all(
        p["recycledFraction"] is not None or p.get("recycledFractionByMaterial") for p in in_mass
    )
    assert all(a["balanceKg"] >= 0 for a in report.accounts)
    # Steel's certifier is a did:webvh whose key rotated after it signed the pellets' footprint.
    rotated = {w.path for w in report.warnings if w.id == "proof.key-history"}
    steel = {"https://credentials.certification.steelcert.example/pcf-pellets"}
    assert rotated == (steel if path.parent.name == "steel" else set())


def test_the_copper_footprint_rolls_up_from_mine_and_smelter() -> None:
    report = verify(EXAMPLES / "copper" / "bundle.json")
    cathode = next(p for p in report.products if p["product"].endswith("/CU80-2026-011"))
    calc = cathode["carbonFootprint"]
    assert [i["pcf"] for i in calc["inputs"]] == [1.9]
    assert [p["pcf"] for p in calc["process"]] == [6.1]
    assert calc["computed"] == pytest.approx(8.0)
    recycled = next(p for p in report.products if p["product"].endswith("/CURE-2026-011"))
    assert recycled["recycledFraction"] == 1.0


def test_the_battery_footprint_rolls_up_in_two_steps_with_recycled_credits_per_element() -> None:
    report = verify(EXAMPLES / "battery" / "bundle.json")
    by_batch = {p["product"].rsplit("/", 1)[-1]: p for p in report.products}
    cam = by_batch["HC-NMC811-2026-007"]["carbonFootprint"]
    assert sorted(i["pcf"] for i in cam["inputs"]) == [12.0, 24.0]  # 45 t Ni, 5 t Co
    assert [p["pcf"] for p in cam["process"]] == [2.8]
    assert cam["computed"] == pytest.approx(16.0)
    cells = by_batch["NC-CELL-2026-02"]["carbonFootprint"]
    assert [p["pcf"] for p in cells["process"]] == [6.0]
    assert cells["computed"] == pytest.approx(22.0)
    # One recycled-content credit per element (Ni, Co, Li) goes into the cathode material:
    # each is its own account, rolled up from its element's input credit only.
    cam_lot = by_batch["HC-NMC811-2026-007"]
    recycled = cam_lot["recycledContentByMaterial"]
    assert {m: [i["kg"] for i in c["inputs"]] for m, c in recycled.items()} == {
        "Co": [2400],
        "Li": [1400],
        "Ni": [9600],
    }
    # the element's credits ÷ its mass in the cathode (12 t Co, 14 t Li, 96 t Ni)
    assert cam_lot["recycledFractionByMaterial"] == {"Co": 0.2, "Li": 0.1, "Ni": 0.1}
    kinds = {a["property"] for a in report.accounts if a["product"] == cam_lot["product"]}
    assert {"recycledContent/Co", "recycledContent/Li", "recycledContent/Ni"} <= kinds


def test_the_battery_recycled_negative_names_only_cobalt() -> None:
    """The recycler's cobalt is 0.9 recycled, the cathode's cobalt credit says 1.0: only the
    cobalt credit's roll-up fails, the nickel and lithium credits roll up per element."""
    report = verify(EXAMPLES / "battery" / "negative" / "rollup.recycled.json")
    failed = [
        c for c in report.checks.checks if c.id == "rollup.recycled" and c.outcome.value == "failed"
    ]
    (only,) = failed
    assert only.problem is not None
    assert "recycled fraction of Co" in only.problem.detail
    assert "Ni" not in only.problem.detail
    assert "Li" not in only.problem.detail
    rolled = [c for c in report.checks.checks if c.id == "rollup.recycled"]
    assert len(rolled) - len(failed) >= 2


def test_the_battery_cathode_plant_claims_within_its_rolling_average() -> None:
    """make-cam's cathode lot claims a responsibleSourcing share of 0.85 on the rolling-average
    method; the site's facility record for January 2026 (conversion factors to NMC811 by
    nickel or cobalt content, stocktakes at the period's start and end) gives 0.86466."""
    report = verify(EXAMPLES / "battery" / "bundle.json")
    (cam,) = [p for p in report.products if p["product"].endswith("/HC-NMC811-2026-007")]
    (calc,) = cam["rollingAverage"]
    assert calc["record"].startswith("https://credentials.hame-cathode.example/make-cam#")
    assert calc["outcome"] == "passed"
    assert calc["declaration"].endswith("/dfr-cam-2026-01")
    assert calc["period"] == {"startDate": "2026-01-01", "endDate": "2026-01-31"}
    assert [f["factor"] for f in calc["conversionFactors"]] == [0.4646, 3.5, 0.25]
    factors = {i["product"].rsplit("/", 1)[-1]: i["conversionFactor"] for i in calc["inputs"]}
    assert factors == {"KN-NI-2026-003": 0.4646, "KN-CO-2026-003": 3.5, "KR-2026-012": 0.25}
    assert {i["factorFrom"] for i in calc["inputs"]} == {"declaration"}
    assert calc["openingStock"]["certifiedKg"] == pytest.approx(60_000 * 0.4646 * 0.5)
    assert calc["closingStock"]["convertedKg"] == pytest.approx(20_000 * 0.4646)
    assert calc["claimed"] == 0.85
    assert calc["computed"] == pytest.approx(187.1412 / 216.4332, abs=1e-6)
    assert calc["formula"].endswith("= 0.86466")
    rolling = [c for c in report.checks.checks if c.id == "massbalance.rolling-average"]
    assert [c.outcome.value for c in rolling] == ["passed"]


def test_the_battery_pack_footprint_per_kwh_rolls_up_from_the_credits() -> None:
    """The packs declare 78 kWh each (characteristics.energyCapacity): the credits' 22.0 kg
    CO2e per kg × 50 t ÷ (1 600 × 78 kWh) = 8.8141 kg CO2e per kWh, as the passport claims."""
    report = verify(EXAMPLES / "battery" / "bundle.json")
    (pack,) = [p for p in report.products if p["product"].endswith("/NC-PACK-2026-02")]
    calc = pack["carbonFootprint"]
    assert calc["computed"] == pytest.approx(22.0)  # the per-kg roll-up is unchanged
    per_kwh = calc["perKWh"]
    assert per_kwh["energy"] == {"units": 1600, "kWhPerUnit": 78, "kWh": 124_800}
    assert per_kwh["creditedKg"] == 50_000
    assert per_kwh["computed"] == pytest.approx(22.0 * 50_000 / 124_800, abs=1e-6)
    assert per_kwh["unit"] == "kg CO2e per kWh"
    assert per_kwh["formula"] == (
        "(mass-weighted input footprint 22 + process emissions 0) kg CO2e per kg × credited "
        "mass 50000 kg = 1100000 kg CO2e; ÷ (1600 units × 78 kWh = 124800 kWh) = 8.8141"
    )
    (claim,) = per_kwh["claims"]
    assert claim["claim"].startswith("https://credentials.nordcell.example/dpp-pack#")
    assert (claim["claimed"], claim["outcome"]) == (8.81, "passed")
    on_claim = [
        c for c in report.checks.checks if c.id == "rollup.footprint" and c.path == claim["claim"]
    ]
    assert [c.outcome.value for c in on_claim] == ["passed"]


def test_an_overstated_footprint_per_kwh_fails_the_roll_up_only() -> None:
    report = verify(EXAMPLES / "battery" / "negative" / "rollup.footprint.per-kwh.json")
    assert report.failed_ids() == {"rollup.footprint"}
    (failed,) = [c for c in report.checks.checks if c.outcome.value == "failed"]
    assert "/dpp-pack#" in (failed.path or "")
    assert failed.problem is not None
    assert "claims 12 kg CO2e/kWh" in failed.problem.detail
    assert failed.problem.detail.endswith("= 8.8141")


@pytest.mark.parametrize("path", NEGATIVES, ids=lambda p: f"{p.parent.parent.name}-{p.stem}")
def test_a_negative_variant_fails_with_its_own_check(path: Path) -> None:
    report = verify(path)
    expected = load_bundle(path).expected_check  # the file name, or a case of the check
    assert expected is not None
    assert path.stem.startswith(expected)
    assert not report.verified
    failed = report.failed_ids()
    assert expected in failed
    assert failed <= {expected} | COLLATERAL.get(expected, set()), sorted(failed)


def test_with_no_trust_anchor_the_certifiers_could_not_be_checked() -> None:
    """No anchor chosen is not evidence against the chain: ``trust.unanchored`` is
    indeterminate (every surface that allows no anchor, the buyer page first, reads "could
    not check"), and every other check keeps its outcome."""
    bundle = replace(load_bundle(EXAMPLES / "copper" / "bundle.json"), trust_anchors=())
    anchored = verify(EXAMPLES / "copper" / "bundle.json")
    report = GraphVerifier().verify(bundle.start, trust_anchors=(), bundle=bundle, at=bundle.at)
    unanchored = [c for c in report.all_checks() if c.id == "trust.unanchored"]
    assert unanchored
    assert {c.outcome.value for c in unanchored} == {"indeterminate"}
    assert {c.id for c in report.errors} == {"trust.unanchored"}
    assert {e["outcome"] for e in report.trust} == {"indeterminate"}
    assert anchored.verified
