"""The UNTP 0.7.0 sample credentials pass, all but one, which strict JSON-LD must reject.

``dia/DigitalIdentityAnchor_instance.json`` puts ``mediaQuery``, ``template`` and ``url`` on
its ``renderTemplate2024`` object, which is untyped; the UNTP context defines those terms only
inside the ``RenderTemplate2024`` type-scoped context, so expansion drops them. Samples
without an ``@context`` (the ``cvc`` scheme/profile/criterion records) are not credentials.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from vcservice.jsonld import bundled_loader
from vcservice.model import validate_credential
from vcservice.report import Outcome

from ..conftest import UNTP, load_json

SAMPLES = UNTP / "untp-0.7.0-prerelease-2026-04-03" / "samples"
CREDENTIALS = sorted(p for p in SAMPLES.rglob("*.json") if "@context" in load_json(p))
STRICT_JSONLD_REJECTS = "dia/DigitalIdentityAnchor_instance.json"


def sample_name(path: Path) -> str:
    return path.relative_to(SAMPLES).as_posix()


def test_samples_are_found() -> None:
    assert len(CREDENTIALS) == 17
    assert STRICT_JSONLD_REJECTS in {sample_name(p) for p in CREDENTIALS}


@pytest.mark.parametrize("path", CREDENTIALS, ids=sample_name)
def test_untp_sample(path: Path) -> None:
    report = validate_credential(load_json(path), loader=bundled_loader())
    if sample_name(path) != STRICT_JSONLD_REJECTS:
        assert report.verified, report.to_dict()["errors"]
        return
    failed = [c for c in report.checks if c.outcome is Outcome.FAILED]
    assert [c.id for c in failed] == ["datamodel.undefined-terms"]
    assert failed[0].problem is not None
    assert "'mediaQuery'" in failed[0].problem.detail
