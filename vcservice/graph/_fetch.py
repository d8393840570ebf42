"""Fetching linked credentials over the network: the graph walk's one outside door.

A provenance graph names its own URLs, so every fetch is a request a stranger chose. The
rules are those of :mod:`vcservice._fetch` (https only, loopback only when enabled, no IP
literals, no redirects, timeout, streamed size cap, no failure caching) plus one more: the
host's DNS answers must all be public addresses, so a name pointing at 10.0.0.1 or the cloud
metadata address is refused before any connection is made. The check and the connection
resolve separately (a DNS-rebinding host could answer differently the second time); a
deployment that needs a hard guarantee puts an egress proxy in front, which the injected
``httpx.Client`` can be configured for.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable
from typing import Any, Protocol

import httpx

from vcservice._fetch import DEFAULT_TIMEOUT, BoundedGetter, check_url, short
from vcservice._json import loads_strict
from vcservice.errors import ResolutionError

DEFAULT_MAX_BYTES = 2 << 20
USER_AGENT = "vcservice-graph/1"
_ACCEPT = "application/vc+jwt, application/vc, application/vc+ld+json;q=0.9, application/json;q=0.5"
_JWS_TYPES = ("application/vc+jwt", "application/jwt", "application/vc+sd-jwt")

AddressLookup = Callable[[str, int], list[str]]


class LinkFetcher(Protocol):
    """Gets what is served at a credential link: a compact JWS string or a JSON object."""

    def fetch(self, url: str) -> Any: ...


def _system_lookup(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


class HttpLinkFetcher:
    """Linked credentials over https within the bounds above; ResolutionError otherwise."""

    def __init__(
        self,
        client: httpx.Client,
        *,
        allow_http_loopback: bool = False,
        timeout: float = DEFAULT_TIMEOUT,
        max_bytes: int = DEFAULT_MAX_BYTES,
        lookup: AddressLookup = _system_lookup,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._allow_loopback = allow_http_loopback
        self._lookup = lookup
        self._getter = BoundedGetter(
            client,
            accept=_ACCEPT,
            user_agent=USER_AGENT,
            timeout=timeout,
            max_bytes=max_bytes,
            clock=clock,
        )

    def _check_addresses(self, url: httpx.URL, failure: str) -> None:
        host = url.host
        port = url.port or (443 if url.scheme == "https" else 80)
        try:
            addresses = self._lookup(host, port)
        except OSError as exc:
            raise ResolutionError(f"{failure}: {host} does not resolve ({exc})") from None
        for text in addresses:
            address = ipaddress.ip_address(text.split("%", 1)[0])
            if address.is_loopback and self._allow_loopback:
                continue
            if not address.is_global:
                raise ResolutionError(
                    f"{failure}: {host} resolves to {address}, which is not a public address; "
                    "linked credentials are only fetched from public hosts"
                )

    def fetch(self, url: str) -> Any:
        failure = f"could not fetch linked credential {short(url)}"
        try:
            parsed = check_url(url, allow_http_loopback=self._allow_loopback)
        except ValueError as exc:
            raise ResolutionError(f"{failure}: {exc}") from None
        self._check_addresses(parsed, failure)
        fetched = self._getter.get(parsed, failure=failure, absent="no credential there")
        body = fetched.body
        if fetched.media_type in _JWS_TYPES or not body.lstrip().startswith(b"{"):
            try:
                return body.decode("ascii").strip()
            except UnicodeDecodeError:
                raise ResolutionError(f"{failure}: the body is neither a JWS nor JSON") from None
        try:
            value = loads_strict(body)
        except (ValueError, RecursionError) as exc:
            raise ResolutionError(f"{failure}: the body is not valid JSON ({exc})") from None
        if not isinstance(value, dict):
            raise ResolutionError(f"{failure}: the body is JSON but not an object")
        return value
