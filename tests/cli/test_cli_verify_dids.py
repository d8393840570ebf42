"""`vcservice verify --did-document FILE`: offline did:web resolution from given documents."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tests.conftest import REPO
from vcservice.cli import app

CHAIN = REPO / "examples" / "copper"
DIDS = sorted((CHAIN / "dids").glob("*.json"))
runner = CliRunner()


def _args(*docs: Path) -> list[str]:
    return [arg for doc in docs for arg in ("--did-document", str(doc))]


def test_verifies_with_the_issuers_did_document() -> None:
    doc = CHAIN / "dids" / "accreditation.example.se.json"
    result = runner.invoke(
        app, ["verify", *_args(doc), "--at", "2026-06-01", str(CHAIN / "accreditation.json")]
    )
    assert result.exit_code == 0, result.output
    assert "did:web:accreditation.example.se" in result.output


def test_every_example_verifies_with_all_documents() -> None:
    """Offline, a credential with a status entry could not be checked (exit 3), never passes:
    its list is not at hand. (Before issue 13 these exited 0 with a status.unchecked warning.)"""
    index = json.loads((CHAIN / "index.json").read_text())["credentials"]
    codes = set()
    for path in (CHAIN / entry["file"] for entry in index):
        args = ["verify", "--offline", "--json", *_args(*DIDS), "--at", "2026-06-01", str(path)]
        result = runner.invoke(app, args)
        errors = json.loads(result.stdout)["errors"]
        assert all(e["id"].startswith("status.") for e in errors), (path.name, errors)
        assert all(e["outcome"] == "indeterminate" for e in errors), (path.name, errors)
        assert result.exit_code == (3 if errors else 0), (path.name, result.output)
        codes.add(result.exit_code)
    assert codes == {0, 3}


def test_a_document_with_another_key_fails_verification(tmp_path: Path) -> None:
    other = json.loads((CHAIN / "dids" / "boreal-copper.example.json").read_text())
    text = json.dumps(other).replace(
        "did:web:boreal-copper.example", "did:web:accreditation.example.se"
    )
    fake = tmp_path / "fake.json"
    fake.write_text(text)
    result = runner.invoke(
        app, ["verify", *_args(fake), "--at", "2026-06-01", str(CHAIN / "accreditation.json")]
    )
    assert result.exit_code == 1, result.output


def test_unusable_did_documents_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("not json")
    noid = tmp_path / "noid.json"
    noid.write_text('{"id": 3}')
    doc = CHAIN / "dids" / "accreditation.example.se.json"
    target = str(CHAIN / "accreditation.json")
    for args in (_args(bad), _args(noid), _args(doc, doc), _args(tmp_path / "missing.json")):
        result = runner.invoke(app, ["verify", *args, target])
        assert result.exit_code == 2, (args, result.output)


def test_a_did_webvh_log_resolves_its_issuer_with_history() -> None:
    """--did-log: steel's certifier is a did:webvh whose key rotated after this credential was
    signed; verified offline against the version then in force, with the warning saying so."""
    log = REPO / "examples" / "steel" / "dids" / "certification.steelcert.example.jsonl"
    credential = REPO / "examples" / "steel" / "pcf-pellets.json"
    args = ["verify", "--offline", "--did-log", str(log), "--at", "2026-06-01", str(credential)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "warning proof.key-history" in result.output
    broken = runner.invoke(app, ["verify", "--offline", "--did-log", str(credential), "x"])
    assert broken.exit_code == 2, broken.output
