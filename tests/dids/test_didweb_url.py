"""did:web → URL: the spec's examples, and the hosts a resolver must refuse to dial."""

from __future__ import annotations

import pytest

from vcservice.dids import did_web_url
from vcservice.errors import ResolutionError


@pytest.mark.parametrize(
    ("did", "url"),
    [
        # The spec's examples (https://w3c-ccg.github.io/did-method-web/, Create and Read).
        ("did:web:w3c-ccg.github.io", "https://w3c-ccg.github.io/.well-known/did.json"),
        ("did:web:w3c-ccg.github.io:user:alice", "https://w3c-ccg.github.io/user/alice/did.json"),
        ("did:web:example.com%3A3000:user:alice", "https://example.com:3000/user/alice/did.json"),
        ("did:web:example.com%3A3000", "https://example.com:3000/.well-known/did.json"),
        ("did:web:example.com", "https://example.com/.well-known/did.json"),
        # Lower-case escape, escaped path characters kept escaped, IDN in punycode.
        ("did:web:example.com%3a8443", "https://example.com:8443/.well-known/did.json"),
        ("did:web:example.com:u%40ser:a_b", "https://example.com/u%40ser/a_b/did.json"),
        ("did:web:xn--mnchen-3ya.de", "https://xn--mnchen-3ya.de/.well-known/did.json"),
        ("did:web:tenants.vcservice.dev:acme", "https://tenants.vcservice.dev/acme/did.json"),
    ],
)
def test_spec_mapping(did: str, url: str) -> None:
    assert did_web_url(did) == url
    assert did_web_url(did, allow_http_loopback=True) == url  # https stays https


@pytest.mark.parametrize(
    ("did", "url"),
    [
        ("did:web:localhost%3A8443", "http://localhost:8443/.well-known/did.json"),
        ("did:web:localhost", "http://localhost/.well-known/did.json"),
        ("did:web:issuer.localhost:a", "http://issuer.localhost/a/did.json"),
        ("did:web:127.0.0.1%3A9000", "http://127.0.0.1:9000/.well-known/did.json"),
        ("did:web:127.0.0.2", "http://127.0.0.2/.well-known/did.json"),
        # Legacy spellings of 127.0.0.1 are dialled as what they are.
        ("did:web:127.1", "http://127.0.0.1/.well-known/did.json"),
        ("did:web:0x7f000001", "http://127.0.0.1/.well-known/did.json"),
        ("did:web:2130706433", "http://127.0.0.1/.well-known/did.json"),
        ("did:web:0177.0.0.1", "http://127.0.0.1/.well-known/did.json"),
    ],
)
def test_loopback_is_plain_http_and_only_with_the_flag(did: str, url: str) -> None:
    assert did_web_url(did, allow_http_loopback=True) == url
    with pytest.raises(ResolutionError, match="loopback"):
        did_web_url(did)


@pytest.mark.parametrize(
    ("did", "kind"),
    [
        ("did:web:10.0.0.1", "private"),
        ("did:web:192.168.1.20%3A8443", "private"),
        ("did:web:172.16.0.1", "private"),
        ("did:web:169.254.169.254", "link-local"),  # cloud metadata endpoint
        ("did:web:0.0.0.0", "unspecified"),
        ("did:web:100.64.0.1", "not globally reachable"),  # carrier-grade NAT
        ("did:web:240.0.0.1", "reserved"),
        ("did:web:224.0.0.1", "multicast"),
        ("did:web:0xa9fea9fe", "link-local"),  # 169.254.169.254 in hex
        ("did:web:8.8.8.8", "public"),  # the spec forbids IP hosts outright
    ],
)
def test_ip_literal_hosts_are_refused_even_with_the_loopback_flag(did: str, kind: str) -> None:
    for allow in (False, True):
        with pytest.raises(ResolutionError, match=f"IP address .*{kind}"):
            did_web_url(did, allow_http_loopback=allow)


@pytest.mark.parametrize(
    ("did", "message"),
    [
        pytest.param("did:key:z6Mk", "not a did:web", id="other-method"),
        pytest.param("did:web:", "not a valid identifier segment", id="empty"),
        pytest.param("did:web:example.com#key-1", "fragment", id="fragment"),
        pytest.param("did:web:example.com?versionId=1", "query", id="query"),
        pytest.param("did:web:example.com/path", "path", id="slash-path"),
        pytest.param("did:web:example.com:", "segment", id="trailing-colon"),
        pytest.param("did:web:example.com::a", "segment", id="empty-segment"),
        pytest.param("did:web:example.com:..", "dot segment", id="dot-dot"),
        pytest.param("did:web:example.com:%2E%2E:x", "dot segment", id="escaped-dot-dot"),
        pytest.param("did:web:example.com:a%2Fb", "separator", id="escaped-slash"),
        pytest.param("did:web:example.com:a%5Cb", "separator", id="escaped-backslash"),
        pytest.param("did:web:example.com:a%00", "control", id="escaped-nul"),
        pytest.param("did:web:example.com:%FF", "codec", id="escaped-not-utf8"),
        pytest.param("did:web:example.com%2Fevil", "only the colon", id="escaped-host"),
        pytest.param("did:web:user%40example.com", "only the colon", id="userinfo"),
        pytest.param("did:web:%5B%3A%3A1%5D", "only the colon", id="ipv6-literal"),
        pytest.param("did:web:example.com%3A", "port", id="empty-port"),
        pytest.param("did:web:example.com%3A0", "port", id="port-zero"),
        pytest.param("did:web:example.com%3A65536", "port", id="port-too-big"),
        pytest.param("did:web:example.com%3A80%3A81", "port", id="two-ports"),
        pytest.param("did:web:ex_ample.com", "domain name", id="underscore"),
        pytest.param("did:web:-example.com", "domain name", id="leading-hyphen"),
        pytest.param("did:web:example..com", "domain name", id="empty-label"),
        pytest.param("did:web:example.com.", "domain name", id="trailing-dot"),
        pytest.param("did:web:" + "a" * 64 + ".com", "domain name", id="long-label"),
        pytest.param("did:web:1.2.3.4.5", "neither", id="numeric-tld"),
        pytest.param("did:web:256.1.1.1", "neither", id="ipv4-byte-too-big"),
        pytest.param("did:web:1.2.3.256", "neither", id="ipv4-last-too-big"),
        pytest.param("did:web:08.0.0.1", "neither", id="bad-octal"),
        pytest.param("did:web:0xg.1", "neither", id="bad-hex"),
        pytest.param("did:web:example.com:" + "a" * 2100, "at most", id="too-long"),
        pytest.param("did:web:exämple.com", "segment", id="raw-unicode"),
    ],
)
def test_invalid_did_web_is_a_resolution_error(did: str, message: str) -> None:
    with pytest.raises(ResolutionError, match=message):
        did_web_url(did, allow_http_loopback=True)
