"""The CLI with VC 1.1 credentials: Data Integrity round trips, vc+jwt refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from vcservice.cli import app

runner = CliRunner()

V1 = "https://www.w3.org/2018/credentials/v1"
CREDENTIAL = {
    "@context": [V1],
    "id": "urn:uuid:da4d67e2-7bca-4826-bdbd-4f4eae363a0d",
    "type": ["VerifiableCredential"],
    "issuanceDate": "2020-03-16T22:37:26.544Z",
    "credentialSubject": {"id": "did:example:alice"},
}


def _key(tmp_path: Path, key_type: str) -> Path:
    path = tmp_path / f"{key_type}.key.json"
    result = runner.invoke(app, ["keys", "generate", "--type", key_type, "--out", str(path)])
    assert result.exit_code == 0, result.output
    return path


def _issue(tmp_path: Path, credential: dict[str, Any], key: Path, fmt: str) -> Any:
    source = tmp_path / "credential.json"
    source.write_text(json.dumps(credential), encoding="utf-8")
    return runner.invoke(app, ["issue", str(source), "--key", str(key), "--format", fmt])


@pytest.mark.parametrize(
    ("key_type", "fmt"),
    [
        ("ed25519", "eddsa-rdfc-2022"),
        ("ed25519", "eddsa-jcs-2022"),
        ("p256", "ecdsa-rdfc-2019"),
        ("p384", "ecdsa-jcs-2019"),
    ],
)
def test_vc_1_1_issue_verify_round_trip(tmp_path: Path, key_type: str, fmt: str) -> None:
    issued = _issue(tmp_path, CREDENTIAL, _key(tmp_path, key_type), fmt)
    assert issued.exit_code == 0, issued.output
    signed = tmp_path / "signed.json"
    signed.write_text(issued.output, encoding="utf-8")
    result = runner.invoke(app, ["verify", str(signed)])
    assert result.exit_code == 0, result.output
    assert "warning datamodel.legacy-vc1" in result.output
    report = json.loads(runner.invoke(app, ["verify", str(signed), "--json"]).output)
    assert report["verified"] is True
    assert [w["id"] for w in report["warnings"]] == ["datamodel.legacy-vc1"]
    expired = runner.invoke(app, ["verify", str(signed), "--at", "2020-03-16T00:00:00Z"])
    assert expired.exit_code == 1
    assert "validity.not-yet-valid: issuanceDate" in expired.output


def test_vc_1_1_is_refused_for_vc_jwt(tmp_path: Path) -> None:
    result = _issue(tmp_path, CREDENTIAL, _key(tmp_path, "ed25519"), "vc+jwt")
    assert result.exit_code == 1
    assert "datamodel.context: this is a VC 1.1 credential" in result.output
    assert "VC-JOSE-COSE" in result.output
