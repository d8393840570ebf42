"""The service over real loopback HTTP for tests that need a socket (browsers, concurrency):
uvicorn in a daemon thread on a free port, stopped when the ``with`` block ends."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from vcservice.api import create_app
from vcservice.service import Service


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def serving(service: Service, port: int | None = None) -> Iterator[str]:
    """``http://127.0.0.1:<port>`` of an app over ``service``, ready when yielded; ``port``
    (default: a free one) when the service must know it first (its ``public_url``)."""
    config = uvicorn.Config(
        create_app(service=service),
        host="127.0.0.1",
        port=port or free_port(),
        log_level="warning",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
