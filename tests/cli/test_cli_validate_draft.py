"""``vcservice validate --draft`` / ``--issuer``: a draft that ``issue`` accepts is valid as a
draft, and the draft options never relax the check of anything already secured."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from vcservice.cli import DRAFT_ISSUER, app
from vcservice.issuing import issue_credential
from vcservice.jsonld import bundled_loader
from vcservice.keys import KeyPair, KeyType, Signer

from ._readme import REPO

runner = CliRunner()
EXAMPLE = REPO / "examples" / "credential.json"


def _draft() -> dict[str, Any]:
    value: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    return value


def _write(tmp_path: Path, value: Any) -> str:
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(value), encoding="utf-8")
    return str(path)


def test_the_example_is_a_draft_that_issue_accepts() -> None:
    draft = _draft()
    assert "issuer" not in draft
    signer = Signer.did_key(KeyPair.generate(KeyType.ED25519))
    issued = issue_credential(draft, signer, "eddsa-jcs-2022", loader=bundled_loader())
    assert issued["issuer"] == signer.controller


def test_without_draft_a_missing_issuer_fails_with_a_hint() -> None:
    result = runner.invoke(app, ["validate", str(EXAMPLE)])
    assert result.exit_code == 1
    assert "datamodel.issuer" in result.stderr
    assert "validate it with --draft" in result.stderr


def test_draft_is_valid_with_the_stand_in_issuer_named() -> None:
    result = runner.invoke(app, ["validate", str(EXAMPLE), "--draft", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    [warning] = [c for c in report["warnings"] if c["id"] == "draft.issuer"]
    assert DRAFT_ISSUER in warning["problem"]["detail"]
    assert {"id": "datamodel.issuer", "outcome": "passed"} in report["checks"]


def test_issuer_fills_in_the_given_did() -> None:
    did = "did:web:certifier.example"
    result = runner.invoke(app, ["validate", str(EXAMPLE), "--issuer", did])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("valid draft:")
    assert f"--issuer {did}" in result.stdout


def test_issuer_refuses_a_draft_naming_someone_else(tmp_path: Path) -> None:
    path = _write(tmp_path, {**_draft(), "issuer": "did:web:other.example"})
    result = runner.invoke(app, ["validate", path, "--issuer", "did:web:me.example"])
    assert result.exit_code == 1
    assert "draft.issuer" in result.stderr
    # --draft alone takes the named issuer as it is: issuing with that DID's key is fine.
    assert runner.invoke(app, ["validate", path, "--draft"]).exit_code == 0


def test_draft_still_fails_what_issuing_does_not_fix(tmp_path: Path) -> None:
    path = _write(tmp_path, {**_draft(), "issuer": None})
    result = runner.invoke(app, ["validate", path, "--draft"])
    assert result.exit_code == 1
    assert "datamodel.issuer" in result.stderr


@pytest.mark.parametrize("secured", ["proof", "envelope", "jws"])
def test_draft_refuses_secured_input(tmp_path: Path, secured: str) -> None:
    signer = Signer.did_key(KeyPair.generate(KeyType.ED25519))
    fmt = "eddsa-jcs-2022" if secured == "proof" else "vc+jwt"
    issued: Any = issue_credential(_draft(), signer, fmt, loader=bundled_loader())
    if secured == "jws":
        issued = issued["id"].split(",", 1)[1]
    path = tmp_path / "signed.json"
    path.write_text(issued if isinstance(issued, str) else json.dumps(issued), encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path), "--draft"])
    assert result.exit_code == 2
    assert "without --draft" in result.stderr
    assert runner.invoke(app, ["validate", str(path)]).exit_code == 0
