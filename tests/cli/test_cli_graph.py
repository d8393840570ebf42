"""``vcservice verify-graph``: a readable summary and exit 0 verified / 1 not / 2 bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import REPO
from vcservice.cli import app

COPPER = REPO / "examples" / "copper"
ANCHOR = "did:web:accreditation.example.se"
runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["verify-graph", "--offline", *args])
    return result.exit_code, result.output


def test_the_copper_chain_verifies_from_its_final_claim() -> None:
    code, out = run(
        str(COPPER / "claim-computers.json"),
        "--bundle",
        str(COPPER),
        "--trust-anchor",
        ANCHOR,
        "--at",
        "2026-06-01",
    )
    assert code == 0, out
    assert "claim-computers: VERIFIED" in out
    assert "footprint claimed 8, computed 8 kg CO2e/kg" in out
    assert f"← {ANCHOR}" in out


def test_json_output_is_the_full_report() -> None:
    code, out = run(
        str(COPPER / "dpp-wire-cu80.json"), "--bundle", str(COPPER), "--json", "--at", "2026-06-01"
    )
    report = json.loads(out)
    assert report["root"].endswith("/dpp-wire-cu80")
    assert code == (0 if report["verified"] else 1)
    assert report["trustAnchors"] == [ANCHOR]  # from the chain's trust-anchors.json


@pytest.mark.parametrize("name", ["massbalance.overallocated", "graph.cycle", "links.digest"])
def test_a_negative_bundle_file_names_its_root_and_fails(name: str) -> None:
    path = COPPER / "negative" / f"{name}.json"
    code, out = run(str(path))
    assert code == 1, out
    assert "NOT VERIFIED" in out
    assert name in out


def test_without_any_trust_anchor_the_input_is_unusable(tmp_path: Path) -> None:
    code, out = run(str(COPPER / "claim-computers.json"))
    assert code == 2
    assert "--trust-anchor" in out


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("missing", "cannot read"),
        ("not-json", "neither JSON nor a compact JWS"),
        ("bad-bundle", "documents must be an object"),
    ],
)
def test_unusable_inputs_exit_2(tmp_path: Path, setup: str, message: str) -> None:
    path = tmp_path / "input.json"
    if setup == "not-json":
        path.write_text("hello")
    elif setup == "bad-bundle":
        path.write_text(
            json.dumps({"type": "ProvenanceGraphBundle", "root": "https://x", "documents": []})
        )
    code, out = run(str(path), "--trust-anchor", ANCHOR)
    assert code == 2
    assert message in out
