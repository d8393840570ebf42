"""`vcservice validate` applies our extension schema exactly to credentials of our profiles."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from vcservice.jsonld import bundled_loader
from vcservice.schema_validation import validate_document
from vcservice.vocab import profiles_for

from ..conftest import UNTP

DATA = Path(__file__).parent / "data"
EXPECTED = {
    "accreditation.json": ["accreditation"],
    "claim-motor.json": ["traceability-event"],
    "coc-certificate.json": ["chain-of-custody-certificate"],
    "dpp-cathode-cu80.json": ["product-passport"],
    "make-cathode.json": ["traceability-event"],
    "move-cathode-cu80.json": ["traceability-event"],
    "pcf-cathode-cu80.json": ["product-carbon-footprint"],
    "recycled-content-cathode-re.json": ["recycled-content"],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_example_selects_its_profile_and_validates(name: str) -> None:
    document = json.loads((DATA / name).read_text())
    assert profiles_for(document) == EXPECTED[name]
    report = validate_document(document, loader=bundled_loader())
    assert report.verified, report.to_dict()
    assert any(c.id == "schema.extension" and c.outcome == "passed" for c in report.checks)


def test_extension_failure_carries_a_pointer() -> None:
    document = json.loads((DATA / "recycled-content-cathode-re.json").read_text())
    broken = copy.deepcopy(document)
    assessment = broken["credentialSubject"]["conformityAssessment"][0]
    assessment["recycledContent"][0]["recycledFraction"] = 1.5
    report = validate_document(broken, loader=bundled_loader())
    failures = [c for c in report.errors if c.id == "schema.extension"]
    assert failures
    assert any("recycledFraction" in (c.path or "") for c in failures), report.to_dict()


def test_plain_untp_credentials_get_no_extension_schema() -> None:
    sample = UNTP / "untp-0.7.0-prerelease-2026-04-03" / "samples" / "dcc"
    document = json.loads((sample / "ConformityCredential_smelter_instance.json").read_text())
    assert profiles_for(document) == []
