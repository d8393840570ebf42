"""HttpStatusListFetcher over httpx.MockTransport: where it goes, what it reads, what it keeps."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.fakes import FakeClock
from vcservice.errors import ResolutionError
from vcservice.status import HttpStatusListFetcher, MapStatusListFetcher, StatusListFetcher

from .conftest import LIST_URL, MakeFetcher, list_credential

LIST = list_credential(5)
JWS = "eyJhbGciOiJFZERTQSJ9.eyJjcmVkZW50aWFsU3ViamVjdCI6eyJ0dGwiOjEwMDB9fQ.c2ln"  # ttl 1000 ms


def ok(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json=LIST)


def body(content: bytes, content_type: str | None = None, **headers: str) -> httpx.Response:
    if content_type is not None:
        headers["Content-Type"] = content_type
    return httpx.Response(200, content=content, headers=headers)


class Chunks(httpx.SyncByteStream):
    """A chunked body with no Content-Length, recording how many chunks were sent."""

    def __init__(self, chunks: list[bytes], clock: FakeClock | None = None) -> None:
        self.chunks = chunks
        self.sent = 0
        self.clock = clock

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.chunks:
            self.sent += 1
            if self.clock is not None:
                self.clock.advance(1.0)
            yield chunk


def test_both_fetchers_satisfy_the_protocol(make_fetcher: MakeFetcher) -> None:
    fetcher, _ = make_fetcher(ok)
    assert isinstance(fetcher, StatusListFetcher)
    assert isinstance(MapStatusListFetcher({}), StatusListFetcher)


# --- the request ------------------------------------------------------------------------------
def test_fetches_json_with_a_careful_get(make_fetcher: MakeFetcher) -> None:
    fetcher, host = make_fetcher(ok, timeout=2.5)
    assert fetcher.fetch(LIST_URL) == LIST
    (request,) = host.requests
    assert request.method == "GET"
    assert str(request.url) == LIST_URL
    assert request.headers["Accept-Encoding"] == "identity"
    assert "application/vc+jwt" in request.headers["Accept"]
    assert "application/vc" in request.headers["Accept"]
    assert request.headers["User-Agent"] == "vcservice-status-list-fetcher"
    assert request.extensions["timeout"] == dict.fromkeys(("connect", "read", "write", "pool"), 2.5)


def test_client_credentials_are_never_sent(make_fetcher: MakeFetcher) -> None:
    fetcher, host = make_fetcher(
        ok,
        client_options={
            "auth": ("tenant", "secret"),
            "headers": {"Authorization": "Bearer internal-token", "X-Trace": "kept"},
            "cookies": {"session": "s3cret"},
        },
    )
    fetcher.fetch(LIST_URL)
    headers = host.requests[0].headers
    assert "Authorization" not in headers
    assert "Cookie" not in headers
    assert headers["X-Trace"] == "kept"


def test_query_is_kept(make_fetcher: MakeFetcher) -> None:
    """The spec's ``timestamp`` parameter asks for a list as of a point in time."""
    fetcher, host = make_fetcher(ok)
    url = LIST_URL + "?timestamp=2024-01-01T00%3A00%3A00Z"
    fetcher.fetch(url)
    assert str(host.requests[0].url) == url


