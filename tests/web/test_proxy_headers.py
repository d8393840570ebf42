"""Issue 13, "Proxy headers": forwarded headers count only from configured proxies.

The service runs as ``vcservice serve`` runs it (a subprocess with the real uvicorn options)
on a free loopback port; every request comes from 127.0.0.1, which uvicorn used to trust.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.serve import free_port
from vcservice.settings import Settings

pytestmark = pytest.mark.network

Serve = Callable[[dict[str, str]], tuple[str, Path]]


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Serve]:
    """Start ``vcservice serve`` with extra environment; returns its URL and its log file."""
    processes: list[subprocess.Popen[bytes]] = []

    def start(extra: dict[str, str]) -> tuple[str, Path]:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log = tmp_path / f"server-{port}.log"
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith("VCSERVICE_") and key != "FORWARDED_ALLOW_IPS"
        }
        env.update(
            {
                "VCSERVICE_DATABASE_URL": f"sqlite:///{tmp_path / f'db-{port}.sqlite'}",
                "VCSERVICE_PUBLIC_URL": base,
                "VCSERVICE_SECRET_KEY": secrets.token_urlsafe(32),
                **extra,
            }
        )
        command = [sys.executable, "-c", "from vcservice.cli import main; main()", "serve"]
        with log.open("wb") as sink:
            process = subprocess.Popen(
                [*command, "--host", "127.0.0.1", "--port", str(port)],
                env=env,
                stdout=sink,
                stderr=subprocess.STDOUT,
            )
        processes.append(process)
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code < 500:
                    return base, log
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(log.read_text())
            time.sleep(0.1)

    yield start
    for process in processes:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _sign_in(base: str, api_key: str, forwarded_for: str) -> int:
    response = httpx.post(
        f"{base}/console/login",
        data={"api_key": api_key},
        headers={"Origin": base, "X-Forwarded-For": forwarded_for},
        timeout=10,
    )
    return response.status_code


def _wrong_key() -> str:
    return "vcs_" + secrets.token_urlsafe(32)


def _logged_clients(log: Path) -> set[str]:
    clients = set()
    for line in log.read_text(errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and entry.get("logger") == "vcservice.console":
            clients.add(str(entry.get("client")))
    return clients


def test_rotating_x_forwarded_for_does_not_dodge_the_lockout(serve: Serve) -> None:
    """Why: "Proxy headers" (15 wrong keys with a rotating X-Forwarded-For were never locked,
    and the logged addresses were the forged ones)."""
    base, log = serve({})
    codes = [_sign_in(base, _wrong_key(), f"203.0.113.{n}") for n in range(15)]
    assert codes[:9] == [401] * 9
    assert codes[9:] == [429] * 6
    assert _logged_clients(log) == {"127.0.0.1"}


def test_a_configured_proxy_is_believed(serve: Serve) -> None:
    """Why: "Proxy headers": with VCSERVICE_FORWARDED_ALLOW_IPS the header is honoured."""
    base, log = serve({"VCSERVICE_FORWARDED_ALLOW_IPS": "127.0.0.1"})
    assert [_sign_in(base, _wrong_key(), f"203.0.113.{n}") for n in range(12)] == [401] * 12
    # One forwarded client is still counted on its own.
    codes = [_sign_in(base, _wrong_key(), "198.51.100.7") for _ in range(10)]
    assert codes == [401] * 9 + [429]
    assert "203.0.113.11" in _logged_clients(log)
    assert "127.0.0.1" not in _logged_clients(log)


def test_guesses_at_one_key_from_many_addresses_are_locked_out_together(serve: Serve) -> None:
    """Why: "Proxy headers": the throttle also keys on the tenant key being tried, so a
    distributed guesser completing one known key prefix is slowed whatever its addresses."""
    base, _ = serve({"VCSERVICE_FORWARDED_ALLOW_IPS": "127.0.0.0/8"})
    prefix = "vcs_" + secrets.token_urlsafe(6)[:8]
    codes = [
        _sign_in(base, prefix + secrets.token_urlsafe(30), f"203.0.113.{n}") for n in range(11)
    ]
    assert codes == [401] * 9 + [429, 429]


@pytest.mark.parametrize("value", ["*", "10.0.0.1,proxy.internal", "10.0.0.0/33"])
def test_forwarded_allow_ips_takes_only_addresses_and_networks(value: str) -> None:
    """Why: "Proxy headers": trust is configured explicitly; a typo or ``*`` is refused."""
    with pytest.raises(ValueError, match="forwarded_allow_ips"):
        Settings(forwarded_allow_ips=value)
    assert Settings().trusted_proxies == []
    assert Settings(forwarded_allow_ips=" 10.0.0.1, fd00::/8 ").trusted_proxies == [
        "10.0.0.1",
        "fd00::/8",
    ]
