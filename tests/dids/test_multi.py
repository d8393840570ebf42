"""MultiResolver dispatch, default_resolver wiring, and the package's public API."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

import vcservice.dids
from tests.fakes import Host
from vcservice.dids import (
    DidKeyResolver,
    MultiResolver,
    StaticResolver,
    default_resolver,
    did_jwk_for,
    did_key_for,
    did_web_client,
)
from vcservice.errors import ResolutionError
from vcservice.keys import KeyPair, KeyType

from .conftest import document_for, serve_documents

WEB_DID = "did:web:issuer.example"
WEB_URL = "https://issuer.example/.well-known/did.json"
KEY = KeyPair.generate(KeyType.ED25519).public


@pytest.fixture
def web_host() -> Host:
    return Host(serve_documents({WEB_URL: document_for(WEB_DID)}))


@pytest.fixture
def client(web_host: Host) -> Iterator[httpx.Client]:
    with httpx.Client(transport=httpx.MockTransport(web_host)) as client:
        yield client


def test_default_resolver_handles_key_jwk_web_and_webvh(
    client: httpx.Client, web_host: Host
) -> None:
    resolver = default_resolver(client)
    assert resolver.methods == {"key", "jwk", "web", "webvh"}
    for did in (did_key_for(KEY), did_jwk_for(KEY), WEB_DID):
        assert resolver.resolve(did)["id"] == did
    assert [str(r.url) for r in web_host.requests] == [WEB_URL]


def test_default_resolver_passes_the_loopback_flag(client: httpx.Client) -> None:
    with pytest.raises(ResolutionError, match="loopback"):
        default_resolver(client).resolve("did:web:localhost%3A8443")
    with pytest.raises(ResolutionError, match="HTTP 404"):  # reached the (mock) server
        default_resolver(client, allow_http_loopback=True).resolve("did:web:localhost%3A8443")


def test_default_resolver_without_a_client_builds_a_safe_one() -> None:
    assert default_resolver().methods == {"key", "jwk", "web", "webvh"}
    with did_web_client(timeout=3.0) as client:
        assert client.follow_redirects is False
        assert client.timeout == httpx.Timeout(3.0)
        assert client.headers["User-Agent"] == "vcservice-did-resolver"


@pytest.mark.parametrize(
    ("did", "message"),
    [
        (
            "did:ion:EiAbc",
            r"did:ion is not supported \(supported: did:jwk, did:key, did:web, did:webvh\)",
        ),
        ("did:example:123", "did:example is not supported"),
        ("did:web", "not a DID"),
        ("did:web:", "not a DID"),
        ("did:Web:example.com", "not a DID"),
        ("did::x", "not a DID"),
        ("https://issuer.example", "not a DID"),
        ("", "not a DID"),
    ],
)
def test_unknown_or_malformed_is_a_resolution_error(
    client: httpx.Client, did: str, message: str
) -> None:
    with pytest.raises(ResolutionError, match=message):
        default_resolver(client).resolve(did)


def test_non_string_is_a_resolution_error() -> None:
    with pytest.raises(ResolutionError, match="not a DID"):
        MultiResolver({}).resolve(42)  # type: ignore[arg-type]


def test_dispatches_on_method_name_only() -> None:
    static = StaticResolver({"did:example:1": {"id": "did:example:1"}})
    resolver = MultiResolver({"example": static, "key": DidKeyResolver()})
    assert resolver.resolve("did:example:1") == {"id": "did:example:1"}
    with pytest.raises(ResolutionError, match="no DID document known"):
        resolver.resolve("did:example:2")


def test_map_is_frozen_at_construction() -> None:
    resolvers: dict[str, Any] = {"key": DidKeyResolver()}
    multi = MultiResolver(resolvers)
    resolvers["example"] = StaticResolver({"did:example:1": {"id": "did:example:1"}})
    assert multi.methods == {"key"}
    with pytest.raises(ResolutionError, match="did:example is not supported"):
        multi.resolve("did:example:1")


def test_no_resolvers_at_all() -> None:
    with pytest.raises(ResolutionError, match=r"supported: none"):
        MultiResolver({}).resolve("did:key:z6Mk")


@pytest.mark.parametrize("name", ["Web", "did:web", "", "we-b"])
def test_bad_method_names_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match="not a DID method name"):
        MultiResolver({name: DidKeyResolver()})


def test_public_api() -> None:
    assert vcservice.dids.__all__ == sorted(vcservice.dids.__all__)
    for name in vcservice.dids.__all__:
        assert hasattr(vcservice.dids, name), name
    for name in (
        "DIDResolver",
        "DidJwkResolver",
        "DidKeyResolver",
        "DidWebResolver",
        "MultiResolver",
        "StaticResolver",
        "VerificationMethod",
        "default_resolver",
        "did_document",
        "did_jwk_for",
        "did_key_document",
        "did_key_for",
        "did_of",
        "did_web_for",
        "resolve_verification_method",
    ):
        assert name in vcservice.dids.__all__, name
