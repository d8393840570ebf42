"""Fetching linked credentials over the network: the graph walk's one outside door.

A provenance graph names its own URLs, so every fetch is a request a stranger chose. The
rules are those of :mod:`vcservice._fetch`, shared with did:web and status lists: https only,
loopback only when enabled, no IP literals, the SSRF rule on the addresses a name resolves to
(checked once, by the :func:`~vcservice._fetch.fetch_client` transport, which then connects to
the checked address, so a DNS-rebinding host cannot answer differently the second time), no
redirects, timeout, streamed size cap, no failure caching.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Protocol

import httpx

from vcservice._fetch import DEFAULT_TIMEOUT, BoundedGetter, check_url, short
from vcservice.errors import InputError, ResolutionError
from vcservice.ingress import FETCHED_LIMITS, read_json

DEFAULT_MAX_BYTES = 2 << 20
USER_AGENT = "vcservice-graph/1"
_ACCEPT = (
    "application/vc+jwt, application/vc+sd-jwt, application/vc, application/vc+ld+json;q=0.9, "
    "application/json;q=0.5"
)
_JWS_TYPES = ("application/vc+jwt", "application/jwt", "application/vc+sd-jwt")


class LinkFetcher(Protocol):
    """Gets what is served at a credential link: a compact JWS string or a JSON object."""

    def fetch(self, url: str) -> Any: ...


class HttpLinkFetcher:
    """Linked credentials over https within the bounds above; ResolutionError otherwise.

    Pass a client from :func:`~vcservice._fetch.fetch_client` (its ``lookup`` is where a test
    plays DNS answers); the getter also refuses answers from peers the SSRF rule forbids.
    """

    def __init__(
        self,
        client: httpx.Client,
        *,
        allow_http_loopback: bool = False,
        timeout: float = DEFAULT_TIMEOUT,
        max_bytes: int = DEFAULT_MAX_BYTES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._allow_loopback = allow_http_loopback
        self._getter = BoundedGetter(
            client,
            accept=_ACCEPT,
            user_agent=USER_AGENT,
            timeout=timeout,
            max_bytes=max_bytes,
            clock=clock,
            allow_loopback=allow_http_loopback,
        )

    def fetch(self, url: str) -> Any:
        failure = f"could not fetch linked credential {short(url)}"
        try:
            parsed = check_url(url, allow_http_loopback=self._allow_loopback)
        except ValueError as exc:
            raise ResolutionError(f"{failure}: {exc}") from None
        fetched = self._getter.get(parsed, failure=failure, absent="no credential there")
        body = fetched.body
        if fetched.media_type in _JWS_TYPES or not body.lstrip().startswith(b"{"):
            try:
                return body.decode("ascii").strip()
            except UnicodeDecodeError:
                raise ResolutionError(f"{failure}: the body is neither a JWS nor JSON") from None
        try:
            value = read_json(body, FETCHED_LIMITS)
        except InputError as exc:
            raise ResolutionError(f"{failure}: the body is not valid JSON ({exc.detail})") from None
        if not isinstance(value, dict):
            raise ResolutionError(f"{failure}: the body is JSON but not an object")
        return value
