"""The example chains end to end: the positive bundles verify with their accreditation bodies as
the only trust anchors and show every roll-up; each negative variant fails with the check id it
is named after, and (where the case allows) with nothing else."""

from __future__ import annotations

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
    assert [p.parent.name for p in BUNDLES] == ["copper", "steel"]
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
    recycled = [p["recycledContent"] for p in report.products if p["recycledContent"]]
    assert footprints
    assert recycled
    for calc in footprints + recycled:
        assert calc["computed"] == pytest.approx(calc["claimed"])
    in_mass = [p for p in report.products if p["quantity"]["unit"] in ("TNE", "KGM")]
    assert all(p["recycledFraction"] is not None for p in in_mass)
    assert all(a["balanceKg"] >= 0 for a in report.accounts)


def test_the_copper_footprint_rolls_up_from_mine_and_smelter() -> None:
    report = verify(EXAMPLES / "copper" / "bundle.json")
    cathode = next(p for p in report.products if p["product"].endswith("/CU80-2026-011"))
    calc = cathode["carbonFootprint"]
    assert [i["pcf"] for i in calc["inputs"]] == [1.9]
    assert [p["pcf"] for p in calc["process"]] == [6.1]
    assert calc["computed"] == pytest.approx(8.0)
    recycled = next(p for p in report.products if p["product"].endswith("/CURE-2026-011"))
    assert recycled["recycledFraction"] == 1.0


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
