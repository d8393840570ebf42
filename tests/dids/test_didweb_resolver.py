"""DidWebResolver over httpx.MockTransport: what it sends, what it refuses, what it caches."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.fakes import FakeClock
from vcservice.dids import DidWebResolver
from vcservice.errors import ResolutionError

from .conftest import MakeResolver, document_for, serve_documents

DID = "did:web:issuer.example"
URL = "https://issuer.example/.well-known/did.json"
DOC = document_for(DID)


def ok(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json=DOC)


def body(content: bytes, **headers: str) -> httpx.Response:
    return httpx.Response(200, content=content, headers=headers)


class Chunks(httpx.SyncByteStream):
    """A body sent in pieces with no Content-Length (chunked), recording how far it was read."""

    def __init__(self, chunks: list[bytes], on_chunk: FakeClock | None = None) -> None:
        self.chunks = chunks
        self.sent = 0
        self.on_chunk = on_chunk

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.chunks:
            self.sent += 1
            if self.on_chunk is not None:
                self.on_chunk.advance(1.0)
            yield chunk


# --- the request --------------------------------------------------------------------------
def test_resolves_and_sends_a_careful_get(make_resolver: MakeResolver) -> None:
    resolver, host = make_resolver(ok, timeout=2.5)
    assert resolver.resolve(DID) == DOC

    (request,) = host.requests
    assert request.method == "GET"
    assert str(request.url) == URL
    assert request.headers["Accept-Encoding"] == "identity"
    assert "application/did+json" in request.headers["Accept"]
    assert request.extensions["timeout"] == {
        "connect": 2.5,
        "read": 2.5,
        "write": 2.5,
        "pool": 2.5,
    }


def test_client_credentials_are_never_sent(make_resolver: MakeResolver) -> None:
    resolver, host = make_resolver(ok, client_options={"auth": ("tenant", "secret")})
    resolver.resolve(DID)
    assert "Authorization" not in host.requests[0].headers


@pytest.mark.parametrize(
    ("did", "url"),
    [
        ("did:web:example.com", "https://example.com/.well-known/did.json"),
        ("did:web:example.com:user:alice", "https://example.com/user/alice/did.json"),
        ("did:web:example.com%3A8443:t:acme", "https://example.com:8443/t/acme/did.json"),
    ],
)
def test_fetches_the_spec_url(make_resolver: MakeResolver, did: str, url: str) -> None:
    resolver, host = make_resolver(serve_documents({url: document_for(did)}))
    assert resolver.resolve(did)["id"] == did
    assert [str(r.url) for r in host.requests] == [url]


# --- where ----------------------------------------------------------------------------------
def test_http_loopback_only_with_the_flag(make_resolver: MakeResolver) -> None:
    did = "did:web:localhost%3A8443:t:acme"
    url = "http://localhost:8443/t/acme/did.json"
    handler = serve_documents({url: document_for(did)})

    strict, strict_host = make_resolver(handler)
    with pytest.raises(ResolutionError, match="loopback"):
        strict.resolve(did)
    assert strict_host.requests == []

    relaxed, relaxed_host = make_resolver(handler, allow_http_loopback=True)
    assert relaxed.resolve(did)["id"] == did
    assert [str(r.url) for r in relaxed_host.requests] == [url]


def test_loopback_flag_does_not_downgrade_other_hosts(make_resolver: MakeResolver) -> None:
    resolver, host = make_resolver(ok, allow_http_loopback=True)
    resolver.resolve(DID)
    assert host.requests[0].url.scheme == "https"


@pytest.mark.parametrize(
    "did", ["did:web:10.1.2.3", "did:web:169.254.169.254", "did:web:192.168.0.1%3A443"]
)
def test_private_ip_literal_refused_without_a_request(
    make_resolver: MakeResolver, did: str
) -> None:
    resolver, host = make_resolver(ok, allow_http_loopback=True)
    with pytest.raises(ResolutionError, match="IP address"):
        resolver.resolve(did)
    assert host.requests == []


@pytest.mark.parametrize("did", ["did:web:", "did:web:a..b", "did:web:example.com#key-1", "x"])
def test_invalid_syntax_refused_without_a_request(make_resolver: MakeResolver, did: str) -> None:
    resolver, host = make_resolver(ok)
    with pytest.raises(ResolutionError, match=r"did:web|not a"):
        resolver.resolve(did)
    assert host.requests == []


# --- redirects and status ---------------------------------------------------------------------
@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("client_follows", [False, True])
def test_redirects_are_refused(
    make_resolver: MakeResolver, status: int, client_follows: bool
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "issuer.example":
            return httpx.Response(status, headers={"Location": "https://evil.example/did.json"})
        return httpx.Response(200, json=DOC)

    resolver, host = make_resolver(handler, client_options={"follow_redirects": client_follows})
    with pytest.raises(
        ResolutionError, match=rf"{URL} answered HTTP {status} redirecting to .*evil"
    ):
        resolver.resolve(DID)
    assert len(host.requests) == 1


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (404, "HTTP 404 \\(no DID document there\\)"),
        (410, "HTTP 410"),
        (500, "HTTP 500"),
        (204, "204"),
    ],
)
def test_non_200_is_a_resolution_error(
    make_resolver: MakeResolver, status: int, message: str
) -> None:
    resolver, _ = make_resolver(lambda request: httpx.Response(status))
    with pytest.raises(ResolutionError, match=message):
        resolver.resolve(DID)


# --- size -------------------------------------------------------------------------------------
def padded(size: int) -> bytes:
    """A valid DID document of exactly ``size`` bytes."""
    base = json.dumps({"id": DID, "pad": ""}).encode()
    return json.dumps({"id": DID, "pad": "x" * (size - len(base))}).encode()


def test_body_of_exactly_max_bytes_is_accepted(make_resolver: MakeResolver) -> None:
    resolver, _ = make_resolver(lambda request: body(padded(1000)), max_bytes=1000)
    assert resolver.resolve(DID)["id"] == DID


def test_declared_oversize_is_refused_before_reading(make_resolver: MakeResolver) -> None:
    stream = Chunks([b"{}"])
    resolver, _ = make_resolver(
        lambda request: httpx.Response(200, headers={"Content-Length": "1001"}, stream=stream),
        max_bytes=1000,
    )
    with pytest.raises(ResolutionError, match=f"response from {URL} is larger than 1000 bytes"):
        resolver.resolve(DID)
    assert stream.sent == 0


def test_oversize_refused_when_content_length_lies(make_resolver: MakeResolver) -> None:
    stream = Chunks([padded(600), b" " * 600, b" " * 600])
    resolver, _ = make_resolver(
        lambda request: httpx.Response(200, headers={"Content-Length": "10"}, stream=stream),
        max_bytes=1000,
    )
    with pytest.raises(ResolutionError, match="larger than 1000 bytes"):
        resolver.resolve(DID)
    assert stream.sent == 2  # stopped at the chunk that crossed the limit


def test_oversize_refused_without_content_length(make_resolver: MakeResolver) -> None:
    stream = Chunks([b"x" * 400] * 1000)  # 400 kB that would arrive chunked
    resolver, _ = make_resolver(lambda request: httpx.Response(200, stream=stream), max_bytes=1000)
    with pytest.raises(ResolutionError, match="larger than 1000 bytes"):
        resolver.resolve(DID)
    assert stream.sent == 3


def test_default_cap_is_256_kib(make_resolver: MakeResolver) -> None:
    resolver, _ = make_resolver(lambda request: body(padded(256 * 1024 + 1)))
    with pytest.raises(ResolutionError, match="larger than 262144 bytes"):
        resolver.resolve(DID)


def test_compressed_body_is_refused(make_resolver: MakeResolver) -> None:
    resolver, _ = make_resolver(lambda request: body(b"\x1f\x8b", **{"Content-Encoding": "gzip"}))
    with pytest.raises(ResolutionError, match="'gzip'-encoded"):
        resolver.resolve(DID)


# --- content ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(b"<html>hello</html>", "valid UTF-8 JSON", id="html"),
        pytest.param(b"", "valid UTF-8 JSON", id="empty"),
        pytest.param(b'{"id": "did:web:issuer.example"', "valid UTF-8 JSON", id="truncated"),
        pytest.param(b'\xff{"id": 1}', "valid UTF-8 JSON", id="not-utf8"),
        pytest.param(
            b'{"id": "did:web:issuer.example", "id": "did:web:other.example"}',
            "duplicate member",
            id="duplicate-id",
        ),
        pytest.param(b'{"id": "did:web:issuer.example", "x": NaN}', "NaN", id="nan"),
        pytest.param(b'["did:web:issuer.example"]', "not an object", id="array"),
        pytest.param(b'"did:web:issuer.example"', "not an object", id="string"),
        pytest.param(b'{"id": "did:web:other.example"}', "has id 'did:web:other.example'", id="id"),
        pytest.param(b'{"id": "did:web:issuer.example:x"}', "not the DID", id="id-prefix"),
        pytest.param(b"{}", "has id None", id="no-id"),
    ],
)
def test_bad_content_is_refused(make_resolver: MakeResolver, content: bytes, message: str) -> None:
    resolver, _ = make_resolver(lambda request: body(content))
    with pytest.raises(ResolutionError, match=message):
        resolver.resolve(DID)


# --- time -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "exception", [httpx.ConnectTimeout, httpx.ReadTimeout, httpx.PoolTimeout, httpx.WriteTimeout]
)
def test_timeout_is_a_resolution_error(
    make_resolver: MakeResolver, exception: type[httpx.TimeoutException]
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exception("timed out", request=request)

    resolver, _ = make_resolver(handler, timeout=1.5)
    # Issue 13: the message no longer says "timed out" (that tells filtered from closed ports).
    with pytest.raises(ResolutionError, match=f"could not fetch {URL}$") as info:
        resolver.resolve(DID)
    assert isinstance(info.value.__cause__, exception)


@pytest.mark.parametrize(
    "exception", [httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError]
)
def test_network_failure_is_a_resolution_error(
    make_resolver: MakeResolver, exception: type[httpx.TransportError]
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exception("boom", request=request)

    resolver, _ = make_resolver(handler)
    # Issue 13: one message for every connection failure, the kind only in the server log.
    with pytest.raises(ResolutionError, match=f"could not fetch {URL}$"):
        resolver.resolve(DID)


def test_slow_drip_hits_the_overall_deadline(make_resolver: MakeResolver, clock: FakeClock) -> None:
    # Each chunk "takes" one second on the fake clock: no single read times out, the total does.
    stream = Chunks([b" "] * 100, on_chunk=clock)
    resolver, _ = make_resolver(lambda request: httpx.Response(200, stream=stream), timeout=5.0)
    with pytest.raises(ResolutionError, match="took longer than 5 s"):
        resolver.resolve(DID)
    assert stream.sent == 6


# --- cache ------------------------------------------------------------------------------------
def test_second_resolve_is_served_from_cache(make_resolver: MakeResolver) -> None:
    resolver, host = make_resolver(ok)
    assert resolver.resolve(DID) == resolver.resolve(DID) == DOC
    assert len(host.requests) == 1


def test_entry_expires_after_ttl(make_resolver: MakeResolver, clock: FakeClock) -> None:
    resolver, host = make_resolver(ok, cache_ttl=60.0)
    resolver.resolve(DID)
    clock.advance(59.9)
    resolver.resolve(DID)
    assert len(host.requests) == 1
    clock.advance(0.2)
    resolver.resolve(DID)
    assert len(host.requests) == 2


def test_cached_document_cannot_be_changed_by_a_caller(make_resolver: MakeResolver) -> None:
    resolver, _ = make_resolver(ok)
    first = resolver.resolve(DID)
    first["id"] = "did:web:tampered.example"
    first["@context"].append("https://evil.example/context")
    assert resolver.resolve(DID) == DOC


def test_failures_are_not_cached(make_resolver: MakeResolver) -> None:
    answers = iter([httpx.Response(503), httpx.Response(200, json=DOC)])
    resolver, host = make_resolver(lambda request: next(answers))
    with pytest.raises(ResolutionError, match="HTTP 503"):
        resolver.resolve(DID)
    assert resolver.resolve(DID) == DOC
    assert len(host.requests) == 2


def test_cache_is_bounded(make_resolver: MakeResolver, clock: FakeClock) -> None:
    dids = [f"did:web:issuer{i}.example" for i in range(3)]
    docs = {
        f"https://issuer{i}.example/.well-known/did.json": document_for(d)
        for i, d in enumerate(dids)
    }
    resolver, host = make_resolver(serve_documents(docs), cache_size=2)
    for did in dids:
        resolver.resolve(did)
        clock.advance(1)
    resolver.resolve(dids[2])  # still cached
    assert len(host.requests) == 3
    resolver.resolve(dids[0])  # evicted by the third
    assert len(host.requests) == 4


@pytest.mark.parametrize("options", [{"cache_size": 0}, {"cache_ttl": 0}])
def test_cache_can_be_disabled(make_resolver: MakeResolver, options: dict[str, float]) -> None:
    resolver, host = make_resolver(ok, **options)
    resolver.resolve(DID)
    resolver.resolve(DID)
    assert len(host.requests) == 2


def test_concurrent_resolution_from_a_thread_pool(make_resolver: MakeResolver) -> None:
    dids = [f"did:web:issuer{i}.example" for i in range(8)]
    docs = {
        f"https://issuer{i}.example/.well-known/did.json": document_for(d)
        for i, d in enumerate(dids)
    }
    handler = serve_documents(docs)
    lock = threading.Lock()

    def locked(request: httpx.Request) -> httpx.Response:
        with lock:  # MockTransport's recorder list is shared; the resolver itself needs no lock
            return handler(request)

    resolver, host = make_resolver(locked, cache_size=4)
    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(resolver.resolve, dids * 50))
    assert [r["id"] for r in results] == dids * 50
    assert len(dids) <= len(host.requests) <= len(dids) * 50


# --- construction -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "options",
    [{"timeout": 0}, {"timeout": -1}, {"max_bytes": 0}, {"cache_size": -1}, {"cache_ttl": -5}],
)
def test_nonsense_settings_are_refused(options: dict[str, float]) -> None:
    with (
        httpx.Client(transport=httpx.MockTransport(ok)) as client,
        pytest.raises(ValueError, match="must"),
    ):
        DidWebResolver(client, **options)  # type: ignore[arg-type]
