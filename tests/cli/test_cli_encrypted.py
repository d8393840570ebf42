"""``verify-graph --link-key URL=KEY`` on the copper chain with its cathode make event
published encrypted (UNTP's example: the transformation event that names the inputs): verified
with the key, indeterminate (exit 3) for that link without it, unusable input for a bad key."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tests.conftest import REPO
from vcservice.cli import app
from vcservice.confidential import new_key, seal
from vcservice.graph import BUNDLE_TYPE, load_bundle

COPPER = REPO / "examples" / "copper"
MAKE = "https://credentials.boreal-copper.example/make-cathode"
CLAIM = "https://credentials.nordlys-computers.example/claim-computers"
KEY = new_key()
runner = CliRunner()


def run(tmp_path: Path, *extra: str) -> tuple[int, str]:
    """The copper chain, its make event replaced by ciphertext (the source bundle's documents
    win over ``--bundle``'s)."""
    sealed = seal(load_bundle(COPPER).documents[MAKE], KEY)
    source = tmp_path / "encrypted.json"
    source.write_text(json.dumps({"type": BUNDLE_TYPE, "root": CLAIM, "documents": {MAKE: sealed}}))
    args = [str(source), "--bundle", str(COPPER), "--at", "2026-06-01", *extra]
    result = runner.invoke(app, ["verify-graph", "--offline", *args])
    return result.exit_code, result.output


def test_the_key_opens_the_encrypted_link_and_the_chain_verifies(tmp_path: Path) -> None:
    code, out = run(tmp_path, "--link-key", f"{MAKE}={KEY}")
    assert code == 0, out
    assert "links.encrypted" not in out


def test_without_the_key_only_that_link_is_indeterminate(tmp_path: Path) -> None:
    code, out = run(tmp_path)
    assert code == 3, out
    problems = [line for line in out.splitlines() if line.startswith("  indeterminate")]
    assert problems
    assert all("links.encrypted" in line and "no key was given" in line for line in problems)
    assert "  failed" not in out


def test_a_malformed_link_key_is_unusable_input(tmp_path: Path) -> None:
    code, out = run(tmp_path, "--link-key", f"{MAKE}=secret")
    assert code == 2, out
    assert "hexadecimal" in out
    code, out = run(tmp_path, "--link-key", KEY)
    assert code == 2, out
    assert "URL=KEY" in out
