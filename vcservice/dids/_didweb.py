"""did:web: a DID document fetched over HTTPS from the host the DID names.

Spec: https://w3c-ccg.github.io/did-method-web/. ``did:web:example.com`` lives at
``https://example.com/.well-known/did.json``; ``did:web:example.com%3A8443:user:alice`` at
``https://example.com:8443/user/alice/did.json``.

A did:web is chosen by whoever sent us the credential, so resolving one means fetching a URL an
attacker picked. The resolver therefore treats every step as hostile:

* **Where**: https only; no IP-address hosts at all (the spec says the identifier MUST NOT
  include one, and refusing them also closes the obvious SSRF routes to private, link-local and
  metadata addresses, including the legacy spellings ``127.1``, ``0x7f000001`` and
  ``2130706433`` that ``getaddrinfo`` would still accept); no ``localhost``. Plain http to a
  loopback host is possible only with ``allow_http_loopback=True``, for tests and local demos.
  IPv6 literals cannot be written in did:web syntax and are refused as malformed. A DNS name
  that *resolves* to a private address is not caught here: that needs network policy (an
  egress proxy), which the injected client can provide.
* **How**: no redirects (a 3xx is an error, even if the injected client follows redirects);
  a timeout per operation plus an overall deadline checked while reading, so a server
  dribbling bytes cannot hold a worker for long; ``Accept-Encoding: identity`` and compressed
  answers refused, so the size cap below bounds memory rather than compressed bytes; the
  client's own ``auth`` is never sent to a host named by a stranger.
* **How much**: ``max_bytes`` is enforced while streaming, whatever ``Content-Length`` says.
* **What**: a strict JSON object (no duplicate members, no NaN) whose ``id`` is the DID.

Caching: successful resolutions are kept in a bounded TTL cache (``cache_size`` entries,
``cache_ttl`` seconds on the injected clock) so verifying a batch of credentials from one issuer
costs one fetch. **Failures are not cached**: a negative entry would stretch a one-second blip
at the issuer's host into ``cache_ttl`` seconds of "could not check", and every failure is
already bounded by the timeout. Concurrent misses for the same DID may each fetch; that costs a
duplicate request, never a wrong answer. Every failure is a ResolutionError ("could not check")
naming the DID, the URL and the reason.
"""

from __future__ import annotations

import copy
import ipaddress
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import httpx
from cachetools import TTLCache

from vcservice._json import loads_strict
from vcservice.errors import ResolutionError

DEFAULT_TIMEOUT = 5.0
DEFAULT_MAX_BYTES = 256 * 1024
USER_AGENT = "vcservice-did-resolver"

_PREFIX = "did:web:"
_MAX_DID_LENGTH = 2048
_SEGMENT = re.compile(r"(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})+")
_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_NUMERIC_LABEL = re.compile(r"[0-9]+|0[xX][0-9A-Fa-f]*")
_PORT_COLON = re.compile(r"%3[Aa]")
_HEADERS = {
    "Accept": "application/did+json, application/did+ld+json, application/json;q=0.9",
    "Accept-Encoding": "identity",
    "User-Agent": USER_AGENT,
}


@dataclass(frozen=True)
class _Host:
    """A validated host: a domain name as written, or a loopback address in canonical form."""

    name: str
    port: int | None
    loopback: bool

    @property
    def netloc(self) -> str:
        return self.name if self.port is None else f"{self.name}:{self.port}"


def did_web_url(did: str, *, allow_http_loopback: bool = False) -> str:
    """The URL a did:web's document is fetched from, per the spec's Read steps.

    Pure (no I/O), so the mapping can be tested and shown to operators on its own. Raises
    ResolutionError for malformed DIDs and for hosts the resolver refuses (see the module doc).
    """
    if not isinstance(did, str) or not did.startswith(_PREFIX):
        raise ResolutionError(f"{did!r} is not a did:web")
    if len(did) > _MAX_DID_LENGTH:
        raise ResolutionError(f"did:web is {len(did)} characters; at most {_MAX_DID_LENGTH}")
    segments = did[len(_PREFIX) :].split(":")
    for segment in segments:
        if not _SEGMENT.fullmatch(segment):
            raise ResolutionError(
                f"invalid did:web {did}: {segment!r} is not a valid identifier segment (letters, "
                "digits, '.', '-', '_' or %-escapes; a DID URL's fragment, query or path must be "
                "removed before resolving)"
            )
    try:
        host = parse_host(_PORT_COLON.sub(":", segments[0]))
        path = [check_path_segment(segment) for segment in segments[1:]]
    except ValueError as exc:
        raise ResolutionError(f"invalid did:web {did}: {exc}") from exc
    if host.loopback and not allow_http_loopback:
        raise ResolutionError(
            f"refusing did:web {did}: {host.name} is this machine (loopback), which is only "
            "allowed with allow_http_loopback=True"
        )
    scheme = "http" if host.loopback else "https"
    location = "/".join(path) if path else ".well-known"
    return f"{scheme}://{host.netloc}/{location}/did.json"