# --- where ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://status.example/lists/1", "only https"),
        ("ftp://status.example/lists/1", "only absolute https"),
        ("file:///etc/passwd", "only absolute https"),
        ("/lists/1", "only absolute https"),
        ("status.example/lists/1", "only absolute https"),
        ("https://10.0.0.8/lists/1", "IP address .*private"),
        ("https://169.254.169.254/latest/meta-data", "IP address .*link-local"),
        ("https://0xa9fea9fe/x", "IP address .*link-local"),
        ("https://3232235521/x", "IP address .*private"),  # 192.168.0.1 as one number
        ("https://8.8.8.8/x", "IP address .*public"),
        ("https://[fd00::1]/x", "IP address"),
        ("https://[::ffff:169.254.169.254]/x", "IP address"),
        ("https://user:pw@status.example/x", "user info"),
        ("https://status.example/x#frag", "fragment"),
        ("https://exa mple.com/x", "%-escape"),
        ("https://status.example./x", "not a valid domain name"),
        ("https://status.example/" + "x" * 2100, "at most 2048"),
    ],
)
def test_refused_urls_make_no_request(make_fetcher: MakeFetcher, url: str, message: str) -> None:
    fetcher, host = make_fetcher(ok, allow_http_loopback=True)
    with pytest.raises(ResolutionError, match=message):
        fetcher.fetch(url)
    assert host.requests == []


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost:8000/status-lists/1",
        "http://127.0.0.1:8000/status-lists/1",
        "http://127.1:8000/status-lists/1",
        "http://2130706433:8000/status-lists/1",
        "https://tenant.localhost/status-lists/1",
        "http://[::1]:8000/status-lists/1",
    ],
)
def test_loopback_only_with_the_flag(make_fetcher: MakeFetcher, url: str) -> None:
    strict, strict_host = make_fetcher(ok)
    with pytest.raises(ResolutionError, match="loopback"):
        strict.fetch(url)
    assert strict_host.requests == []

    relaxed, relaxed_host = make_fetcher(ok, allow_http_loopback=True)
    assert relaxed.fetch(url) == LIST
    assert len(relaxed_host.requests) == 1


def test_loopback_flag_does_not_allow_http_elsewhere(make_fetcher: MakeFetcher) -> None:
    fetcher, host = make_fetcher(ok, allow_http_loopback=True)
    with pytest.raises(ResolutionError, match="only https"):
        fetcher.fetch("http://status.example/lists/1")
    assert host.requests == []


# --- redirects and status ---------------------------------------------------------------------
@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("client_follows", [False, True])
def test_redirects_are_refused(
    make_fetcher: MakeFetcher, status: int, client_follows: bool
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "status.example":
            return httpx.Response(status, headers={"Location": "http://169.254.169.254/"})
        return ok(request)

    fetcher, host = make_fetcher(handler, client_options={"follow_redirects": client_follows})
    with pytest.raises(ResolutionError, match=rf"answered HTTP {status} redirecting to .*169"):
        fetcher.fetch(LIST_URL)
    assert len(host.requests) == 1


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (404, r"HTTP 404 \(no status list there\)"),
        (410, "HTTP 410"),
        (500, "HTTP 500"),
        (204, "204"),
    ],
)
def test_non_200_is_a_resolution_error(
    make_fetcher: MakeFetcher, status: int, message: str
) -> None:
    fetcher, _ = make_fetcher(lambda request: httpx.Response(status))
    with pytest.raises(ResolutionError, match=f"could not fetch status list .*{message}"):
        fetcher.fetch(LIST_URL)


# --- size -------------------------------------------------------------------------------------
def test_default_cap_is_1_mib(make_fetcher: MakeFetcher) -> None:
    padded = dict(LIST, pad="x" * (1 << 20))
    fetcher, _ = make_fetcher(lambda request: httpx.Response(200, json=padded))
    with pytest.raises(ResolutionError, match="larger than 1048576 bytes"):
        fetcher.fetch(LIST_URL)


def test_body_at_the_cap_is_accepted(make_fetcher: MakeFetcher) -> None:
    content = json.dumps(LIST).encode()
    fetcher, _ = make_fetcher(lambda r: body(content, "application/vc"), max_bytes=len(content))
    assert fetcher.fetch(LIST_URL) == LIST


def test_declared_oversize_is_refused_before_reading(make_fetcher: MakeFetcher) -> None:
    stream = Chunks([b"{}"])
    fetcher, _ = make_fetcher(
        lambda r: httpx.Response(200, headers={"Content-Length": "1001"}, stream=stream),
        max_bytes=1000,
    )
    with pytest.raises(ResolutionError, match="larger than 1000 bytes"):
        fetcher.fetch(LIST_URL)
    assert stream.sent == 0


