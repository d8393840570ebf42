"""The signed conformance credential: ``--sign-with KEYFILE`` writes
``conformance-credential.json`` beside the reports, a UNTP 0.7.0 DigitalConformityCredential
(vc+jwt) issued by the operator's key that binds ``report.json`` by its digest.

No sockets: the runs are the offline ``files`` suite, or a :class:`Run` built in memory.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from conformance.cli import app
from conformance.model import Outcome, Result, Run
from conformance.report import write_reports
from conformance.report.credential import (
    CREDENTIAL_NAME,
    SCHEME_ID,
    CredentialError,
    conformance_credential,
    report_matches,
    schema_failures,
    write_credential,
)
from vcservice import verifiers
from vcservice.cli import app as vcservice_app
from vcservice.jsonld import bundled_loader
from vcservice.keys import KeyPair, KeyType, Signer, write_key_file
from vcservice.links import digest_bytes
from vcservice.schema_validation import unwrap_credential, validate_document

from .test_reports import EVIL, make_run

REPO = Path(__file__).resolve().parents[2]
CLOCK = datetime(2026, 1, 15, 12, 0, 0, tzinfo=UTC)


def _key(tmp_path: Path, key_type: KeyType = KeyType.ED25519) -> tuple[Path, Signer]:
    signer = Signer.did_key(KeyPair.generate(key_type))
    path = tmp_path / f"operator-{key_type.value}.key.json"
    write_key_file(path, signer)
    return path, signer


def _verified(path: Path) -> dict[str, Any]:
    """The credential in ``path``, verified offline (did:key), decoded."""
    secured = json.loads(path.read_text(encoding="utf-8"))
    assert secured["type"] == "EnvelopedVerifiableCredential"
    report = verifiers.offline().verifier().verify_credential(secured)
    assert report.verified, [c.to_dict() for c in report.errors]
    assert not report.warnings, [c.to_dict() for c in report.warnings]
    document, from_jws = unwrap_credential(secured)
    assert from_jws
    return document


@pytest.mark.parametrize("key_type", list(KeyType), ids=lambda k: k.value)
def test_the_credential_verifies_and_binds_the_report(tmp_path: Path, key_type: KeyType) -> None:
    _, signer = _key(tmp_path, key_type)
    reports = tmp_path / "reports"
    write_reports(make_run(), reports)
    path = write_credential(reports, signer, operator="Example Operator", clock=lambda: CLOCK)
    assert path == reports / CREDENTIAL_NAME
    credential = _verified(path)
    assert credential["type"] == ["DigitalConformityCredential", "VerifiableCredential"]
    assert credential["issuer"] == {
        "type": ["CredentialIssuer"], "id": signer.controller, "name": "Example Operator"
    }  # fmt: skip
    # A UNTP 0.7.0 DCC (formats asserted), and what `vcservice validate` accepts.
    assert schema_failures(credential) == []
    assert validate_document(credential, loader=bundled_loader()).verified
    report_bytes = (reports / "report.json").read_bytes()
    evidence = credential["credentialSubject"]["auditableEvidence"]
    assert evidence["digestMultibase"] == digest_bytes(report_bytes)
    assert evidence["linkURL"] == (reports / "report.json").resolve().as_uri()
    assert evidence["mediaType"] == "application/json"
    assert report_matches(credential, report_bytes)
    # One byte changed, or the same JSON re-serialised: no longer the signed report.
    assert not report_matches(credential, report_bytes.replace(b'"passed"', b'"failed"', 1))
    assert not report_matches(credential, report_bytes + b"\n")
    reformatted = json.dumps(json.loads(report_bytes)).encode()
    assert not report_matches(credential, reformatted)


def test_the_subject_summarises_the_run(tmp_path: Path) -> None:
    run = make_run()
    reports = tmp_path / "reports"
    write_reports(run, reports)
    credential = conformance_credential(
        (reports / "report.json").read_bytes(),
        issuer="did:example:operator",
        report_url="https://ci.example/runs/7/report.json",
        now=CLOCK,
    )
    assert schema_failures(credential) == []
    subject = credential["credentialSubject"]
    assert subject["attestationType"] == "testing"
    assert subject["auditableEvidence"]["linkURL"] == "https://ci.example/runs/7/report.json"
    assert subject["profileScore"] == {
        "code": "not-conformant", "definition": "9 passed, 2 failed, 2 skipped, 2 error"
    }  # fmt: skip
    assert credential["validFrom"] == "2026-01-15T12:00:00Z"
    version = run.versions["vcservice"]
    assert credential["issuingSoftware"]["version"] == version
    assert subject["referenceProfile"]["name"] == f"vcservice-conformance {version}"
    assert run.started in subject["description"]
    assert run.finished in subject["description"]
    whole, *assessments = subject["conformityAssessment"]
    measures = {p["metric"]["id"].rsplit("/", 1)[1]: p["measure"]["value"]
                for p in whole["assessedPerformance"]}  # fmt: skip
    assert measures == run.counts()
    assert whole["conformance"] is False
    assert [c["id"] for c in whole["assessmentCriteria"]] == [
        f"{SCHEME_ID}/suites/{s}" for s in ("securing", "status", "interop")
    ]
    assert [p["product"]["name"] for p in whole["assessedProduct"]] == ["alpha", "beta", EVIL]
    assert whole["assessedProduct"][0]["product"]["id"] == "http://127.0.0.1:8001/credentials/issue"
    by_name = {a["name"]: a for a in assessments}
    # One per implementation (or interop cell) and suite, in the report's order.
    assert list(by_name)[:4] == ["securing: alpha", "securing: beta", f"securing: {EVIL}",
                                 "status: alpha"]  # fmt: skip
    alpha = by_name["securing: alpha"]
    assert alpha["conformance"] is False
    assert "Failed: securing.vc-jwt.tampered-signature." in alpha["description"]
    assert [c["id"] for c in alpha["assessmentCriteria"]] == [
        f"{SCHEME_ID}/checks/securing.vc-jwt.round-trip",
        f"{SCHEME_ID}/checks/securing.vc-jwt.tampered-signature",
    ]
    beta = by_name["securing: beta"]
    assert beta["conformance"] is False  # an error is not a pass
    assert "Could not run: securing.vc-jwt.round-trip." in beta["description"]
    assert by_name["status: alpha"]["conformance"] is True
    cell = by_name["interop: alpha→beta"]
    assert [p["product"]["name"] for p in cell["assessedProduct"]] == ["alpha", "beta"]
    assert cell["conformance"] is False
    # Every check skipped: nothing was assessed, so no verdict either way.
    assert "conformance" not in by_name[f"interop: {EVIL}→alpha"]
    # Hostile names stay text: escaped control characters, percent-encoded in URIs.
    text = json.dumps(credential, ensure_ascii=False)
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]", text)
    evil = by_name[f"securing: {EVIL}"]["assessmentCriteria"][0]["id"]
    assert evil.startswith(f"{SCHEME_ID}/checks/securing.%3Cscript%3E")


def test_a_run_that_passed_is_conformant(tmp_path: Path) -> None:
    run = Run(started="2026-01-15T11:00:00Z", finished="2026-01-15T11:00:03Z",
              implementations=[{"name": "solo"}], suites=["status"],
              versions={"vcservice": "9.9.9"})  # fmt: skip
    run.results = [Result("status.revoke", "status", Outcome.PASSED, "solo"),
                   Result("status.suspend", "status", Outcome.SKIPPED, "solo")]  # fmt: skip
    write_reports(run, tmp_path)
    credential = conformance_credential(
        (tmp_path / "report.json").read_bytes(),
        issuer="did:example:op",
        report_url="https://x.example/r",
    )
    subject = credential["credentialSubject"]
    assert subject["profileScore"]["code"] == "conformant"
    assert [a["conformance"] for a in subject["conformityAssessment"]] == [True, True]
    # No endpoint configured: the implementation still has a URI, never its name.
    product = subject["conformityAssessment"][1]["assessedProduct"][0]["product"]
    assert product["name"] == "solo"
    assert product["id"].startswith("urn:uuid:")
    assert subject["conformityAssessment"][0]["assessmentDate"] == "2026-01-15"
    assert schema_failures(credential) == []


def test_a_credential_too_large_to_carry_says_what_to_do(tmp_path: Path) -> None:
    run = Run(started="2026-01-15T11:00:00Z", implementations=[{"name": "big"}],
              suites=["datamodel"], versions={"vcservice": "0.1.0"})  # fmt: skip
    run.results = [
        Result(f"datamodel.case-{i:05}", "datamodel", Outcome.PASSED, "big", title="x" * 120)
        for i in range(6000)
    ]
    write_reports(run, tmp_path)
    _, signer = _key(tmp_path)
    with pytest.raises(CredentialError, match=r"larger than the limit .*6000 criteria: sign a "
                       r"smaller run, with --suite or --implementation"):  # fmt: skip
        write_credential(tmp_path, signer)
    assert not (tmp_path / CREDENTIAL_NAME).exists()


# --- the CLI ----------------------------------------------------------------------------------
def _signed_file(tmp_path: Path, key: Path) -> Path:
    """examples/credential.json issued with the operator's key (a did:key: verifiable offline)."""
    issued = CliRunner().invoke(
        vcservice_app, ["issue", str(REPO / "examples" / "credential.json"), "--key", str(key)]
    )
    assert issued.exit_code == 0, issued.output
    path = tmp_path / "signed.json"
    path.write_text(issued.stdout, encoding="utf-8")
    return path


