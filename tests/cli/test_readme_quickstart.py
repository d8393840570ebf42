"""The README's service walk-through (create a tenant, issue, verify, revoke, verify) run as
written, twice, against a live service: a user who repeats a step must not lose ``vc.json``.

The commands come from the README's "The service" section. Two substitutions stand in for the
user: ``KEY`` is set from what ``tenants create`` printed (the README's ``KEY=vcs_...`` line is
a placeholder), and ``http://127.0.0.1:8000`` becomes the free loopback port the service runs on
here, over the same ``./vcservice.db`` that the ``tenants create`` command writes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.serve import serving
from vcservice.service import Service
from vcservice.settings import Settings

from ._readme import Result, forget_settings, run, sh_blocks, user_environment, workspace

README_URL = "http://127.0.0.1:8000"
PUBLIC_URL = "http://localhost:8000"  # the default, as for `make run`


def _walkthrough() -> tuple[list[str], list[str]]:
    """(tenant commands, the issue-verify-revoke-verify commands), in README order."""
    blocks = sh_blocks("The service")
    setup = [c for c in blocks[0] if not c.startswith("KEY=")]
    steps = [c for block in blocks[1:] for c in block]
    assert len(steps) == 4, steps
    assert "/credentials/issue" in steps[0]
    assert "/credentials/verify" in steps[1]
    assert "/credentials/status" in steps[2]
    assert "/credentials/verify" in steps[3]
    return setup, steps


def _report(result: Result) -> dict[str, Any]:
    assert result.returncode == 0, result
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def _failed_ids(report: dict[str, Any]) -> list[str]:
    return [check["id"] for check in report["errors"]]


@pytest.mark.network
def test_walkthrough_twice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    forget_settings(monkeypatch)
    setup, steps = _walkthrough()
    workspace(tmp_path, setup)
    env = user_environment()
    # As after `make run`: the service is up on ./vcservice.db, then the tenant is created.
    service = Service.from_settings(
        Settings(database_url=f"sqlite:///{tmp_path / 'vcservice.db'}", public_url=PUBLIC_URL)
    )
    try:
        with serving(service) as url:
            [tenant] = run(setup, tmp_path, env)
            assert tenant.returncode == 0, tenant
            env["KEY"] = json.loads(tenant.stdout)["api_key"]
            commands = [c.replace(README_URL, url) for c in steps]
            first = run(commands, tmp_path, env)
            issued = (tmp_path / "vc.json").read_bytes()
            status_after_first = httpx.post(
                f"{url}/credentials/verify", content=issued, headers=_json()
            ).status_code
            second = run(commands, tmp_path, env)
            kept = (tmp_path / "vc.json").read_bytes()
            status_after_second = httpx.post(
                f"{url}/credentials/verify", content=kept, headers=_json()
            ).status_code
    finally:
        service.close()

    # First run: issued, verified (200), revoked, then 422 with status.revocation.
    assert first[0].returncode == 0, first[0]
    credential = json.loads(issued)["verifiableCredential"]
    assert credential["type"] == "EnvelopedVerifiableCredential"
    assert _report(first[1])["verified"] is True
    assert _report(first[2])["credentialStatus"][0]["status"] is True
    assert _failed_ids(_report(first[3])) == ["status.revocation"]
    assert status_after_first == 422

    # Second run: the issue is refused (409) with a message, and vc.json is left as it was; the
    # credential is still sound, only revoked, and revoking it again changes nothing.
    assert first[0].stderr == ""
    assert second[0].returncode == 22, second[0]
    assert "409" in second[0].stderr
    assert kept == issued
    assert _failed_ids(_report(second[1])) == ["status.revocation"]
    assert _report(second[2])["credentialStatus"][0]["status"] is True
    assert _failed_ids(_report(second[3])) == ["status.revocation"]
    assert status_after_second == 422


def _json() -> dict[str, str]:
    return {"Content-Type": "application/json"}