def parse_host(text: str) -> _Host:
    """Validate ``host[:port]`` (port colon already decoded); raises ValueError with the reason.

    Shared with :func:`~vcservice.dids.did_web_for`, so we never build a DID we would refuse to
    resolve.
    """
    if "%" in text:
        raise ValueError(
            f"host {text!r} contains a %-escape; only the colon before a port may be escaped"
        )
    name, sep, port_text = text.partition(":")
    port: int | None = None
    if sep:
        if not port_text.isascii() or not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise ValueError(f"{port_text!r} is not a port number (1-65535)")
        port = int(port_text)
    labels = name.split(".")
    if _NUMERIC_LABEL.fullmatch(labels[-1]):
        address = _ipv4_literal(name)
        if address is None:
            raise ValueError(f"host {name!r} is neither a domain name nor an IP address")
        if address.is_loopback:
            # Canonical spelling, so the URL says which address is dialled.
            return _Host(str(address), port, loopback=True)
        raise ValueError(
            f"host {name!r} is an IP address ({address}, {_ip_kind(address)}); did:web "
            "identifiers must use a domain name, never an IP address"
        )
    if len(name) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        raise ValueError(f"host {name!r} is not a valid domain name")
    lowered = name.lower()
    loopback = lowered == "localhost" or lowered.endswith(".localhost")
    return _Host(name, port, loopback=loopback)


def check_path_segment(segment: str) -> str:
    """Validate one path segment (still %-escaped); raises ValueError with the reason.

    Dot segments and escaped separators would let two DIDs name one URL, or one DID walk out of
    its directory, so they are refused.
    """
    decoded = unquote(segment, errors="strict")
    if decoded in (".", ".."):
        raise ValueError(f"path segment {segment!r} is a dot segment")
    if any(c in "/\\?#" or ord(c) < 0x20 or ord(c) == 0x7F for c in decoded):
        raise ValueError(f"path segment {segment!r} escapes a separator or control character")
    return segment


def _ipv4_literal(name: str) -> ipaddress.IPv4Address | None:
    """``name`` read the way ``inet_aton`` (and so ``getaddrinfo``) reads it, or None.

    Accepts 1-4 dot-separated parts in decimal, octal (leading 0) or hex (0x); the last part
    fills the remaining bytes. We refuse IP hosts, so we must recognise every spelling of one.
    """
    parts = name.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    values: list[int] = []
    for part in parts:
        try:
            if part[:2].lower() == "0x":
                values.append(int(part[2:] or "0", 16))
            elif len(part) > 1 and part.startswith("0"):
                values.append(int(part, 8))
            else:
                values.append(int(part, 10))
        except ValueError:
            return None
    *head, last = values
    if any(v > 0xFF for v in head) or last >= 1 << (8 * (5 - len(values))):
        return None
    number = last
    for index, value in enumerate(head):
        number |= value << (8 * (3 - index))
    return ipaddress.IPv4Address(number)


def _ip_kind(address: ipaddress.IPv4Address) -> str:
    """A word for the error message, most specific range first (link-local is also private)."""
    for attribute, label in (
        ("is_unspecified", "unspecified"),
        ("is_link_local", "link-local"),
        ("is_multicast", "multicast"),
        ("is_reserved", "reserved"),
        ("is_private", "private"),
    ):
        if getattr(address, attribute):
            return label
    return "public" if address.is_global else "not globally reachable"


def did_web_client(*, timeout: float = DEFAULT_TIMEOUT) -> httpx.Client:
    """An httpx client with the settings did:web resolution wants; the caller closes it.

    Redirects off, a timeout, TLS verification on (httpx's default). Environment proxies and
    CA bundles are honoured (``trust_env``) so an operator can route resolution through an
    egress proxy, the right place to stop DNS names that point at internal addresses.
    """
    return httpx.Client(follow_redirects=False, timeout=timeout, headers={"User-Agent": USER_AGENT})


