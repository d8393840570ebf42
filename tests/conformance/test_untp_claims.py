"""UNTP tier 3 claim confirmation by criterion id (0.7.0 names): every claim of every example
passport is confirmed, the claims.unattested variant's extra claim is not, and the UNTP 0.7.0
samples give what their data implies (their passports' criterion ids are not the ids their
conformity credentials assess, so no sample claim is confirmed)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from conformance.suites._common import document_of
from conformance.suites._untp_claims import (
    BY_FACILITY,
    BY_MASS_BALANCE,
    BY_PRODUCT,
    ClaimResult,
    confirm_claims,
    trusted_issuers,
)
from tests.conftest import REPO

EXAMPLES = REPO / "examples"
SAMPLES = REPO / "tests/fixtures/untp/untp-0.7.0-prerelease-2026-04-03/samples"
BCGOV = REPO / "tests/fixtures/untp/untp-0.7.0/samples-bcgov-copied-from-untp.unece.org"
MINE_DPP = "https://credentials.sample-mine.example.com/dpp/cu-conc-2025"
MINE_CLAIM = "https://sample-mine.example.com/claims/product-carbon-2025"
MINE_DCC = "https://credentials.sample-cab.example.com/dcc/mine-001"
CABS = ["did:web:sample-cab.example.com", "did:web:sample-vap-cab.example.com"]


def bundle_results(path: Path) -> list[ClaimResult]:
    bundle = json.loads(path.read_text(encoding="utf-8"))
    documents = {k: document_of(v) for k, v in bundle["documents"].items()}
    return confirm_claims(documents, bundle["trustAnchors"])


def samples(*folders: Path) -> dict[str, dict[str, Any]]:
    out = {}
    for folder in folders:
        for path in sorted(folder.glob("*/*.json")):
            if path.parent.name in ("dpp", "dcc", "dia", "dte"):
                document = json.loads(path.read_text(encoding="utf-8"))
                out[document.get("id") or str(path)] = document
    return out


@pytest.mark.parametrize("chain", ["copper", "steel"])
def test_every_claim_of_every_example_passport_is_confirmed(chain: str) -> None:
    results = bundle_results(EXAMPLES / chain / "bundle.json")
    passports = {r.passport.rsplit("/", 1)[-1] for r in results}
    assert len(passports) == 3
    assert results
    assert all(r.confirmed for r in results), [r.why() for r in results]
    coc = [r for r in results if "/criteria/mass-balance" in " ".join(r.criteria)]
    assert len(coc) == 1
    assert coc[0].how == BY_PRODUCT
    # The downstream passport's footprint is attested for the product it was made from.
    assert {r.how for r in results} == {BY_PRODUCT, BY_MASS_BALANCE}
    for result in results:
        for found in result.verified.values():
            assert all(v.credential.startswith("https://credentials.certification.") for v in found)


@pytest.mark.parametrize("chain", ["copper", "steel"])
def test_the_claims_unattested_variant_has_exactly_one_unconfirmed_claim(chain: str) -> None:
    results = bundle_results(EXAMPLES / chain / "negative" / "claims.unattested.json")
    unconfirmed = [r for r in results if not r.confirmed]
    assert len(unconfirmed) == 1
    assert unconfirmed[0].criteria[0].endswith("/criteria/recycled-content")
    # A recycled-content attestation upstream is not cited as evidence: it cannot count.
    assert "for another product" in unconfirmed[0].why()


def test_the_untp_samples_confirm_no_claim() -> None:
    documents = samples(SAMPLES, BCGOV)
    results = confirm_claims(documents, CABS)
    assert len(results) == 8  # 2 mine + 2 refinery + 4 battery claims
    assert not any(r.confirmed for r in results)
    for result in results:
        assert result.why().startswith("no conformity credential assesses criterion"), result.why()


def _mine(change: Any = None) -> dict[str, dict[str, Any]]:
    """The samples, with the mine DCC's GHG assessment made to assess the mine passport's
    carbon claim criterion (the id the claim references), then ``change``d."""
    documents = copy.deepcopy(samples(SAMPLES))
    dcc = documents[MINE_DCC]
    dpp = documents[MINE_DPP]
    criterion = dpp["credentialSubject"]["performanceClaim"][0]["referenceCriteria"][0]["id"]
    assessment = dcc["credentialSubject"]["conformityAssessment"][0]
    assessment["assessmentCriteria"][0]["id"] = criterion
    if change is not None:
        change(assessment, dpp)
    return documents


def _mine_claim(documents: dict[str, dict[str, Any]], trusted: list[str]) -> ClaimResult:
    return next(r for r in confirm_claims(documents, trusted) if r.claim == MINE_CLAIM)


def test_a_sample_claim_is_confirmed_by_an_assessment_of_its_criterion_and_facility() -> None:
    result = _mine_claim(_mine(), CABS)
    assert result.confirmed
    assert result.how == BY_FACILITY
    assert result.verified[result.criteria[0]][0].credential == MINE_DCC


def test_a_sample_claim_is_confirmed_by_an_assessment_of_its_product() -> None:
    def product(assessment: dict[str, Any], dpp: dict[str, Any]) -> None:
        del assessment["assessedFacility"]
        subject = dpp["credentialSubject"]
        assessment["assessedProduct"] = [{"product": {"id": subject["id"], "name": "x"}}]

    result = _mine_claim(_mine(product), CABS)
    assert result.confirmed
    assert result.how == BY_PRODUCT


@pytest.mark.parametrize(
    "case",
    ["not-conformant", "other-topic", "other-facility", "untrusted", "other-criterion"],
)
def test_a_sample_claim_is_not_confirmed(case: str) -> None:
    def change(assessment: dict[str, Any], dpp: dict[str, Any]) -> None:
        if case == "not-conformant":
            assessment["conformance"] = False
        elif case == "other-topic":
            assessment["conformityTopic"][0]["id"] += "-other"
        elif case == "other-facility":
            assessment["assessedFacility"][0]["facility"]["id"] += "-other"
        elif case == "other-criterion":
            assessment["assessmentCriteria"][0]["id"] += "/other"

    trusted = [] if case == "untrusted" else CABS
    result = _mine_claim(_mine(change), trusted)
    assert not result.confirmed, case


def test_trust_follows_identity_anchors_from_a_trusted_did() -> None:
    documents = samples(SAMPLES)
    anchored = trusted_issuers(documents, ["did:web:mining-register.gov.zm"])
    assert "did:web:sample-mine.example.com" in anchored
    assert "did:web:sample-cab.example.com" not in anchored
    # The DIA's issuer anchors the mine, so a DCC the mine issued would be trusted; the CAB's
    # would not: the mine's claim, attested by the CAB, is not confirmed under that anchor.
    result = _mine_claim(_mine(), ["did:web:mining-register.gov.zm"])
    assert not result.confirmed
    assert "nothing trusted anchors" in result.why()
