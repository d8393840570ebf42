"""Where status list credentials come from: a protocol, an https fetcher, and a map.

A fetcher only *gets* the list credential; it never trusts it. Verifying the list (its proof,
its issuer, its validity window) is :func:`~vcservice.status.check_status`'s job, through the
caller's verification pipeline. A fetcher raises :class:`~vcservice.errors.ResolutionError`
when the list cannot be had, which the status check reports as "could not check".
"""

from __future__ import annotations

import base64
import binascii
import copy
import re
import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol, runtime_checkable

import httpx

from vcservice._fetch import (
    DEFAULT_TIMEOUT,
    CachingGetter,
    Fetched,
    check_url,
    short,
)
from vcservice.errors import InputError, ResolutionError
from vcservice.ingress import FETCHED_LIMITS, read_json

USER_AGENT = "vcservice-status-list-fetcher"
DEFAULT_MAX_BYTES = 1 << 20

_ACCEPT = "application/vc, application/vc+jwt, application/vc+ld+json;q=0.9, application/json;q=0.8"
_JWT_TYPES = frozenset({"application/vc+jwt", "application/jwt"})
_COMPACT_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")


@runtime_checkable
class StatusListFetcher(Protocol):
    """Gets the list credential at a ``statusListCredential`` URL, unverified.

    Returns what a verifier accepts as a credential: a JSON object (Data Integrity, or an
    ``EnvelopedVerifiableCredential``) or a compact JWS string (``vc+jwt``). Raises
    ResolutionError when it cannot.
    """

    def fetch(self, url: str) -> Any: ...


class MapStatusListFetcher:
    """Lists from a mapping of URL → list credential, then ``fallback`` (if any) for the rest.

    For tests, and for lists this service hosts itself (read from its own store rather than
    over the network). The mapping is read at each call, not copied, so a test can change a
    list between checks; what is returned is a deep copy, so no caller changes the mapping.
    """

    def __init__(self, lists: Mapping[str, Any], fallback: StatusListFetcher | None = None) -> None:
        self._lists = lists
        self._fallback = fallback

    def fetch(self, url: str) -> Any:
        if url in self._lists:
            return copy.deepcopy(self._lists[url])
        if self._fallback is not None:
            return self._fallback.fetch(url)
        raise ResolutionError(f"could not fetch status list {short(url)}: no such list is known")


class HttpStatusListFetcher:
    """Fetches list credentials over https with :mod:`vcservice._fetch`'s bounds and a cache.

    The URL comes from a credential a stranger sent, so the rules are those of did:web
    resolution: https only (http to a loopback host only with ``allow_http_loopback``), no IP
    addresses, the SSRF rule on resolved addresses (:func:`vcservice._fetch.fetch_client` is
    the client to pass), connection failures reported without their kind, no redirects,
    ``timeout`` per operation and overall, ``max_bytes`` enforced while streaming, the client's
    credentials never sent. Bodies: ``application/vc+jwt`` (or
    ``application/jwt``) must be a compact JWS; JSON media types (``application/vc``,
    ``application/json``, ``…+json``) a JSON object; anything else (a bare ``text/plain`` or
    ``application/octet-stream`` from a static file server) is accepted if it is one or the
    other.

    Successful answers are cached per URL for ``cache_ttl`` seconds on ``clock``, or for the
    list's own ``ttl`` (milliseconds, in ``credentialSubject``) when that is shorter: the
    issuer says the list may change sooner. The ``ttl`` is read before the list is verified,
    which is safe because it can only shorten the caching. Failures are not cached. The cache
    holds bodies, not parsed documents, so every call returns a fresh object. The client is
    borrowed, not owned: whoever created it closes it.
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

    def fetch(self, url: str) -> Any:
        failure = f"could not fetch status list {short(url)}"
        try:
            parsed = check_url(url, allow_http_loopback=self._allow_http_loopback)
        except ValueError as exc:
            raise ResolutionError(f"{failure}: {exc}") from exc
        return self._fetch.get(
            url,
            parsed,
            lambda fetched: _decode(fetched, str(parsed), failure),
            failure=failure,
            absent="no status list there",
            ttl=_ttl_seconds,
        )


def _decode(fetched: Fetched, url: str, failure: str) -> Any:
    """The list credential in a body: a compact JWS string or a JSON object."""
    media = fetched.media_type
    if media in _JWT_TYPES:
        token = _jws(fetched.body)
        if token is None:
            raise ResolutionError(f"{failure}: {url} sent {media} that is not a compact JWS")
        return token
    if media in ("application/json", "application/vc") or media.endswith("+json"):
        return _json_object(fetched.body, url, failure)
    token = _jws(fetched.body)
    if token is not None:
        return token
    try:
        return _json_object(fetched.body, url, failure)
    except ResolutionError:
        raise ResolutionError(
            f"{failure}: {url} sent {media or 'an untyped body'} that is neither a JSON "
            "object nor a compact JWS"
        ) from None


def _jws(body: bytes) -> str | None:
    try:
        text = body.decode("ascii").strip()
    except UnicodeDecodeError:
        return None
    return text if _COMPACT_JWS.fullmatch(text) else None


def _json_object(body: bytes, url: str, failure: str) -> dict[str, Any]:
    try:
        value = read_json(body, FETCHED_LIMITS)
    except InputError as exc:
        detail = f"did not return valid UTF-8 JSON ({exc.detail})"
        raise ResolutionError(f"{failure}: {url} {detail}") from exc
    if not isinstance(value, dict):
        raise ResolutionError(f"{failure}: {url} returned JSON that is not an object")
    return value


def _ttl_seconds(value: Any) -> float | None:
    """The list's ``credentialSubject.ttl`` in seconds, read without verifying; None if absent.

    Only ever used to *shorten* caching, so an unverified value cannot do harm.
    """
    document = value
    if isinstance(value, dict) and isinstance(value.get("id"), str) and value["id"][:5] == "data:":
        document = _jws_payload(value["id"].partition(",")[2])  # an enveloped credential
    elif isinstance(value, str):
        document = _jws_payload(value)
    subject = document.get("credentialSubject") if isinstance(document, dict) else None
    ttl = subject.get("ttl") if isinstance(subject, dict) else None
    if isinstance(ttl, bool) or not isinstance(ttl, int | float) or ttl != ttl:
        return None
    return max(float(ttl), 0.0) / 1000.0


def _jws_payload(token: str) -> Any:
    segments = token.split(".")
    if len(segments) != 3:
        return None
    segment = segments[1]
    try:
        return read_json(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (binascii.Error, ValueError, InputError):
        return None
