"""``vcservice serve`` (and so ``make run``) prints where to start (issue 12, "the first
minute"): the landing page, the buyer page, the console and the API docs; behind 0.0.0.0 the
address to open is the public URL, and a database password is never printed."""

from __future__ import annotations

from typing import Any

import pytest
import uvicorn
from typer.testing import CliRunner

from vcservice.cli import app


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """uvicorn.run replaced: the banner is printed, nothing listens."""
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: calls.append(kwargs))
    return calls


def _banner(*args: str, **env: str) -> str:
    result = CliRunner().invoke(app, ["serve", *args], env=env)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_banner_names_every_starting_point(started: list[dict[str, Any]]) -> None:
    out = _banner("--port", "8123", VCSERVICE_DATABASE_URL="sqlite:///./x.db")
    base = "http://127.0.0.1:8123"
    for path in ("/", "/verify", "/console", "/docs", "/vocab/", "/healthz"):
        assert f"{base}{path}" in out, out
    assert f"Open {base}/ and click 'Verify an example'." in out, out
    assert [call["port"] for call in started] == [8123]


def test_behind_every_interface_it_names_the_public_url_and_hides_the_password(
    started: list[dict[str, Any]],
) -> None:
    out = _banner(
        "--host",
        "0.0.0.0",  # nothing listens: uvicorn.run is replaced
        VCSERVICE_PUBLIC_URL="https://vc.example.org",
        VCSERVICE_DATABASE_URL="postgresql+psycopg://vc:s3cret@db.example/vc",
        VCSERVICE_SECRET_KEY="A" * 43,
    )
    assert "https://vc.example.org/verify" in out, out
    assert "0.0.0.0" not in out
    assert "s3cret" not in out
    assert "postgresql+psycopg://vc:***@db.example/vc" in out
