"""``verify`` and ``verify-graph`` exit codes: 0 verified, 1 not verified, 2 unusable input,
3 could not check (issue 13, Why bullet "An unchecked status passes").

Offline (``--offline``), a status list cannot be had, so a credential with a status entry is
*could not check* (exit 3), never a pass (it was exit 0, "warning status.unchecked").
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from vcservice.cli import app

runner = CliRunner()
ENTRY = {
    "id": "https://status.example/lists/1#7",
    "type": "BitstringStatusListEntry",
    "statusPurpose": "revocation",
    "statusListIndex": "7",
    "statusListCredential": "https://status.example/lists/1",
}


def _signed(tmp_path: Path, **extra: Any) -> Path:
    key = tmp_path / "issuer.key.json"
    assert runner.invoke(app, ["keys", "generate", "--out", str(key)]).exit_code == 0
    did = json.loads(key.read_text())["did"]
    credential = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://www.w3.org/ns/credentials/examples/v2",
        ],
        "type": ["VerifiableCredential", "ExampleCopperCathodeCredential"],
        "issuer": did,
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": "urn:uuid:5c8d9a1e-2b3f-4c6d-8e9f-0a1b2c3d4e5f"},
        **extra,
    }
    unsigned = tmp_path / "unsigned.json"
    unsigned.write_text(json.dumps(credential))
    issued = runner.invoke(app, ["issue", str(unsigned), "--key", str(key)])
    assert issued.exit_code == 0, issued.output
    signed = tmp_path / "signed.json"
    signed.write_text(issued.stdout)
    return signed


def test_offline_unchecked_status_exits_3_not_0(tmp_path: Path) -> None:
    """Why: "An unchecked status passes" (offline it printed verified and exited 0)."""
    result = runner.invoke(
        app, ["verify", "--offline", str(_signed(tmp_path, credentialStatus=ENTRY))]
    )
    assert result.exit_code == 3, result.output
    assert "could not check" in result.output
    assert "status.revocation" in result.output


def test_offline_json_report_says_indeterminate(tmp_path: Path) -> None:
    signed = _signed(tmp_path, credentialStatus=ENTRY)
    result = runner.invoke(app, ["verify", "--offline", "--json", str(signed)])
    assert result.exit_code == 3, result.output
    errors = json.loads(result.stdout)["errors"]
    assert [(e["id"], e["outcome"]) for e in errors] == [("status.revocation", "indeterminate")]


def test_offline_without_status_still_verifies(tmp_path: Path) -> None:
    result = runner.invoke(app, ["verify", "--offline", str(_signed(tmp_path))])
    assert result.exit_code == 0, result.output


def test_help_documents_the_exit_codes() -> None:
    for command in ("verify", "verify-graph"):
        text = " ".join(runner.invoke(app, [command, "--help"]).output.split())
        assert "3 could not check" in text, command
