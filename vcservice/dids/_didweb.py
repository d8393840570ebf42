"""did:web: a DID document fetched over HTTPS from the host the DID names.

Spec: https://w3c-ccg.github.io/did-method-web/. ``did:web:example.com`` lives at
``https://example.com/.well-known/did.json``; ``did:web:example.com%3A8443:user:alice`` at
``https://example.com:8443/user/alice/did.json``.

A did:web is chosen by whoever sent us the credential, so resolving one means fetching a URL an
attacker picked. The fetch itself is :mod:`vcservice._fetch`'s, shared with status-list
fetching: https only, no IP-address hosts (the spec says the identifier MUST NOT include one),
plain http to a loopback host only with ``allow_http_loopback=True``, the SSRF rule on the
addresses the host resolves to (:func:`vcservice._fetch.address_refusal`, applied by
:func:`did_web_client` when connecting and by the fetcher on every answer), no redirects, a
timeout plus an overall deadline, identity encoding only, ``max_bytes`` enforced while
streaming, the client's credentials never sent, and connection failures reported without
saying which kind (a port scanner learns nothing). This module adds what is particular to
did:web:

* **Where**: the spec's DID → URL mapping, done here without I/O (:func:`did_web_url`), with
  the host rules of :func:`vcservice._fetch.parse_host`. IPv6 literals cannot be written in
  did:web syntax and are refused as malformed; dot segments and escaped separators in the path
  are refused so two DIDs never name one URL.
* **What**: a strict JSON object (no duplicate members, no NaN) whose ``id`` is the DID.

Caching: successful resolutions are kept in a bounded TTL cache (``cache_size`` entries,
``cache_ttl`` seconds on the injected clock) so verifying a batch of credentials from one issuer
costs one fetch. **Failures are not cached**: a negative entry would stretch a one-second blip
at the issuer's host into ``cache_ttl`` seconds of "could not check", and every failure is
already bounded by the timeout. Every failure is a ResolutionError ("could not check") naming
the DID, the URL and the reason.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

import httpx

from vcservice._fetch import (
    DEFAULT_TIMEOUT,
    CachingGetter,
    Fetched,
    fetch_client,
    parse_host,
    short,
)
from vcservice.errors import InputError, ResolutionError
from vcservice.ingress import FETCHED_LIMITS, read_json

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_TIMEOUT",
    "USER_AGENT",
    "DidWebResolver",
    "check_path_segment",
    "did_web_client",
    "did_web_url",
    "parse_host",
]

DEFAULT_MAX_BYTES = 256 * 1024
USER_AGENT = "vcservice-did-resolver"

_PREFIX = "did:web:"
_MAX_DID_LENGTH = 2048
_SEGMENT = re.compile(r"(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})+")
_PORT_COLON = re.compile(r"%3[Aa]")
_ACCEPT = "application/did+json, application/did+ld+json, application/json;q=0.9"


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


def did_web_client(
    *, timeout: float = DEFAULT_TIMEOUT, allow_http_loopback: bool = False
) -> httpx.Client:
    """An httpx client with the settings did:web resolution wants; the caller closes it.

    It is :func:`vcservice._fetch.fetch_client`: names resolved once and checked against the
    SSRF rule, the socket opened to the checked address, redirects off, a timeout, TLS
    verification on, no environment proxies. ``allow_http_loopback`` must match the
    resolver's, or loopback DIDs allowed by the resolver are refused when connecting.
    """
    client = fetch_client(timeout=timeout, allow_http_loopback=allow_http_loopback)
    client.headers["User-Agent"] = USER_AGENT
    return client


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
        self._allow_http_loopback = allow_http_loopback
        self._fetch = CachingGetter(
            client,
            accept=_ACCEPT,
            user_agent=USER_AGENT,
            timeout=timeout,
            max_bytes=max_bytes,
            cache_size=cache_size,
            cache_ttl=cache_ttl,
            clock=clock,
            allow_loopback=allow_http_loopback,
        )

    def resolve(self, did: str) -> dict[str, Any]:
        """The DID document of ``did``; a fresh copy each call, so callers may mutate it."""
        url = did_web_url(did, allow_http_loopback=self._allow_http_loopback)
        document: dict[str, Any] = self._fetch.get(
            did,
            url,
            lambda fetched: _document(did, url, fetched),
            failure=f"could not resolve {did}",
            absent="no DID document there",
        )
        return document


def _document(did: str, url: str, fetched: Fetched) -> dict[str, Any]:
    """The DID document in a fetched body, parsed afresh, or ResolutionError."""
    try:
        document = read_json(fetched.body, FETCHED_LIMITS)
    except InputError as exc:
        raise ResolutionError(
            f"could not resolve {did}: {url} did not return valid UTF-8 JSON ({exc.detail})"
        ) from exc
    if not isinstance(document, dict):
        raise ResolutionError(f"could not resolve {did}: {url} returned JSON that is not an object")
    if document.get("id") != did:
        raise ResolutionError(
            f"could not resolve {did}: the document at {url} has id "
            f"{short(document.get('id'))}, not the DID being resolved"
        )
    return document
