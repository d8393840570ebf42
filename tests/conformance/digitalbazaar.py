"""Start Digital Bazaar's stack (conformance/adapters/digitalbazaar) for the interop matrix.

Installed from the npm registry into a temporary directory (``npm ci`` against the committed
lock file), served on a free loopback port. Without Node.js and npm the caller skips, saying so.
"""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.conftest import REPO
from tests.node import node_unavailable, npm_install

ADAPTER = REPO / "conformance" / "adapters" / "digitalbazaar"
#: Fixed issuing key, so a run is reproducible (a test key: never use it elsewhere).
SEED = "5d" * 32


def unavailable() -> str | None:
    """Why the adapter cannot run here, or None."""
    return node_unavailable("Digital Bazaar's implementation is not in the matrix")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def digitalbazaar(workdir: Path) -> Iterator[str]:
    """The adapter's base URL while the context is open."""
    target = npm_install(ADAPTER, workdir / "digitalbazaar")
    port = _free_port()
    log = target / "server.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            ["node", "server.mjs", "--port", str(port), "--seed", SEED],
            cwd=target,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                output = log.read_text(errors="replace")
                raise RuntimeError(f"the Digital Bazaar adapter did not start: {output[-2000:]}")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