def test_oversize_refused_while_streaming(make_fetcher: MakeFetcher) -> None:
    stream = Chunks([b"x" * 400] * 1000)  # no Content-Length: 400 kB would arrive
    fetcher, _ = make_fetcher(lambda r: httpx.Response(200, stream=stream), max_bytes=1000)
    with pytest.raises(ResolutionError, match="larger than 1000 bytes"):
        fetcher.fetch(LIST_URL)
    assert stream.sent == 3


def test_compressed_transfer_is_refused(make_fetcher: MakeFetcher) -> None:
    fetcher, _ = make_fetcher(
        lambda r: body(b"\x1f\x8b", "application/vc", **{"Content-Encoding": "gzip"})
    )
    with pytest.raises(ResolutionError, match="'gzip'-encoded"):
        fetcher.fetch(LIST_URL)


# --- bodies -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "content_type",
    [
        "application/vc",
        "application/json",
        "application/vc+ld+json",
        "application/ld+json; charset=utf-8",
        None,
        "text/plain",
        "application/octet-stream",
    ],
)
def test_json_bodies(make_fetcher: MakeFetcher, content_type: str | None) -> None:
    fetcher, _ = make_fetcher(lambda r: body(json.dumps(LIST).encode(), content_type))
    assert fetcher.fetch(LIST_URL) == LIST


@pytest.mark.parametrize(
    "content_type", ["application/vc+jwt", "application/jwt", None, "text/plain"]
)
def test_compact_jws_bodies(make_fetcher: MakeFetcher, content_type: str | None) -> None:
    fetcher, _ = make_fetcher(lambda r: body(JWS.encode() + b"\r\n", content_type))
    assert fetcher.fetch(LIST_URL) == JWS


def test_enveloped_credential_is_returned_as_json(make_fetcher: MakeFetcher) -> None:
    envelope = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": "EnvelopedVerifiableCredential",
        "id": "data:application/vc+jwt," + JWS,
    }
    fetcher, _ = make_fetcher(lambda r: httpx.Response(200, json=envelope))
    assert fetcher.fetch(LIST_URL) == envelope


@pytest.mark.parametrize(
    ("content", "content_type", "message"),
    [
        pytest.param(b'{"a": 1}', "application/vc+jwt", "not a compact JWS", id="json-as-jwt"),
        pytest.param(JWS.encode(), "application/vc", "valid UTF-8 JSON", id="jwt-as-json"),
        pytest.param(b"[1, 2]", "application/json", "not an object", id="array"),
        pytest.param(b'"' + JWS.encode() + b'"', "application/json", "not an object", id="string"),
        pytest.param(b'{"a": 1, "a": 2}', "application/vc", "duplicate member", id="duplicate"),
        pytest.param(b'{"a": NaN}', "application/vc", "NaN", id="nan"),
        pytest.param(
            b"<html>hi</html>", "text/html", "neither a JSON object nor a compact JWS", id="html"
        ),
        pytest.param(b"", None, "neither", id="empty"),
        pytest.param(b"a.b.c~disclosure~", "application/vc+sd-jwt", "neither", id="sd-jwt"),
        pytest.param(b"\xff\xfe", "application/octet-stream", "neither", id="binary"),
    ],
)
def test_bad_bodies_are_resolution_errors(
    make_fetcher: MakeFetcher, content: bytes, content_type: str | None, message: str
) -> None:
    fetcher, _ = make_fetcher(lambda r: body(content, content_type))
    with pytest.raises(ResolutionError, match=message):
        fetcher.fetch(LIST_URL)


