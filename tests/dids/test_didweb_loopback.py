"""did:web against a real HTTP server on 127.0.0.1: the size cap and timeouts on real sockets.

MockTransport hands the resolver whole chunks; a socket delivers whatever the kernel has. These
tests make sure the streaming limits hold there too. The server is started per test on a free
port and only ever listens on loopback.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from vcservice.dids import DidWebResolver, did_document, did_web_client, did_web_for
from vcservice.errors import ResolutionError
from vcservice.keys import KeyPair, KeyType

pytestmark = pytest.mark.network

Respond = Callable[[BaseHTTPRequestHandler], None]


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, respond: Respond) -> None:
        self.respond = respond
        self.paths: list[str] = []
        super().__init__(("127.0.0.1", 0), _Handler)

    def handle_error(self, request: object, client_address: object) -> None:
        """The client hanging up mid-body is the point of some tests; stay quiet about it."""


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        self.server.paths.append(self.path)
        self.server.respond(self)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def serve() -> Iterator[Callable[[Respond], _Server]]:
    servers: list[tuple[_Server, threading.Thread]] = []

    def start(respond: Respond) -> _Server:
        server = _Server(respond)
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
        thread.start()
        servers.append((server, thread))
        return server

    yield start
    for server, thread in servers:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _did(server: _Server) -> str:
    return did_web_for(f"127.0.0.1:{server.server_address[1]}", ["t", "acme"])


def test_resolves_over_a_real_socket(serve: Callable[[Respond], _Server]) -> None:
    key = KeyPair.generate(KeyType.ED25519).public
    holder: dict[str, bytes] = {}

    def respond(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/did+json")
        handler.send_header("Content-Length", str(len(holder["body"])))
        handler.end_headers()
        handler.wfile.write(holder["body"])

    server = serve(respond)
    did = _did(server)
    document = did_document(did, [("key-1", key)])
    holder["body"] = json.dumps(document).encode()

    with did_web_client(allow_http_loopback=True) as client:
        resolver = DidWebResolver(client, allow_http_loopback=True)
        assert resolver.resolve(did) == document
        assert resolver.resolve(did) == document
    assert server.paths == ["/t/acme/did.json"]


def test_endless_body_is_cut_at_the_cap(serve: Callable[[Respond], _Server]) -> None:
    def respond(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.end_headers()  # HTTP/1.0, no Content-Length: the body runs until close
        handler.wfile.write(b'{"id": "')
        for _ in range(10_000):  # 10 MB at most, should the client not hang up
            handler.wfile.write(b"x" * 1024)

    server = serve(respond)
    with did_web_client(allow_http_loopback=True) as client:
        resolver = DidWebResolver(client, allow_http_loopback=True, max_bytes=64 * 1024)
        with pytest.raises(ResolutionError, match="larger than 65536 bytes"):
            resolver.resolve(_did(server))


def test_redirect_from_a_real_server_is_refused(serve: Callable[[Respond], _Server]) -> None:
    def respond(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(302)
        handler.send_header("Location", "http://169.254.169.254/latest/meta-data/")
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    server = serve(respond)
    with did_web_client(allow_http_loopback=True) as client:
        resolver = DidWebResolver(client, allow_http_loopback=True)
        with pytest.raises(ResolutionError, match=r"HTTP 302 redirecting to .*169\.254\.169\.254"):
            resolver.resolve(_did(server))
    assert len(server.paths) == 1


def test_server_that_never_answers_times_out(serve: Callable[[Respond], _Server]) -> None:
    release = threading.Event()

    def respond(handler: BaseHTTPRequestHandler) -> None:
        release.wait(timeout=5)

    server = serve(respond)
    try:
        with did_web_client(allow_http_loopback=True) as client:
            resolver = DidWebResolver(client, allow_http_loopback=True, timeout=0.2)
            # Issue 13: "could not fetch", not "timed out" (port state stays private).
            with pytest.raises(ResolutionError, match=r"could not fetch http://127\.0\.0\.1"):
                resolver.resolve(_did(server))
    finally:
        release.set()


def test_without_the_flag_no_connection_is_made(serve: Callable[[Respond], _Server]) -> None:
    server = serve(lambda handler: handler.send_response(500))
    with did_web_client() as client, pytest.raises(ResolutionError, match="loopback"):
        DidWebResolver(client).resolve(_did(server))
    assert server.paths == []
