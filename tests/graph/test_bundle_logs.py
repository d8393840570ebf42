"""did:webvh logs in graph bundles (``didLogs`` / ``dids/*.jsonl``): the walk resolves the
issuer offline with its history, so a credential signed before a key rotation verifies."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.dids.test_history_methods import START, RotatedDid, rotated_did
from vcservice import checks
from vcservice.errors import InputError
from vcservice.graph import GraphVerifier, bundle_from_json, load_bundle
from vcservice.jsonld import bundled_loader
from vcservice.securing import add_proof

URL = "https://credentials.example.org/batch-1"
AT = datetime(2026, 6, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def rotated() -> RotatedDid:
    return rotated_did()


def _signed_before_rotation(rotated: RotatedDid) -> dict[str, Any]:
    document = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://www.w3.org/ns/credentials/examples/v2",
        ],
        "type": ["VerifiableCredential"],
        "id": "urn:example:batch-1",
        "issuer": rotated.did,
        "validFrom": "2025-01-02T00:00:00Z",
        "credentialSubject": {"id": "https://example.org/products/batch-1"},
    }
    created = (START + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return add_proof(
        document, "eddsa-jcs-2022", rotated.old_signer, loader=bundled_loader(), created=created
    )


def _proof_checks(report: Any, outcome: str) -> set[str]:
    return {
        c.id for c in report.all_checks() if c.outcome.value == outcome and c.id.startswith("proof")
    }


def test_a_json_bundle_carries_the_issuer_log(rotated: RotatedDid) -> None:
    credential = _signed_before_rotation(rotated)
    bundle = bundle_from_json(
        {"root": URL, "documents": {URL: credential}, "didLogs": {rotated.did: rotated.log}}
    )
    report = GraphVerifier().verify(URL, trust_anchors=[rotated.did], bundle=bundle, at=AT)
    assert not _proof_checks(report, "failed")
    assert not _proof_checks(report, "indeterminate")
    assert checks.PROOF_KEY_HISTORY in _proof_checks(report, "warning")

    without = bundle_from_json({"root": URL, "documents": {URL: credential}})
    report = GraphVerifier().verify(URL, trust_anchors=[rotated.did], bundle=without, at=AT)
    assert checks.PROOF_VERIFICATION_METHOD in _proof_checks(report, "indeterminate")


def test_a_directory_bundle_reads_dids_jsonl(rotated: RotatedDid, tmp_path: Path) -> None:
    (tmp_path / "batch.json").write_text(json.dumps(_signed_before_rotation(rotated)))
    index = {"credentials": [{"file": "batch.json", "linkURL": URL}]}
    (tmp_path / "index.json").write_text(json.dumps(index))
    (tmp_path / "dids").mkdir()
    (tmp_path / "dids" / "certifier.jsonl").write_text(rotated.log)
    (tmp_path / "dids" / "certifier.did-witness.json").write_text("[]")

    bundle = load_bundle(tmp_path)

    assert bundle.did_logs == {rotated.did: (rotated.log, "[]")}


@pytest.mark.parametrize(
    ("members", "named"),
    [
        ({"didLogs": {"did:web:a.example": "{}"}}, "didLogs"),
        ({"didLogs": {}, "didWitnesses": {"did:webvh:x:a.example": "[]"}}, "no log"),
    ],
)
def test_malformed_log_members_are_refused(members: dict[str, Any], named: str) -> None:
    with pytest.raises(InputError, match=named):
        bundle_from_json({"documents": {}, **members})