class DidWebResolver:
    """Resolves did:web DIDs over an injected ``httpx.Client``; safe to share between threads.

    ``clock`` (monotonic seconds) drives both the cache expiry and the overall fetch deadline,
    so tests control time without sleeping. ``cache_size=0`` or ``cache_ttl=0`` disables the
    cache. The client is borrowed, not owned: whoever created it closes it.
    """

    def __init__(
        self,
        client: httpx.Client,
        *,
        allow_http_loopback: bool = False,
        timeout: float = DEFAULT_TIMEOUT,
        max_bytes: int = DEFAULT_MAX_BYTES,
        cache_size: int = 1024,
        cache_ttl: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not timeout > 0:
            raise ValueError("timeout must be positive")
        if max_bytes <= 0:
            raise ValueError("max_bytes must be positive")
        if cache_size < 0 or cache_ttl < 0:
            raise ValueError("cache_size and cache_ttl must not be negative")
        self._client = client
        self._allow_http_loopback = allow_http_loopback
        self._timeout = timeout
        self._max_bytes = max_bytes
        self._clock = clock
        self._lock = threading.Lock()
        self._cache: TTLCache[str, dict[str, Any]] | None = (
            TTLCache(maxsize=cache_size, ttl=cache_ttl, timer=clock)
            if cache_size > 0 and cache_ttl > 0
            else None
        )

    def resolve(self, did: str) -> dict[str, Any]:
        """The DID document of ``did``; a fresh copy each call, so callers may mutate it."""
        url = did_web_url(did, allow_http_loopback=self._allow_http_loopback)
        if self._cache is not None:
            with self._lock:
                cached = self._cache.get(did)
            if cached is not None:
                return copy.deepcopy(cached)
        document = self._fetch(did, url)
        if self._cache is not None:
            with self._lock:
                self._cache[did] = document
        return copy.deepcopy(document)

    def _fetch(self, did: str, url: str) -> dict[str, Any]:
        deadline = self._clock() + self._timeout
        try:
            with self._client.stream(
                "GET",
                url,
                headers=_HEADERS,
                auth=None,
                follow_redirects=False,
                timeout=self._timeout,
            ) as response:
                body = self._read(did, url, response, deadline)
        except httpx.TimeoutException as exc:
            raise ResolutionError(
                f"could not resolve {did}: {url} timed out after {self._timeout:g} s "
                f"({type(exc).__name__})"
            ) from exc
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise ResolutionError(
                f"could not resolve {did}: fetching {url} failed: {type(exc).__name__}: {exc}"
            ) from exc
        try:
            document = loads_strict(body)
        except ValueError as exc:
            raise ResolutionError(
                f"could not resolve {did}: {url} did not return valid UTF-8 JSON ({exc})"
            ) from exc
        if not isinstance(document, dict):
            raise ResolutionError(
                f"could not resolve {did}: {url} returned JSON that is not an object"
            )
        if document.get("id") != did:
            raise ResolutionError(
                f"could not resolve {did}: the document at {url} has id "
                f"{_short(document.get('id'))}, not the DID being resolved"
            )
        return document

    def _read(self, did: str, url: str, response: httpx.Response, deadline: float) -> bytes:
        status = response.status_code
        if 300 <= status < 400:
            location = response.headers.get("Location", "")
            raise ResolutionError(
                f"could not resolve {did}: {url} answered HTTP {status} redirecting to "
                f"{_short(location)}; did:web resolution does not follow redirects"
            )
        if status != 200:
            hint = " (no DID document there)" if status in (404, 410) else ""
            raise ResolutionError(f"could not resolve {did}: {url} answered HTTP {status}{hint}")
        encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
        if encoding not in ("", "identity"):
            raise ResolutionError(
                f"could not resolve {did}: {url} sent a {encoding!r}-encoded body although "
                "only 'identity' was accepted"
            )
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self._max_bytes:
            raise ResolutionError(self._too_large(did, url))
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():  # identity-only (checked above), so raw bytes
            size += len(chunk)
            if size > self._max_bytes:
                raise ResolutionError(self._too_large(did, url))
            if self._clock() > deadline:
                raise ResolutionError(
                    f"could not resolve {did}: reading {url} took longer than {self._timeout:g} s"
                )
            chunks.append(chunk)
        return b"".join(chunks)

    def _too_large(self, did: str, url: str) -> str:
        return (
            f"could not resolve {did}: the response from {url} is larger than "
            f"{self._max_bytes} bytes"
        )


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."