# --- time ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "exception", [httpx.ConnectTimeout, httpx.ReadTimeout, httpx.PoolTimeout, httpx.WriteTimeout]
)
def test_timeouts_are_resolution_errors(
    make_fetcher: MakeFetcher, exception: type[httpx.TimeoutException]
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exception("timed out", request=request)

    fetcher, _ = make_fetcher(handler, timeout=1.5)
    # Issue 13: the message no longer says "timed out" (that tells filtered from closed ports).
    with pytest.raises(ResolutionError, match=f"could not fetch {LIST_URL}$") as info:
        fetcher.fetch(LIST_URL)
    assert isinstance(info.value.__cause__, exception)


@pytest.mark.parametrize(
    "exception", [httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError]
)
def test_network_failures_are_resolution_errors(
    make_fetcher: MakeFetcher, exception: type[httpx.TransportError]
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exception("boom", request=request)

    fetcher, _ = make_fetcher(handler)
    # Issue 13: one message for every connection failure, the kind only in the server log.
    with pytest.raises(ResolutionError, match=f"could not fetch {LIST_URL}$"):
        fetcher.fetch(LIST_URL)


def test_slow_drip_hits_the_overall_deadline(make_fetcher: MakeFetcher, clock: FakeClock) -> None:
    stream = Chunks([b" "] * 100, clock=clock)  # each chunk "takes" one second
    fetcher, _ = make_fetcher(lambda r: httpx.Response(200, stream=stream), timeout=5.0)
    with pytest.raises(ResolutionError, match="took longer than 5 s"):
        fetcher.fetch(LIST_URL)
    assert stream.sent == 6


# --- cache ----------------------------------------------------------------------------------------
def test_second_fetch_is_served_from_cache(make_fetcher: MakeFetcher) -> None:
    fetcher, host = make_fetcher(ok)
    assert fetcher.fetch(LIST_URL) == fetcher.fetch(LIST_URL) == LIST
    assert len(host.requests) == 1


def test_entry_expires_after_cache_ttl(make_fetcher: MakeFetcher, clock: FakeClock) -> None:
    fetcher, host = make_fetcher(ok, cache_ttl=60.0)
    fetcher.fetch(LIST_URL)
    clock.advance(59.9)
    fetcher.fetch(LIST_URL)
    assert len(host.requests) == 1
    clock.advance(0.2)
    fetcher.fetch(LIST_URL)
    assert len(host.requests) == 2


@pytest.mark.parametrize(
    ("ttl_ms", "cache_ttl", "kept_for"),
    [(10_000, 60.0, 10.0), (600_000, 60.0, 60.0), (1, 60.0, 0.001)],
    ids=["list-ttl-shorter", "capped-by-cache-ttl", "one-millisecond"],
)
def test_list_ttl_is_honoured_and_capped(
    make_fetcher: MakeFetcher, clock: FakeClock, ttl_ms: int, cache_ttl: float, kept_for: float
) -> None:
    document = list_credential(ttl_ms=ttl_ms)
    fetcher, host = make_fetcher(lambda r: httpx.Response(200, json=document), cache_ttl=cache_ttl)
    fetcher.fetch(LIST_URL)
    clock.advance(kept_for * 0.99)
    fetcher.fetch(LIST_URL)
    assert len(host.requests) == 1
    clock.advance(kept_for * 0.02)
    fetcher.fetch(LIST_URL)
    assert len(host.requests) == 2


def test_ttl_of_a_jws_list_is_read_from_its_payload(
    make_fetcher: MakeFetcher, clock: FakeClock
) -> None:
    fetcher, host = make_fetcher(lambda r: body(JWS.encode(), "application/vc+jwt"))
    fetcher.fetch(LIST_URL)
    clock.advance(0.9)
    fetcher.fetch(LIST_URL)
    clock.advance(0.2)  # past the payload's 1000 ms
    fetcher.fetch(LIST_URL)
    assert len(host.requests) == 2


@pytest.mark.parametrize("ttl", [0, -5, "soon", None, True])
def test_odd_ttls_never_lengthen_caching(
    make_fetcher: MakeFetcher, clock: FakeClock, ttl: Any
) -> None:
    document = list_credential()
    document["credentialSubject"]["ttl"] = ttl
    fetcher, host = make_fetcher(lambda r: httpx.Response(200, json=document), cache_ttl=30.0)
    fetcher.fetch(LIST_URL)
    clock.advance(30.1)
    fetcher.fetch(LIST_URL)
    assert len(host.requests) == 2


def test_zero_ttl_is_not_cached(make_fetcher: MakeFetcher) -> None:
    document = list_credential()
    document["credentialSubject"]["ttl"] = 0
    fetcher, host = make_fetcher(lambda r: httpx.Response(200, json=document))
    fetcher.fetch(LIST_URL)
    fetcher.fetch(LIST_URL)
    assert len(host.requests) == 2


def test_failures_are_not_cached(make_fetcher: MakeFetcher) -> None:
    answers = iter(
        [httpx.Response(503), body(b"<html/>", "text/html"), httpx.Response(200, json=LIST)]
    )
    fetcher, host = make_fetcher(lambda request: next(answers))
    with pytest.raises(ResolutionError, match="HTTP 503"):
        fetcher.fetch(LIST_URL)
    with pytest.raises(ResolutionError, match="neither"):
        fetcher.fetch(LIST_URL)
    assert fetcher.fetch(LIST_URL) == LIST
    assert len(host.requests) == 3


def test_cached_lists_cannot_be_changed_by_a_caller(make_fetcher: MakeFetcher) -> None:
    fetcher, _ = make_fetcher(ok)
    first = fetcher.fetch(LIST_URL)
    first["credentialSubject"]["encodedList"] = "uTAMPERED"
    first["type"].append("Evil")
    assert fetcher.fetch(LIST_URL) == LIST


def test_cache_is_bounded(make_fetcher: MakeFetcher, clock: FakeClock) -> None:
    urls = [f"https://status.example/lists/{i}" for i in range(3)]
    fetcher, host = make_fetcher(ok, cache_size=2)
    for url in urls:
        fetcher.fetch(url)
        clock.advance(1)
    fetcher.fetch(urls[2])  # still cached
    assert len(host.requests) == 3
    fetcher.fetch(urls[0])  # evicted by the third
    assert len(host.requests) == 4


@pytest.mark.parametrize("options", [{"cache_size": 0}, {"cache_ttl": 0}])
def test_cache_can_be_disabled(make_fetcher: MakeFetcher, options: dict[str, float]) -> None:
    fetcher, host = make_fetcher(ok, **options)
    fetcher.fetch(LIST_URL)
    fetcher.fetch(LIST_URL)
    assert len(host.requests) == 2


@pytest.mark.parametrize(
    "options",
    [{"timeout": 0}, {"timeout": -1}, {"max_bytes": 0}, {"cache_size": -1}, {"cache_ttl": -5}],
)
def test_nonsense_settings_are_refused(options: dict[str, float]) -> None:
    with (
        httpx.Client(transport=httpx.MockTransport(ok)) as client,
        pytest.raises(ValueError, match="must"),
    ):
        HttpStatusListFetcher(client, **options)  # type: ignore[arg-type]


# --- MapStatusListFetcher -----------------------------------------------------------------------
def test_map_fetcher_serves_copies_then_falls_back() -> None:
    lists: dict[str, Any] = {LIST_URL: LIST}
    other = "https://elsewhere.example/l"
    fallback = MapStatusListFetcher({other: JWS})
    fetcher = MapStatusListFetcher(lists, fallback=fallback)
    served = fetcher.fetch(LIST_URL)
    served["issuer"] = "did:example:tampered"
    assert fetcher.fetch(LIST_URL) == LIST
    assert fetcher.fetch(other) == JWS
    with pytest.raises(ResolutionError, match="no such list"):
        fetcher.fetch("https://unknown.example/l")


def test_map_fetcher_sees_later_changes_to_the_mapping() -> None:
    lists: dict[str, Any] = {}
    fetcher = MapStatusListFetcher(lists)
    with pytest.raises(ResolutionError):
        fetcher.fetch(LIST_URL)
    lists[LIST_URL] = LIST
    assert fetcher.fetch(LIST_URL) == LIST
