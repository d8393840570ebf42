"""The linked-credential fetcher: https only, public addresses only, bodies decoded as served."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpcore
import httpx
import pytest

from tests.fakes import Host
from vcservice._fetch import fetch_client
from vcservice.errors import ResolutionError
from vcservice.graph import HttpLinkFetcher

JWS = "eyJhbGciOiJFZERTQSJ9.eyJ4IjoxfQ.c2ln"


def fetcher(
    handler: Callable[[httpx.Request], httpx.Response], **kwargs: object
) -> tuple[HttpLinkFetcher, Host]:
    host = Host(handler)
    client = httpx.Client(transport=httpx.MockTransport(host))
    return HttpLinkFetcher(client, **kwargs), host  # type: ignore[arg-type]


class NoNetwork(httpcore.NetworkBackend):
    """Records every connection the guarded client would open, and opens none."""

    def __init__(self) -> None:
        self.dialled: list[tuple[str, int]] = []

    def connect_tcp(self, host: str, port: int, *args: object, **kwargs: object) -> Any:
        self.dialled.append((host, port))
        raise httpcore.ConnectError("no network in this test")


def guarded(
    lookup: Callable[[str, int], list[str]], *, allow_http_loopback: bool = False
) -> tuple[HttpLinkFetcher, NoNetwork]:
    """The link fetcher over the service's guarded client, with DNS played by ``lookup``."""
    backend = NoNetwork()
    client = fetch_client(
        lookup=lookup, network_backend=backend, allow_http_loopback=allow_http_loopback
    )
    return HttpLinkFetcher(client, allow_http_loopback=allow_http_loopback), backend


def test_a_vc_jwt_body_is_returned_as_the_compact_jws() -> None:
    get, host = fetcher(
        lambda r: httpx.Response(
            200, text=JWS + "\n", headers={"Content-Type": "application/vc+jwt"}
        )
    )
    assert get.fetch("https://credentials.example.org/a") == JWS
    assert "application/vc+jwt" in host.requests[0].headers["Accept"]


def test_a_json_body_is_parsed_strictly() -> None:
    get, _ = fetcher(lambda r: httpx.Response(200, json={"type": ["VerifiableCredential"]}))
    assert get.fetch("https://credentials.example.org/a") == {"type": ["VerifiableCredential"]}
    dup, _ = fetcher(lambda r: httpx.Response(200, content=b'{"a": 1, "a": 2}'))
    with pytest.raises(ResolutionError, match="not valid JSON"):
        dup.fetch("https://credentials.example.org/a")


@pytest.mark.parametrize(
    "address", ["10.0.0.5", "192.168.1.1", "169.254.169.254", "127.0.0.1", "::1", "fd00::1"]
)
def test_a_name_resolving_to_a_private_address_is_refused_before_connecting(address: str) -> None:
    get, backend = guarded(lambda name, port: [address])
    with pytest.raises(ResolutionError, match="not a public address"):
        get.fetch("https://credentials.example.org/a")
    assert backend.dialled == []


def test_loopback_is_allowed_only_when_enabled_for_tests() -> None:
    # Issue 13: the address check moved into the client's transport; this now shows the
    # connection going to the checked loopback address (the fake network then fails it).
    get, backend = guarded(lambda name, port: ["127.0.0.1"], allow_http_loopback=True)
    with pytest.raises(ResolutionError, match="could not fetch"):
        get.fetch("http://localhost:8123/a")
    assert backend.dialled == [("127.0.0.1", 8123)]


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://credentials.example.org/a", "only https"),
        ("https://10.0.0.1/a", "IP address"),
        ("https://user:pw@credentials.example.org/a", "user info"),
        ("ftp://credentials.example.org/a", "only absolute https"),
    ],
)
def test_urls_a_stranger_chose_are_checked_first(url: str, reason: str) -> None:
    get, host = fetcher(lambda r: httpx.Response(200, text=JWS))
    with pytest.raises(ResolutionError, match=reason):
        get.fetch(url)
    assert host.requests == []


def test_size_cap_redirects_and_errors_are_resolution_errors() -> None:
    big, _ = fetcher(
        lambda r: httpx.Response(200, content=b"{" + b" " * 5000 + b"}"), max_bytes=1024
    )
    with pytest.raises(ResolutionError, match="larger than 1024 bytes"):
        big.fetch("https://credentials.example.org/a")
    moved, _ = fetcher(lambda r: httpx.Response(302, headers={"Location": "https://10.0.0.1/"}))
    with pytest.raises(ResolutionError, match="never followed"):
        moved.fetch("https://credentials.example.org/a")
    gone, _ = fetcher(lambda r: httpx.Response(404))
    with pytest.raises(ResolutionError, match="404"):
        gone.fetch("https://credentials.example.org/a")


def test_a_name_that_does_not_resolve_is_a_resolution_error() -> None:
    def lookup(name: str, port: int) -> list[str]:
        raise OSError("Name or service not known")

    get, backend = guarded(lookup)
    # Issue 13: "could not fetch" like every connection failure; "does not resolve" is logged.
    with pytest.raises(
        ResolutionError, match=r"could not fetch https://credentials\.gone\.example/a$"
    ):
        get.fetch("https://credentials.gone.example/a")
    assert backend.dialled == []
