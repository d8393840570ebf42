"""The README's Command-line section runs as written, in order, from a fresh repository root.

The section promises that each command exits 0. Its first block needs nothing but the
installed command and the example files; its second fetches the ledger checkpoint and the
service's DID document from the service ``make run`` serves, then audits the database that
service uses. Here that service is the app on a free loopback port over ``./vcservice.db`` of
the temporary root, and the README's ``http://127.0.0.1:8000`` is rewritten to that address.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.serve import serving
from vcservice.service import Service
from vcservice.settings import Settings

from ._readme import Result, forget_settings, run, sh_blocks, workspace

README_URL = "http://127.0.0.1:8000"


def _blocks() -> tuple[list[str], list[str]]:
    blocks = sh_blocks("Command line")
    assert len(blocks) == 2, "expected the offline block and the ledger block"
    return blocks[0], blocks[1]


def _failures(results: list[Result]) -> list[str]:
    return [
        f"{r.command!r} exited {r.returncode}\n{r.stdout[-2000:]}{r.stderr[-2000:]}"
        for r in results
        if r.returncode != 0
    ]


def test_offline_commands_run_as_written(tmp_path: Path) -> None:
    commands, _ = _blocks()
    assert commands[0] == ". .venv/bin/activate"
    results = run(commands, workspace(tmp_path, commands))
    assert not _failures(results), "\n".join(_failures(results))
    by_command = {r.command.split("#")[0].strip(): r for r in results}
    assert "valid draft" in by_command["vcservice validate examples/credential.json --draft"].stdout
    signed = json.loads((tmp_path / "signed.json").read_text())
    key = json.loads(by_command[next(c for c in by_command if "keys generate" in c)].stdout)
    assert signed["issuer"] == key["did"], "issue fills in the key's DID"
    assert signed["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert by_command["vcservice verify signed.json"].stdout.startswith("verified:")
    assert json.loads(by_command["vcservice verify signed.json --json"].stdout)["verified"]


def test_the_draft_needs_draft(tmp_path: Path) -> None:
    """Why the README says --draft: without it the draft is no credential (it has no issuer)."""
    commands = [". .venv/bin/activate", "vcservice validate examples/credential.json"]
    [_, plain] = run(commands, workspace(tmp_path, commands))
    assert plain.returncode == 1
    assert "datamodel.issuer" in plain.stderr
    assert "--draft" in plain.stderr


@pytest.mark.network
def test_ledger_commands_run_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    forget_settings(monkeypatch)
    _, commands = _blocks()
    assert any(README_URL in c for c in commands), "the block fetches from `make run`'s service"
    assert any(c.startswith("vcservice ledger verify") for c in commands)
    # `make run` serves ./vcservice.db from the repository root, where these commands run.
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'vcservice.db'}")
    service = Service.from_settings(settings)
    try:
        with serving(service) as url:
            rewritten = [c.replace(README_URL, url) for c in commands]
            workspace(tmp_path, rewritten)
            results = run([". .venv/bin/activate", *rewritten], tmp_path)
    finally:
        service.close()
    assert not _failures(results), "\n".join(_failures(results))
    audit = results[-1].stdout
    assert audit.startswith("ledger intact:")
    assert "your checkpoint of 0 entries" in audit
    assert "signatures checked with the DID document's keys" in audit
    assert (tmp_path / "cp.jwt").read_text().count(".") == 2
    assert json.loads((tmp_path / "did.json").read_text())["id"].startswith("did:web:")
