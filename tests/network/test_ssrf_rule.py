"""Issue 13, "The SSRF rule lives in one fetcher only": did:web and status lists obey it too.

DNS is played by a fake ``getaddrinfo`` and every attempt to open a socket is recorded and
refused, so nothing here sends a packet anywhere; the positive paths use servers these tests
start on loopback.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.serve import free_port
from vcservice.dids import DidWebResolver, did_web_client
from vcservice.errors import ResolutionError
from vcservice.status import HttpStatusListFetcher

pytestmark = pytest.mark.network

REFUSED = [
    "10.0.0.5",
    "172.16.0.1",
    "192.168.1.1",
    "127.0.0.1",
    "169.254.169.254",
    "100.100.100.200",
    "100.64.0.1",
    "0.0.0.0",
    "224.0.0.1",
    "198.18.0.1",
    "240.0.0.1",
    "::1",
    "fe80::1",
    "fc00::1",
    "fd00:ec2::254",
    "ff0e::1",
    "::ffff:10.0.0.1",
    "::ffff:169.254.169.254",
    "64:ff9b::a9fe:a9fe",
    "2002:a00:1::",
]


@pytest.fixture
def dialled(monkeypatch: pytest.MonkeyPatch) -> Callable[[list[str]], list[Any]]:
    """Install fake DNS answers; returns the list of connection attempts (none get through)."""
    attempts: list[Any] = []

    def install(answers: list[str]) -> list[Any]:
        def getaddrinfo(host: str, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
            family = socket.AF_INET6 if ":" in answers[0] else socket.AF_INET
            return [(family, socket.SOCK_STREAM, 6, "", (a, int(port or 443))) for a in answers]

        def create_connection(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
            attempts.append(address)
            raise ConnectionRefusedError("test: no connection may be opened")

        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
        monkeypatch.setattr(socket, "create_connection", create_connection)
        return attempts

    return install


@pytest.mark.parametrize("address", REFUSED)
def test_did_web_refuses_a_name_resolving_to_a_private_address(
    dialled: Callable[[list[str]], list[Any]], address: str
) -> None:
    """Why: "The SSRF rule lives in one fetcher only" (did:web resolution)."""
    attempts = dialled([address])
    with did_web_client() as client, pytest.raises(ResolutionError, match="not a public address"):
        DidWebResolver(client).resolve("did:web:issuer.example")
    assert attempts == []


@pytest.mark.parametrize("address", REFUSED)
def test_status_lists_refuse_a_name_resolving_to_a_private_address(
    dialled: Callable[[list[str]], list[Any]], address: str
) -> None:
    """Why: "The SSRF rule lives in one fetcher only" (status-list fetching)."""
    attempts = dialled([address])
    with did_web_client() as client, pytest.raises(ResolutionError, match="not a public address"):
        HttpStatusListFetcher(client).fetch("https://status.example/lists/1")
    assert attempts == []


def test_one_private_answer_among_public_ones_is_enough_to_refuse(
    dialled: Callable[[list[str]], list[Any]],
) -> None:
    """Why: "The SSRF rule lives in one fetcher only": every DNS answer must be public."""
    attempts = dialled(["93.184.215.14", "10.0.0.5"])
    with did_web_client() as client, pytest.raises(ResolutionError, match="not a public address"):
        DidWebResolver(client).resolve("did:web:issuer.example")
    assert attempts == []


# --- port state -------------------------------------------------------------------------------
class _Silent(threading.Thread):
    """A loopback listener that accepts and then either says nothing or hangs up at once."""

    def __init__(self, *, hang_up: bool) -> None:
        super().__init__(daemon=True)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)
        self.hang_up = hang_up
        self.stop = threading.Event()
        self.held: list[socket.socket] = []

    @property
    def port(self) -> int:
        port: int = self.listener.getsockname()[1]
        return port

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            if self.hang_up:
                conn.close()
            else:
                self.held.append(conn)

    def close(self) -> None:
        self.stop.set()
        self.join(timeout=2)
        for conn in self.held:
            conn.close()
        self.listener.close()


def _message(port: int) -> str:
    resolver_client = did_web_client(timeout=0.3, allow_http_loopback=True)
    with resolver_client as client:
        resolver = DidWebResolver(client, allow_http_loopback=True, timeout=0.3)
        with pytest.raises(ResolutionError) as info:
            resolver.resolve(f"did:web:127.0.0.1%3A{port}")
    return str(info.value).replace(str(port), "PORT")


def test_failures_do_not_reveal_whether_a_port_is_open() -> None:
    """Why: "The SSRF rule lives in one fetcher only ... their error text tells whether the
    port was open": closed, silent and hanging-up ports read the same."""
    silent, hangs_up = _Silent(hang_up=False), _Silent(hang_up=True)
    silent.start()
    hangs_up.start()
    try:
        messages = {_message(free_port()), _message(silent.port), _message(hangs_up.port)}
    finally:
        silent.close()
        hangs_up.close()
    assert messages == {
        "could not resolve did:web:127.0.0.1%3APORT: could not fetch "
        "http://127.0.0.1:PORT/.well-known/did.json"
    }


# --- one lookup, and the checked address is the one dialled ----------------------------------
class _Lists(ThreadingHTTPServer):
    daemon_threads = True


class _ListHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b'{"id": "x"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.server.hosts.append(self.headers.get("Host"))  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_a_rebinding_name_is_resolved_once_and_the_checked_address_dialled() -> None:
    """Why: "The SSRF rule lives in one fetcher only": check and connection use one answer."""
    from vcservice._fetch import fetch_client

    server = _Lists(("127.0.0.1", 0), _ListHandler)
    server.hosts = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    answers = iter([["127.0.0.1"], ["10.0.0.5"], ["10.0.0.5"]])
    asked: list[str] = []

    def lookup(host: str, port: int) -> list[str]:
        asked.append(host)
        return next(answers)

    port = server.server_address[1]
    try:
        with fetch_client(lookup=lookup, allow_http_loopback=True) as client:
            fetcher = HttpStatusListFetcher(client, allow_http_loopback=True, cache_size=0)
            assert fetcher.fetch(f"http://rebind.localhost:{port}/list") == {"id": "x"}
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    assert asked == ["rebind.localhost"]
    assert server.hosts == [f"rebind.localhost:{port}"]  # type: ignore[attr-defined]
