"""Every example credential passes the UNTP 0.7.0 schema of its type and our profile schemas with
JSON Schema formats asserted (as UNTP's own test suite asserts them), and a credential that
breaks a format (``consignmentId: "SHP-1"``, an ``eventDate`` that is no date-time) is not valid
for ``vcservice validate``.

Every credential means every file of each chain's ``index.json`` and every document of
``bundle.json`` and of each ``negative/*.json`` bundle (the negatives' defects are graph defects:
their credentials are schema-valid too), vc+jwt decoded to its payload.
"""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.conftest import REPO
from vcservice.cli import app
from vcservice.report import VerificationReport
from vcservice.schema_validation import unwrap_credential, validate_extensions
from vcservice.untp import UNTP_TYPES, credential_types, validate_untp
from vcservice.vocab import profiles_for

EXAMPLES = REPO / "examples"
CHAINS = sorted(p.parent for p in EXAMPLES.glob("*/index.json"))
runner = CliRunner()


def _credentials() -> dict[str, dict[str, Any]]:
    """label → credential payload, each distinct credential once (by its JSON)."""
    found: dict[str, dict[str, Any]] = {}
    seen: set[str] = set()

    def add(label: str, value: Any) -> None:
        document, _ = unwrap_credential(value)
        key = hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()
        if key not in seen:
            seen.add(key)
            found[label] = document

    add("credential.json", json.loads((EXAMPLES / "credential.json").read_text()))
    for chain in CHAINS:
        for entry in json.loads((chain / "index.json").read_text())["credentials"]:
            add(f"{chain.name}/{entry['file']}", json.loads((chain / entry["file"]).read_text()))
        for bundle in [chain / "bundle.json", *sorted((chain / "negative").glob("*.json"))]:
            documents = json.loads(bundle.read_text())["documents"]
            for url, value in documents.items():
                add(f"{bundle.relative_to(EXAMPLES)}#{url}", value)
    return found


CREDENTIALS = _credentials()


def _schema_report(document: dict[str, Any]) -> VerificationReport:
    report = validate_untp(document)
    report.extend(validate_extensions(document))
    return report


def test_every_chain_file_and_bundle_is_covered() -> None:
    assert [c.name for c in CHAINS] == ["battery", "copper", "steel"]
    labels = set(CREDENTIALS)
    for chain in CHAINS:
        for entry in json.loads((chain / "index.json").read_text())["credentials"]:
            assert f"{chain.name}/{entry['file']}" in labels
        negatives = {label.split("#")[0] for label in labels if "/negative/" in label}
        assert len([n for n in negatives if n.startswith(f"{chain.name}/")]) >= 4
    moves = [d for d in CREDENTIALS.values() if _event_kinds(d) & {"MoveEvent"}]
    assert len(moves) >= 7  # every move event of both chains, and re-signed variants


def _event_kinds(document: dict[str, Any]) -> set[str]:
    subjects = document.get("credentialSubject", [])
    subjects = subjects if isinstance(subjects, list) else [subjects]
    return {t for s in subjects if isinstance(s, dict) for t in credential_types(s)}


@pytest.mark.parametrize("label", CREDENTIALS)
def test_example_credential_passes_untp_and_profile_schemas_with_formats(label: str) -> None:
    document = CREDENTIALS[label]
    report = _schema_report(document)
    assert not report.errors, [c.to_dict() for c in report.errors]
    untp = [t for t in credential_types(document) if t in UNTP_TYPES]
    ids = {c.id for c in report.checks if c.outcome.value == "passed"}
    if untp:
        assert "schema.untp" in ids
    if profiles_for(document):
        assert "schema.extension" in ids
    # Only the documented statusListIndex erratum is ever warned about.
    assert {c.id for c in report.warnings} <= {"schema.untp", "schema.untp-erratum"}


def _move_event() -> dict[str, Any]:
    document = copy.deepcopy(CREDENTIALS["copper/move-scrap.json"])
    (subject,) = document["credentialSubject"]
    assert subject["consignmentId"].startswith("urn:carrier:")
    return document


def test_a_move_event_with_a_shipment_number_for_consignment_id_fails_validate(
    tmp_path: Path,
) -> None:
    document = _move_event()
    document["credentialSubject"][0]["consignmentId"] = "SHP-1"
    path = tmp_path / "move.json"
    path.write_text(json.dumps(document))
    result = runner.invoke(app, ["validate", str(path), "--json"])
    assert result.exit_code == 1, result.output  # exit 1: not valid (0 valid, 2 unusable)
    errors = json.loads(result.stdout)["errors"]
    assert [(c["id"], c["path"]) for c in errors] == [("schema.untp", "/credentialSubject/0")]
    detail = errors[0]["problem"]["detail"]
    assert "(closest: 'SHP-1' is not a 'uri' at /credentialSubject/0/consignmentId)" in detail
    text = runner.invoke(app, ["validate", str(path)])
    assert text.exit_code == 1
    assert "schema.untp at /credentialSubject/0:" in text.stderr


def test_an_event_date_that_is_no_date_time_fails_validate(tmp_path: Path) -> None:
    document = _move_event()
    document["credentialSubject"][0]["eventDate"] = "2026-01-09 10:00"
    path = tmp_path / "move.json"
    path.write_text(json.dumps(document))
    result = runner.invoke(app, ["validate", str(path), "--json"])
    assert result.exit_code == 1, result.output
    errors = json.loads(result.stdout)["errors"]
    assert [(c["id"], c["path"]) for c in errors] == [("schema.untp", "/credentialSubject/0")]
    assert (
        "(closest: '2026-01-09 10:00' is not a 'date-time' at /credentialSubject/0/eventDate)"
        in errors[0]["problem"]["detail"]
    )


def test_a_party_id_that_is_no_uri_fails_the_profile_schema_too(tmp_path: Path) -> None:
    document = _move_event()
    party = document["credentialSubject"][0]["relatedParty"][0]["party"]
    party["id"] = "Norrscrap AB"
    path = tmp_path / "move.json"
    path.write_text(json.dumps(document))
    result = runner.invoke(app, ["validate", str(path), "--json"])
    assert result.exit_code == 1, result.output
    errors = {
        (c["id"], c.get("path")): c["problem"]["detail"]
        for c in json.loads(result.stdout)["errors"]
    }
    pointer = "/credentialSubject/0/relatedParty/0/party/id"
    assert errors[("schema.extension", pointer)] == (
        "traceability-event: 'Norrscrap AB' is not a 'uri'"
    )


def test_the_fixed_example_validates_from_the_cli() -> None:
    for chain in CHAINS:
        for name in sorted(chain.glob("move-*.json")):
            result = runner.invoke(app, ["validate", str(name)])
            assert result.exit_code == 0, result.output
