"""``vcservice did resolve``: the resolution result, offline from a did:webvh log, and the exit
codes (0 resolved, 1 invalid log, 2 unusable input, 3 could not resolve)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.dids.test_history_methods import RotatedDid, rotated_did
from vcservice.cli import app
from vcservice.errors import PROBLEM_BASE


@pytest.fixture(scope="module")
def rotated() -> RotatedDid:
    return rotated_did()


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["did", "resolve", *args])
    return result.exit_code, result.stdout, result.stderr


def test_resolves_offline_from_a_log(rotated: RotatedDid, tmp_path: Path) -> None:
    log = tmp_path / "did.jsonl"
    log.write_text(rotated.log)
    code, out, _ = _run(rotated.did, "--log", str(log))
    assert code == 0
    assert json.loads(out)["didDocumentMetadata"]["versionId"].startswith("2-")
    code, out, _ = _run(rotated.did, "--log", str(log), "--version-time", "2025-01-02T00:00:00Z")
    assert code == 0
    assert json.loads(out)["didDocumentMetadata"]["versionId"].startswith("1-")


def test_exit_codes(rotated: RotatedDid, tmp_path: Path) -> None:
    broken = tmp_path / "broken.jsonl"
    broken.write_text(rotated.log.replace("key-b", "key-x", 1))
    code, _, err = _run(rotated.did, "--log", str(broken))
    assert code == 1
    assert PROBLEM_BASE + "did-log" in err

    log = tmp_path / "did.jsonl"
    log.write_text(rotated.log)
    assert _run(rotated.did, "--log", str(tmp_path / "missing.jsonl"))[0] == 2
    assert _run(rotated.did, "--log", str(log), "--version-id", "9-nope")[0] == 2
    assert _run("not-a-did")[0] == 2
    assert _run("did:example:123")[0] == 3  # a method no resolver here supports
