"""``vcservice validate``: data model + UNTP 0.7.0 base schema + extension schemas, per file.

UNTP sample results (one test per file, tagged ``untp-sample``):

* every credential among the 0.7.0 samples passes, except ``dia/DigitalIdentityAnchor_instance``:
  its ``renderTemplate2024`` is untyped, so ``mediaQuery`` (defined only inside a typed
  ``RenderTemplate2024``) is dropped by strict JSON-LD → ``datamodel.undefined-terms``;
* the bcgov copies of the DCC samples pass; the three bcgov DIA copies lack
  ``credentialSubject.idScheme`` → ``schema.untp`` at ``/credentialSubject``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from vcservice.cli import app
from vcservice.keys import KeyPair, KeyType, Signer
from vcservice.securing.jose import envelope, issue_vc_jwt

from ..conftest import UNTP, load_json

runner = CliRunner()

SAMPLES = UNTP / "untp-0.7.0-prerelease-2026-04-03" / "samples"
BCGOV = UNTP / "untp-0.7.0" / "samples-bcgov-copied-from-untp.unece.org"
CREDENTIALS = sorted(p for p in SAMPLES.rglob("*.json") if "@context" in load_json(p))
BCGOV_CREDENTIALS = sorted(BCGOV.rglob("*.json"))

# file → (exit code, [(check id, path)] of the failing checks)
EXPECTED_FAILURES: dict[str, list[tuple[str, str | None]]] = {
    "samples/dia/DigitalIdentityAnchor_instance.json": [("datamodel.undefined-terms", None)],
    "bcgov/dia/DigitalIdentityAnchor_battery_instance.json": [
        ("schema.untp", "/credentialSubject")
    ],
    "bcgov/dia/DigitalIdentityAnchor_mine_instance.json": [("schema.untp", "/credentialSubject")],
    "bcgov/dia/DigitalIdentityAnchor_smelter_instance.json": [
        ("schema.untp", "/credentialSubject")
    ],
}


def sample_id(path: Path) -> str:
    if path.is_relative_to(SAMPLES):
        return "samples/" + path.relative_to(SAMPLES).as_posix()
    return "bcgov/" + path.relative_to(BCGOV).as_posix()


def _validate(*args: str, stdin: str | None = None) -> Any:
    return runner.invoke(app, ["validate", *args], input=stdin)


def test_sample_sets_are_found() -> None:
    assert len(CREDENTIALS) == 17
    assert len(BCGOV_CREDENTIALS) == 6
    expected = set(EXPECTED_FAILURES)
    assert expected <= {sample_id(p) for p in CREDENTIALS + BCGOV_CREDENTIALS}


@pytest.mark.parametrize("path", CREDENTIALS + BCGOV_CREDENTIALS, ids=sample_id)
def test_untp_sample(path: Path) -> None:
    """tag:untp-sample — the exit code and exactly the failing checks expected for the file."""
    result = _validate(str(path), "--json")
    report = json.loads(result.stdout)
    failures = [(c["id"], c.get("path")) for c in report["errors"]]
    expected = EXPECTED_FAILURES.get(sample_id(path), [])
    assert failures == expected, report["errors"]
    assert result.exit_code == (1 if expected else 0)
    ids = {c["id"] for c in report["checks"]}
    assert {"datamodel.document", "schema.untp"} <= ids
    if expected and expected[0][0] == "schema.untp":
        assert "'idScheme' is a required property" in report["errors"][0]["problem"]["detail"]


def test_strict_jsonld_failure_names_the_dropped_term() -> None:
    result = _validate(str(SAMPLES / "dia" / "DigitalIdentityAnchor_instance.json"))
    assert result.exit_code == 1
    assert "datamodel.undefined-terms" in result.stderr
    assert "'mediaQuery'" in result.stderr


def test_text_output_lists_pointer_and_reason() -> None:
    result = _validate(str(BCGOV / "dia" / "DigitalIdentityAnchor_mine_instance.json"))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "not valid:",
        "  schema.untp at /credentialSubject: untp-0.7.0/DigitalIdentityAnchor.json: "
        "'idScheme' is a required property",
    ]


def test_text_output_for_a_valid_credential() -> None:
    result = _validate(str(SAMPLES / "dpp" / "DigitalProductPassport_instance.json"))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("valid: DigitalProductPassport (")


def test_root_pointer_is_named(tmp_path: Path) -> None:
    dpp = load_json(SAMPLES / "dpp" / "DigitalProductPassport_instance.json")
    del dpp["name"]
    path = tmp_path / "dpp.json"
    path.write_text(json.dumps(dpp), encoding="utf-8")
    result = _validate(str(path))
    assert result.exit_code == 1
    assert "schema.untp at (document root): " in result.stderr
    report = json.loads(_validate(str(path), "--json").stdout)
    assert [(c["id"], c["path"]) for c in report["errors"]] == [("schema.untp", "")]
    assert report["verified"] is False
    assert "document" not in report


def test_non_untp_credential_is_valid_with_a_warning(tmp_path: Path) -> None:
    credential = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": "did:example:issuer",
        "credentialSubject": {"id": "did:example:subject"},
    }
    path = tmp_path / "vc.json"
    path.write_text(json.dumps(credential), encoding="utf-8")
    result = _validate(str(path))
    assert result.exit_code == 0, result.output
    assert "warning schema.untp:" in result.stdout


@pytest.fixture(scope="module")
def signed_sample() -> str:
    signer = Signer.did_key(KeyPair.generate(KeyType.ED25519))
    dpp = load_json(SAMPLES / "dpp" / "DigitalProductPassport_cathode_instance.json")
    dpp["issuer"]["id"] = signer.controller
    return issue_vc_jwt(dpp, signer)


@pytest.mark.parametrize("form", ["jws-file", "envelope-file", "stdin"])
def test_vc_jwt_is_validated_on_its_payload(signed_sample: str, tmp_path: Path, form: str) -> None:
    path = tmp_path / "dpp"
    if form == "envelope-file":
        path.write_text(json.dumps(envelope(signed_sample)), encoding="utf-8")
    else:
        path.write_text(signed_sample + "\n", encoding="utf-8")
    if form == "stdin":
        result = _validate("-", "--json", stdin=signed_sample)
    else:
        result = _validate(str(path), "--json")
    assert result.exit_code == 0, result.output
    ids = {c["id"] for c in json.loads(result.stdout)["checks"]}
    assert "schema.untp" in ids
    assert not any(i.startswith("jose.") or i.startswith("proof.") for i in ids)


@pytest.mark.parametrize(
    "content",
    ["", "{not json", "just text", "aaa.bbb.ccc", "[1, 2]"],
    ids=["empty", "bad-json", "text", "undecodable-jws", "array"],
)
def test_unusable_input_exits_2(tmp_path: Path, content: str) -> None:
    path = tmp_path / "input"
    path.write_text(content, encoding="utf-8")
    result = _validate(str(path))
    assert result.exit_code == 2, result.output
    # One line naming the file (issue 13: the same format for every unusable input).
    assert result.stderr.startswith(f"vcservice: {path}: ")
    assert len(result.stderr.splitlines()) == 1


def test_missing_file_exits_2(tmp_path: Path) -> None:
    assert _validate(str(tmp_path / "absent.json")).exit_code == 2