def _config(tmp_path: Path) -> Path:
    path = tmp_path / "platforms.toml"
    path.write_text(
        '[[implementation]]\nname = "fake"\nverifier = "http://fake.test/credentials/verify"\n',
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("command", ["run", "files"])
def test_the_cli_writes_a_credential_vcservice_verifies(tmp_path: Path, command: str) -> None:
    key, signer = _key(tmp_path)
    signed = _signed_file(tmp_path, key)
    reports = tmp_path / "reports"
    url = "https://ci.example/runs/1/report.json"
    common = ["--report", str(reports), "--sign-with", str(key), "--operator", "ACME CI",
              "--report-url", url]  # fmt: skip
    if command == "run":
        args = ["run", "--config", str(_config(tmp_path)), "--suite", "files",
                "--file", str(signed), *common]  # fmt: skip
    else:
        args = ["files", str(signed), *common]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    path = reports / CREDENTIAL_NAME
    assert f"report: {path}" in result.output
    assert sorted(p.name for p in reports.iterdir()) == sorted(
        ["report.json", "junit.xml", "report.html", CREDENTIAL_NAME]
    )
    # `vcservice verify` verifies it (did:key: nothing to fetch).
    verified = CliRunner().invoke(vcservice_app, ["verify", str(path), "--offline", "--json"])
    assert verified.exit_code == 0, verified.output
    credential = json.loads(verified.stdout)["document"]
    assert credential == _verified(path)
    assert credential["issuer"]["id"] == signer.controller
    assert credential["issuer"]["name"] == "ACME CI"
    subject = credential["credentialSubject"]
    assert subject["auditableEvidence"]["linkURL"] == url
    assert subject["profileScore"]["code"] == "conformant"
    assert {c["id"] for a in subject["conformityAssessment"] for c in a["assessmentCriteria"]} >= {
        f"{SCHEME_ID}/suites/files"
    }
    # The digest `vcservice digest --raw report.json` prints is the one signed.
    digest = CliRunner().invoke(vcservice_app, ["digest", "--raw", str(reports / "report.json")])
    assert digest.stdout.strip() == subject["auditableEvidence"]["digestMultibase"]
    report = reports / "report.json"
    assert report_matches(credential, report.read_bytes())
    report.write_bytes(report.read_bytes().replace(b'"ok": true', b'"ok": false', 1))
    assert not report_matches(credential, report.read_bytes())


def _bare_jwk(tmp_path: Path) -> Path:
    """A public JWK only: no private key to sign with."""
    path, _ = _key(tmp_path)
    document = json.loads(path.read_text())
    path.write_text(json.dumps({k: v for k, v in document["privateKeyJwk"].items() if k != "d"}))
    return path


def _bad_method(tmp_path: Path) -> Path:
    path, _ = _key(tmp_path)
    document = json.loads(path.read_text()) | {"verificationMethod": "not-a-did-url"}
    path.write_text(json.dumps(document))
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: tmp / "missing.key.json", "cannot read key file"),
        (lambda tmp: (tmp / "k.json").write_text("{not json") and tmp / "k.json", "key file"),
        (lambda tmp: (tmp / "k.json").write_text("[]") and tmp / "k.json", "JSON object"),
        (_bare_jwk, "key file"),
        (_bad_method, "verificationMethod must be a DID URL"),
    ],
    ids=["missing", "not-json", "not-an-object", "public-key-only", "bad-verification-method"],
)
@pytest.mark.parametrize("command", ["run", "files"])
def test_an_unusable_key_file_is_refused_before_anything_runs(
    tmp_path: Path, command: str, make: Any, message: str
) -> None:
    key = make(tmp_path)
    reports = tmp_path / "reports"
    signed = REPO / "examples" / "copper" / "make-cathode.json"
    if command == "run":
        args = ["run", "--config", str(_config(tmp_path)), "--suite", "files",
                "--file", str(signed)]  # fmt: skip
    else:
        args = ["files", str(signed)]
    result = CliRunner().invoke(app, [*args, "--report", str(reports), "--sign-with", str(key)])
    assert result.exit_code == 2, result.output
    assert "unusable key file for --sign-with" in result.output
    assert message in result.output
    assert not reports.exists()  # refused before the run: no report, no credential


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--sign-with", "KEY"], "--sign-with needs --report"),
        (["--report", "R", "--sign-with", "KEY", "--report-url", "report.json"],
         "--report-url must be an absolute http(s) URL"),
        (["--report", "R", "--report-url", "https://x.example/r.json"],
         "--report-url needs --sign-with"),
    ],
)  # fmt: skip
def test_signing_options_that_do_not_fit_exit_2(
    tmp_path: Path, extra: list[str], message: str
) -> None:
    key, _ = _key(tmp_path)
    reports = tmp_path / "reports"
    args = [str(key) if a == "KEY" else str(reports) if a == "R" else a for a in extra]
    signed = str(REPO / "examples" / "copper" / "make-cathode.json")
    result = CliRunner().invoke(app, ["files", signed, *args])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert not reports.exists()
