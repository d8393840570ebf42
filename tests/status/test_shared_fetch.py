"""vcservice._fetch, the bounded GET shared by did:web and status lists, and the public API."""

from __future__ import annotations

import httpx
import pytest

import vcservice.status
from tests.fakes import FakeClock
from vcservice._fetch import Fetched, ResponseCache, check_url
from vcservice.dids import DidWebResolver
from vcservice.status import HttpStatusListFetcher

from .conftest import LIST_URL, list_credential

DID = "did:web:issuer.example"


def test_public_api_is_exactly_the_documented_names() -> None:
    assert sorted(vcservice.status.__all__) == sorted(
        [
            "MIN_LIST_LENGTH",
            "HttpStatusListFetcher",
            "MapStatusListFetcher",
            "StatusListFetcher",
            "VerifyList",
            "check_status",
            "check_status_entries",
            "decode_list",
            "encode_list",
            "get_status",
            "set_status",
            "status_entry",
            "status_list_credential",
        ]
    )
    for name in vcservice.status.__all__:
        assert getattr(vcservice.status, name) is not None


def test_both_users_strip_the_clients_credentials() -> None:
    """A shared client may carry an internal token or cookies; no stranger's host sees them."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path.endswith("did.json"):
            return httpx.Response(200, json={"id": DID})
        return httpx.Response(200, json=list_credential())

    with httpx.Client(
        transport=httpx.MockTransport(handler),
        headers={"Authorization": "Bearer internal"},
        cookies={"session": "secret"},
        auth=("user", "pass"),
    ) as client:
        DidWebResolver(client).resolve(DID)
        HttpStatusListFetcher(client).fetch(LIST_URL)
    assert len(seen) == 2
    for request in seen:
        assert "Authorization" not in request.headers
        assert "Cookie" not in request.headers
    assert seen[0].headers["User-Agent"] == "vcservice-did-resolver"
    assert seen[1].headers["User-Agent"] == "vcservice-status-list-fetcher"


def test_check_url_returns_what_will_be_requested() -> None:
    parsed = check_url("https://Status.Example:443/lists/1?timestamp=x")
    assert isinstance(parsed, httpx.URL)
    assert parsed.host == "status.example"
    assert parsed.port is None  # the default port, normalised away
    assert parsed.query == b"timestamp=x"


@pytest.mark.parametrize("value", [None, 42, b"https://status.example/"])
def test_check_url_wants_a_string(value: object) -> None:
    with pytest.raises(ValueError, match="string"):
        check_url(value)  # type: ignore[arg-type]


def _fetched(size: int) -> Fetched:
    return Fetched(b"x" * size, "application/json")


def test_cache_is_bounded_in_bytes_too() -> None:
    clock = FakeClock()
    cache = ResponseCache(max_entries=100, ttl=60, clock=clock, max_total_bytes=1000)
    cache.put("a", _fetched(400))
    cache.put("b", _fetched(400))
    assert cache.get("a") is not None  # "a" is now the most recently used
    cache.put("c", _fetched(400))  # 1200 > 1000: the least recently used ("b") goes
    assert cache.get("b") is None
    assert cache.get("a") is not None
    assert cache.get("c") is not None
    cache.put("huge", _fetched(1001))  # larger than the whole budget: never kept
    assert cache.get("huge") is None
    assert cache.get("a") is not None


def test_cache_drops_expired_entries_first_and_honours_shorter_ttls() -> None:
    clock = FakeClock()
    cache = ResponseCache(max_entries=2, ttl=60, clock=clock)
    cache.put("short", _fetched(1), ttl=5)
    cache.put("long", _fetched(1), ttl=600)  # capped at the cache's 60 s
    clock.advance(6)
    assert cache.get("short") is None
    cache.put("new", _fetched(1))
    assert cache.get("long") is not None
    clock.advance(55)  # 61 s after "long" was put, 55 s after "new"
    assert cache.get("long") is None
    assert cache.get("new") is not None


def test_replacing_an_entry_keeps_the_byte_count_right() -> None:
    cache = ResponseCache(max_entries=10, ttl=60, clock=FakeClock(), max_total_bytes=1000)
    for _ in range(5):
        cache.put("same", _fetched(600))
    cache.put("other", _fetched(400))
    assert cache.get("same") is not None
    assert cache.get("other") is not None
