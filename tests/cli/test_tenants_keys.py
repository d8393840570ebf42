"""`vcservice tenants` for did:webvh tenants and keys: create, rotate, retire, deactivate, and
the audit trail re-checked from the database (exit 1 naming the first edited event)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from vcservice.cli import app

runner = CliRunner()


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'vc.db'}"
    monkeypatch.setenv("VCSERVICE_DATABASE_URL", url)
    monkeypatch.setenv("VCSERVICE_PUBLIC_URL", "https://certifier.example")
    monkeypatch.delenv("VCSERVICE_SECRET_KEY", raising=False)
    return url


def run(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, ["tenants", *args])
    assert result.exit_code == code, result.output
    return result.output


def test_webvh_tenant_rotates_and_its_trail_verifies(database: str) -> None:
    created = json.loads(run("create", "cb", "--did-method", "webvh", "--pre-rotation"))
    assert created["did"].startswith("did:webvh:")
    assert created["did"].endswith(":certifier.example:tenants:cb")
    new = json.loads(run("rotate", "cb", "--key-type", "p256"))
    assert (new["fragment"], new["type"], new["backend"]) == ("key-2", "p256", "vault")
    assert new["id"] == f"{created['did']}#key-2"

    result = runner.invoke(app, ["tenants", "key-events", "cb", "--verify"])
    assert result.exit_code == 0, result.output
    trail = json.loads(result.stdout)
    assert trail["did"] == created["did"]
    assert [e["event"] for e in trail["events"]][-1] == "rotated"
    assert "key audit trail intact" in result.stderr

    deactivated = json.loads(run("deactivate", "cb"))
    assert deactivated["did"] == created["did"]
    assert run("deactivate", "cb", code=2).startswith("error: ")  # once is for ever
    assert run("rotate", "cb", code=2).startswith("error: ")

    with create_engine(database).begin() as connection:
        connection.execute(text("UPDATE key_events SET detail = '{}' WHERE seq = 3"))
    broken = runner.invoke(app, ["tenants", "key-events", "cb", "--verify"])
    assert broken.exit_code == 1
    assert "BROKEN at seq 3" in broken.stderr


def test_refusals_exit_2(database: str) -> None:
    run("create", "fixed", "--did-method", "key")
    assert "no tenant 'ghost'" in run("rotate", "ghost", code=2)
    assert "did:key" in run("rotate", "fixed", code=2)
    assert "did:webvh" in run("deactivate", "fixed", code=2)
    assert "pre-rotation" in run("create", "x", "--pre-rotation", code=2)
    assert "not configured" in run("create", "y", "--key-backend", "pkcs11", code=2)
    run("create", "web")
    assert "key-9" in run("retire-key", "web", "key-9", code=2)
    assert "last" in run("retire-key", "web", "key-1", code=2)
