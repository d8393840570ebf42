"""Bounded HTTP GETs of URLs a stranger chose, shared by did:web resolution and status lists.

Verifying a credential means fetching what the credential points at: its issuer's did:web
document, its status list. Whoever sent us the credential picked those URLs, so every fetch
treats the remote side as hostile. This module is the one place that knows how; the callers
(:mod:`vcservice.dids._didweb`, :mod:`vcservice.status`) only decide *which* URL and what a
valid answer looks like.

* **Where** (:func:`parse_host`, :func:`check_url`): https only; no IP-address hosts (refusing
  every spelling of one, including ``127.1``, ``0x7f000001`` and ``2130706433`` that
  ``getaddrinfo`` still accepts); no ``localhost``. Plain http to a loopback host only when the
  caller allows it (tests and local demos).
* **Which addresses** (:func:`address_refusal`, :func:`fetch_client`): the one SSRF rule. A
  name is resolved once, by the client's transport (:class:`GuardedBackend`), every answer is
  checked (loopback, private, link-local, CGNAT, multicast, unique-local, site-local,
  unspecified, reserved and benchmarking ranges, IPv4-mapped, 6to4 and NAT64 spellings of
  those, and the cloud-metadata addresses are refused), and the socket is opened to an address
  that was checked, never to the name, so a DNS-rebinding host cannot answer differently the
  second time. TLS still sends the host name (SNI) and verifies the certificate for it, and the
  ``Host`` header is the URL's. Every fetch in the service (did:web, status lists, linked
  credentials) goes through a :class:`BoundedGetter`, which also refuses to read an answer
  whose socket peer breaks the rule, whatever client it was given (defence in depth: a plain
  ``httpx.Client`` would already have connected, but nothing it read is used).
* **How** (:class:`BoundedGetter`): no redirects (a 3xx is an error, even when the injected
  client follows redirects); a timeout per operation plus an overall deadline on the injected
  clock checked while reading, so a server dribbling bytes cannot hold a worker for long;
  ``Accept-Encoding: identity`` and compressed answers refused, so the size cap bounds memory
  rather than compressed bytes; the client's own credentials (``auth``, an ``Authorization``
  or ``Cookie`` header set on the client) are never sent to a host named by a stranger.
* **How much**: ``max_bytes`` is enforced while streaming, whatever ``Content-Length`` says.
* **How often** (:class:`ResponseCache`): successful answers are kept in a cache bounded in
  entries *and* bytes, with a per-entry time to live on the injected clock. Failures are never
  cached: a negative entry would stretch a one-second blip at the remote host into a whole TTL
  of "could not check", and every failure is already bounded by the timeout.

Every failure is a :class:`~vcservice.errors.ResolutionError` ("could not check") whose message
starts with the caller's ``failure`` prefix and names the URL. Failures of the connection itself
(refused, reset, timed out, TLS, a name that does not resolve) all read "could not fetch <url>":
telling them apart would let a stranger scan ports through us. The specific reason goes to the
server log (logger ``vcservice.fetch``). What a server *answered* (a status code, a redirect, a
body too large) is reported as such, since only a public address is ever asked.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import re
import socket
import ssl
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

import httpcore
import httpx

from vcservice.errors import AddressRefusedError as AddressRefusedError
from vcservice.errors import ResolutionError, UrlRefusedError

_T = TypeVar("_T")
log = logging.getLogger("vcservice.fetch")

DEFAULT_TIMEOUT = 5.0
#: Total size of the bodies a :class:`ResponseCache` keeps, whatever its entry count.
DEFAULT_CACHE_BYTES = 64 << 20
MAX_URL_LENGTH = 2048

_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_NUMERIC_LABEL = re.compile(r"[0-9]+|0[xX][0-9A-Fa-f]*")
# Headers that carry the client owner's credentials; a stranger's host must never see them.
_PRIVATE_HEADERS = ("Authorization", "Proxy-Authorization", "Cookie")


# --- where ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Host:
    """A validated host: a domain name as written, or a loopback address in canonical form."""

    name: str
    port: int | None
    loopback: bool

    @property
    def netloc(self) -> str:
        return self.name if self.port is None else f"{self.name}:{self.port}"


def parse_host(text: str) -> Host:
    """Validate ``host[:port]`` (an ASCII host, a decimal port); raises ValueError with the reason.

    Shared by did:web (:func:`~vcservice.dids.did_web_url`, :func:`~vcservice.dids.did_web_for`,
    so we never build a DID we would refuse to resolve) and :func:`check_url`.
    """
    if "%" in text:
        raise UrlRefusedError(
            f"host {text!r} contains a %-escape; only the colon before a port may be escaped"
        )
    name, sep, port_text = text.partition(":")
    port: int | None = None
    if sep:
        if not port_text.isascii() or not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise UrlRefusedError(f"{port_text!r} is not a port number (1-65535)")
        port = int(port_text)
    labels = name.split(".")
    if _NUMERIC_LABEL.fullmatch(labels[-1]):
        address = _ipv4_literal(name)
        if address is None:
            raise UrlRefusedError(f"host {name!r} is neither a domain name nor an IP address")
        if address.is_loopback:
            # Canonical spelling, so the URL says which address is dialled.
            return Host(str(address), port, loopback=True)
        raise UrlRefusedError(
            f"host {name!r} is an IP address ({address}, {_ip_kind(address)}); only domain "
            "names are fetched, never IP addresses"
        )
    if len(name) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        raise UrlRefusedError(f"host {name!r} is not a valid domain name")
    lowered = name.lower()
    loopback = lowered == "localhost" or lowered.endswith(".localhost")
    return Host(name, port, loopback=loopback)


def check_url(url: str, *, allow_http_loopback: bool = False) -> httpx.URL:
    """The URL as httpx will request it, after the "where" rules; ValueError with the reason.

    The URL is parsed once, by httpx, and that parsed value is what gets requested, so no
    second parser can read a different host out of the same text. Loopback hosts (either
    scheme) need ``allow_http_loopback``; every other host needs https. User info and
    fragments are refused: the first would be sent as credentials, the second never is sent
    and only makes two spellings of one resource.
    """
    if not isinstance(url, str):
        raise UrlRefusedError(f"a URL is a string, not {type(url).__name__}")
    if len(url) > MAX_URL_LENGTH:
        raise UrlRefusedError(f"the URL is {len(url)} characters long; at most {MAX_URL_LENGTH}")
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise UrlRefusedError(f"not a valid URL ({exc})") from exc
    if parsed.scheme not in ("https", "http") or not parsed.raw_host:
        raise UrlRefusedError("only absolute https URLs are fetched")
    if parsed.userinfo:
        raise UrlRefusedError("the URL carries user info (credentials), which is never sent")
    if parsed.fragment:
        raise UrlRefusedError("the URL has a #fragment; name the resource without one")
    host = _host_of(parsed)
    if host.loopback:
        if not allow_http_loopback:
            raise UrlRefusedError(
                f"{host.name} is this machine (loopback), which is only allowed with "
                "allow_http_loopback=True"
            )
    elif parsed.scheme != "https":
        raise UrlRefusedError(
            f"only https is fetched from {host.name}, never plain {parsed.scheme}"
        )
    return parsed


def _host_of(parsed: httpx.URL) -> Host:
    raw = parsed.raw_host.decode("ascii")
    if ":" in raw:  # an IPv6 literal (httpx has already removed the brackets)
        address = ipaddress.IPv6Address(raw)
        if address.is_loopback:
            return Host(f"[{address}]", parsed.port, loopback=True)
        raise UrlRefusedError(f"host [{address}] is an IP address; only domain names are fetched")
    return parse_host(raw if parsed.port is None else f"{raw}:{parsed.port}")


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


# --- which addresses ----------------------------------------------------------------------------
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
#: Resolves ``(host, port)`` to address strings, like ``getaddrinfo``; injected so tests can
#: play any DNS answer (a private address, a rebinding host) without a network.
Lookup = Callable[[str, int], Sequence[str]]

#: Cloud instance-metadata endpoints (AWS IPv4 and IPv6, Alibaba). Each already falls in a
#: refused range; they are named so that no later change to the ranges can let them through.
CLOUD_METADATA: frozenset[IPAddress] = frozenset(
    ipaddress.ip_address(text) for text in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200")
)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # RFC 6052's well-known prefix
# Most specific first: link-local addresses are also private, for instance.
_REFUSED_KINDS = (
    ("is_unspecified", "unspecified"),
    ("is_link_local", "link-local"),
    ("is_multicast", "multicast"),
    ("is_site_local", "site-local"),
    ("is_private", "private"),
    ("is_reserved", "reserved"),
)


def system_lookup(host: str, port: int) -> list[str]:
    """The system resolver's TCP answers for ``host``."""
    return [str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


def address_refusal(address: IPAddress, *, allow_loopback: bool = False) -> str | None:
    """Why a fetch must not connect to ``address`` (a word for the log), or None when it may.

    The rule is "globally reachable unicast only", read from :mod:`ipaddress` rather than a
    hand-kept list: loopback (unless ``allow_loopback``, for tests and the service's own URLs),
    private (RFC 1918, unique-local fc00::/7), link-local, CGNAT (100.64/10: not private, not
    global), multicast (which ``is_global`` lets through), site-local, unspecified, reserved
    and benchmarking ranges, plus :data:`CLOUD_METADATA`. An IPv6 address that carries an IPv4
    one (IPv4-mapped ``::ffff:a.b.c.d``, 6to4 ``2002::/16``, NAT64 ``64:ff9b::/96``) is judged
    by the IPv4 address it reaches.
    """
    inner = _embedded_ipv4(address)
    if inner is not None:
        reason = address_refusal(inner, allow_loopback=allow_loopback)
        return None if reason is None else f"{reason}, as {address}"
    if address in CLOUD_METADATA:
        return "cloud metadata"
    if address.is_loopback:
        return None if allow_loopback else "loopback"
    for attribute, label in _REFUSED_KINDS:
        if getattr(address, attribute, False):
            return label
    return None if address.is_global else "not globally reachable"


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def checked_addresses(
    host: str, port: int, *, lookup: Lookup, allow_loopback: bool
) -> list[IPAddress]:
    """Resolve ``host`` once and return its addresses, each allowed by :func:`address_refusal`.

    Every answer must pass, not just one: a name that answers both a public and a private
    address would otherwise reach the private one whenever the public one is slow. Raises
    :class:`AddressRefusedError` (the message says the name is not public, never which port
    state was seen) or :class:`httpcore.ConnectError` when the name does not resolve.
    """
    try:
        answers = list(lookup(host, port))
    except (OSError, UnicodeError) as exc:
        raise httpcore.ConnectError(f"{host} does not resolve ({exc})") from None
    addresses: list[IPAddress] = []
    for text in answers:
        try:
            address = ipaddress.ip_address(str(text).split("%", 1)[0])
        except ValueError:
            raise httpcore.ConnectError(f"{host} resolved to {text!r}, not an address") from None
        reason = address_refusal(address, allow_loopback=allow_loopback)
        if reason is not None:
            raise AddressRefusedError(
                f"{host} resolves to {address}, which is not a public address ({reason}); "
                "only public hosts are fetched"
            )
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise httpcore.ConnectError(f"{host} has no address")
    return addresses


# --- the client -------------------------------------------------------------------------------
#: At most this many checked addresses are tried for one connection.
_MAX_CONNECT_ATTEMPTS = 3


class GuardedBackend(httpcore.NetworkBackend):
    """An httpcore network backend that resolves, checks, then connects to the checked address.

    httpcore passes the URL's host name here and, for https, the same name to ``start_tls``
    as SNI and for certificate verification; only the socket address is replaced, by one that
    :func:`checked_addresses` allowed. This is httpcore's documented extension point for
    custom networking, so no request is rewritten and connection pooling stays keyed by the
    host name (rewriting URLs to IPs would let two virtual hosts share a TLS connection).
    """

    def __init__(
        self,
        *,
        lookup: Lookup = system_lookup,
        allow_loopback: bool = False,
        inner: httpcore.NetworkBackend | None = None,
    ) -> None:
        self._lookup = lookup
        self._allow_loopback = allow_loopback
        self._inner = inner if inner is not None else httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = checked_addresses(
            host, port, lookup=self._lookup, allow_loopback=self._allow_loopback
        )
        failure: Exception | None = None
        for address in addresses[:_MAX_CONNECT_ATTEMPTS]:
            try:
                return self._inner.connect_tcp(
                    str(address), port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None
        raise failure

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("outbound fetches never use unix sockets")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


# httpcore's exceptions as httpx's, most specific first (what httpx's own transport does).
_MAPPED_ERRORS: tuple[tuple[type[Exception], type[httpx.HTTPError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.ProtocolError, httpx.ProtocolError),
)


@contextlib.contextmanager
def _httpx_errors() -> Iterator[None]:
    try:
        yield
    except httpx.HTTPError:
        raise  # our own AddressRefusedError, raised inside the pool
    except Exception as exc:
        for source, target in _MAPPED_ERRORS:
            if isinstance(exc, source):
                raise target(str(exc)) from exc
        raise


class _Body(httpx.SyncByteStream):
    def __init__(self, stream: Iterable[bytes]) -> None:
        self._stream = stream

    def __iter__(self) -> Iterator[bytes]:
        with _httpx_errors():
            yield from self._stream

    def close(self) -> None:
        close = getattr(self._stream, "close", None)
        if close is not None:
            close()


class GuardedTransport(httpx.BaseTransport):
    """An httpx transport over an httpcore connection pool with a :class:`GuardedBackend`.

    httpx's own ``HTTPTransport`` cannot take a network backend (encode/httpx#3749 is not
    merged), so this adapter does the few lines of request and response conversion itself.
    """

    def __init__(
        self,
        *,
        lookup: Lookup = system_lookup,
        allow_loopback: bool = False,
        verify: ssl.SSLContext | bool = True,
        network_backend: httpcore.NetworkBackend | None = None,
    ) -> None:
        context = verify if isinstance(verify, ssl.SSLContext) else httpx.create_ssl_context(verify)
        self._pool = httpcore.ConnectionPool(
            ssl_context=context,
            max_connections=100,
            max_keepalive_connections=20,
            keepalive_expiry=5.0,
            network_backend=GuardedBackend(
                lookup=lookup, allow_loopback=allow_loopback, inner=network_backend
            ),
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.SyncByteStream)
        core = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with _httpx_errors():
            answer = self._pool.handle_request(core)
        assert isinstance(answer.stream, Iterable)
        return httpx.Response(
            status_code=answer.status,
            headers=answer.headers,
            stream=_Body(answer.stream),
            extensions=answer.extensions,
        )

    def close(self) -> None:
        self._pool.close()


def fetch_client(
    *,
    allow_http_loopback: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    lookup: Lookup = system_lookup,
    verify: ssl.SSLContext | bool = True,
    network_backend: httpcore.NetworkBackend | None = None,
) -> httpx.Client:
    """The ``httpx.Client`` for fetching URLs a stranger chose; the caller closes it.

    Its transport applies the SSRF rule at connection time (:class:`GuardedTransport`);
    redirects are off; ``trust_env`` is off, so neither environment proxies (which would
    resolve the name themselves, past the rule) nor ``.netrc`` credentials are used.
    ``allow_http_loopback`` lets it connect to loopback addresses (tests, and a service whose
    own public URL is on loopback), matching the fetchers' flag of the same name.
    """
    return httpx.Client(
        transport=GuardedTransport(
            lookup=lookup,
            allow_loopback=allow_http_loopback,
            verify=verify,
            network_backend=network_backend,
        ),
        follow_redirects=False,
        timeout=timeout,
        trust_env=False,
    )


# --- how and how much -------------------------------------------------------------------------
def check_limits(*, timeout: float, max_bytes: int, cache_size: int, cache_ttl: float) -> None:
    """Refuse settings that would disable a bound by accident (ValueError)."""
    if not timeout > 0:
        raise ValueError("timeout must be positive")
    if max_bytes <= 0:
        raise ValueError("max_bytes must be positive")
    if cache_size < 0 or cache_ttl < 0:
        raise ValueError("cache_size and cache_ttl must not be negative")


def short(value: object) -> str:
    """``repr`` cut to 120 characters, for echoing untrusted values in messages."""
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


@dataclass(frozen=True)
class Answer:
    """Any answer to a POST: its status, body and media type (see :class:`Fetched`)."""

    status: int
    body: bytes
    media_type: str


@dataclass(frozen=True)
class Fetched:
    """A 200 answer: the body and its media type (lower-case, no parameters; "" if absent)."""

    body: bytes
    media_type: str


class BoundedGetter:
    """GETs one URL at a time over a borrowed ``httpx.Client`` within the bounds above.

    Safe to share between threads (it keeps no state between calls). The caller validates the
    URL first (:func:`check_url`, or its own mapping such as did:web's); this class enforces
    how the request is made and how much of the answer is read.
    """

    def __init__(
        self,
        client: httpx.Client,
        *,
        accept: str,
        user_agent: str,
        timeout: float = DEFAULT_TIMEOUT,
        max_bytes: int,
        clock: Callable[[], float] = time.monotonic,
        allow_loopback: bool = False,
    ) -> None:
        self._client = client
        self._headers = {"Accept": accept, "Accept-Encoding": "identity", "User-Agent": user_agent}
        self._timeout = timeout
        self._max_bytes = max_bytes
        self._clock = clock
        self._allow_loopback = allow_loopback

    def get(self, url: str | httpx.URL, *, failure: str, absent: str = "") -> Fetched:
        """The body at ``url``; ResolutionError starting with ``failure`` otherwise.

        ``absent`` words a 404/410 for the caller's kind of resource ("no DID document there").
        A refused address is said to be one; every other connection failure is the one
        message "could not fetch <url>" (the reason is logged), see the module doc.
        """

        def read(response: httpx.Response, label: str, deadline: float) -> Fetched:
            return self._read(response, label, deadline, failure, absent)

        return self._exchange("GET", url, None, {}, failure, read)

    def post(self, url: str | httpx.URL, body: bytes, *, content_type: str, failure: str) -> Answer:
        """POST ``body`` to ``url`` and read the answer, whatever its status, within the same
        bounds as :meth:`get` (size, time, no redirects, the SSRF rule). A registry's refusal
        is an answer the caller reads (its problem details); only a failure to get any answer
        is ResolutionError."""

        def read(response: httpx.Response, label: str, deadline: float) -> Answer:
            if 300 <= response.status_code < 400:
                raise ResolutionError(
                    f"{failure}: {label} answered HTTP {response.status_code}; redirects are "
                    "never followed"
                )
            fetched = self._body(response, label, deadline, failure)
            return Answer(response.status_code, fetched.body, fetched.media_type)

        headers = {"Content-Type": content_type}
        return self._exchange("POST", url, body, headers, failure, read)

    def _exchange(
        self,
        method: str,
        url: str | httpx.URL,
        body: bytes | None,
        headers: dict[str, str],
        failure: str,
        read: Callable[[httpx.Response, str, float], _T],
    ) -> _T:
        """One request within the bounds, its answer read by ``read`` (response, URL text,
        deadline); every failure to get an answer is ResolutionError starting with
        ``failure``."""
        label = str(url)
        deadline = self._clock() + self._timeout
        try:
            request = self._client.build_request(
                method,
                url,
                content=body,
                headers={**self._headers, **headers},
                timeout=self._timeout,
            )
            for name in _PRIVATE_HEADERS:
                request.headers.pop(name, None)
            response = self._client.send(request, stream=True, auth=None, follow_redirects=False)
            try:
                self._check_peer(response, label, failure)
                return read(response, label, deadline)
            finally:
                response.close()
        except AddressRefusedError as exc:
            log.warning("fetch refused", extra={"url": label, "reason": str(exc)})
            raise ResolutionError(f"{failure}: {exc}") from exc
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            log.warning(
                "fetch failed", extra={"url": label, "reason": f"{type(exc).__name__}: {exc}"}
            )
            # The cause stays chained for the server's own traceback; only the text is shown.
            raise ResolutionError(f"{failure}: could not fetch {label}") from exc

    def _check_peer(self, response: httpx.Response, url: str, failure: str) -> None:
        """Refuse an answer from a socket peer the SSRF rule forbids, before reading it.

        Clients from :func:`fetch_client` never connect to one; this catches any other client
        (no body from such a peer is ever used). Answers without a socket (a mock transport)
        have no peer to check.
        """
        stream = response.extensions.get("network_stream")
        peer = stream.get_extra_info("server_addr") if stream is not None else None
        if not isinstance(peer, tuple) or not peer:
            return
        try:
            address = ipaddress.ip_address(str(peer[0]).split("%", 1)[0])
        except ValueError:
            return
        reason = address_refusal(address, allow_loopback=self._allow_loopback)
        if reason is not None:
            raise AddressRefusedError(
                f"{response.request.url.host} is served from {address}, which is not a public "
                f"address ({reason}); only public hosts are fetched"
            )

    def _read(
        self, response: httpx.Response, url: str, deadline: float, failure: str, absent: str
    ) -> Fetched:
        status = response.status_code
        if 300 <= status < 400:
            location = response.headers.get("Location", "")
            raise ResolutionError(
                f"{failure}: {url} answered HTTP {status} redirecting to {short(location)}; "
                "redirects are never followed"
            )
        if status != 200:
            hint = f" ({absent})" if absent and status in (404, 410) else ""
            raise ResolutionError(f"{failure}: {url} answered HTTP {status}{hint}")
        return self._body(response, url, deadline, failure)

    def _body(self, response: httpx.Response, url: str, deadline: float, failure: str) -> Fetched:
        encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
        if encoding not in ("", "identity"):
            raise ResolutionError(
                f"{failure}: {url} sent a {encoding!r}-encoded body although only 'identity' "
                "was accepted"
            )
        declared = response.headers.get("Content-Length", "")
        if declared.isascii() and declared.isdigit() and int(declared) > self._max_bytes:
            raise ResolutionError(self._too_large(failure, url))
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():  # identity-only (checked above), so raw bytes
            size += len(chunk)
            if size > self._max_bytes:
                raise ResolutionError(self._too_large(failure, url))
            if self._clock() > deadline:
                raise ResolutionError(
                    f"{failure}: reading {url} took longer than {self._timeout:g} s"
                )
            chunks.append(chunk)
        media_type = response.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
        return Fetched(b"".join(chunks), media_type)

    def _too_large(self, failure: str, url: str) -> str:
        return f"{failure}: the response from {url} is larger than {self._max_bytes} bytes"


# --- how often ------------------------------------------------------------------------------
@dataclass
class _Entry:
    fetched: Fetched
    expires: float


class ResponseCache:
    """Successful answers by key, bounded in entries and bytes, each with its own expiry.

    ``max_entries=0`` or ``ttl=0`` disables it. ``put`` takes a ``ttl`` no longer than the
    cache's own (a shorter one for answers that say they go stale sooner). When full, expired
    entries go first, then the least recently used. Bodies are immutable bytes, so callers
    parse a fresh copy on every hit and can never change what the next caller sees. Safe to
    share between threads; concurrent misses for one key may each fetch, which costs a
    duplicate request, never a wrong answer.
    """

    def __init__(
        self,
        *,
        max_entries: int,
        ttl: float,
        clock: Callable[[], float] = time.monotonic,
        max_total_bytes: int = DEFAULT_CACHE_BYTES,
    ) -> None:
        self._max_entries = max_entries
        self._ttl = ttl
        self._clock = clock
        self._max_total_bytes = max_total_bytes
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._total = 0
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self._max_entries > 0 and self._ttl > 0

    def get(self, key: str) -> Fetched | None:
        if not self.enabled:
            return None
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if not self._clock() < entry.expires:
                self._drop(key)
                return None
            self._entries.move_to_end(key)
            return entry.fetched

    def put(self, key: str, fetched: Fetched, ttl: float | None = None) -> None:
        ttl = self._ttl if ttl is None else min(ttl, self._ttl)
        if not self.enabled or not ttl > 0 or len(fetched.body) > self._max_total_bytes:
            return
        with self._lock:
            now = self._clock()
            if key in self._entries:
                self._drop(key)
            for stale in [k for k, e in self._entries.items() if not now < e.expires]:
                self._drop(stale)
            while self._entries and (
                len(self._entries) >= self._max_entries
                or self._total + len(fetched.body) > self._max_total_bytes
            ):
                self._drop(next(iter(self._entries)))
            self._entries[key] = _Entry(fetched, now + ttl)
            self._total += len(fetched.body)

    def _drop(self, key: str) -> None:
        entry = self._entries.pop(key)
        self._total -= len(entry.fetched.body)


class CachingGetter:
    """A :class:`BoundedGetter` behind a :class:`ResponseCache`: the one fetch-decode-cache
    sequence that did:web and status lists share.

    ``decode`` runs on every answer, cached or fresh, and raises before anything is cached, so
    a body that does not decode is never stored; ``ttl`` may shorten the cache lifetime for a
    decoded value (a status list's own ``ttl``).
    """

    def __init__(
        self,
        client: httpx.Client,
        *,
        accept: str,
        user_agent: str,
        timeout: float,
        max_bytes: int,
        cache_size: int,
        cache_ttl: float,
        clock: Callable[[], float],
        allow_loopback: bool = False,
    ) -> None:
        check_limits(
            timeout=timeout, max_bytes=max_bytes, cache_size=cache_size, cache_ttl=cache_ttl
        )
        self._getter = BoundedGetter(
            client,
            accept=accept,
            user_agent=user_agent,
            timeout=timeout,
            max_bytes=max_bytes,
            clock=clock,
            allow_loopback=allow_loopback,
        )
        self._cache = ResponseCache(max_entries=cache_size, ttl=cache_ttl, clock=clock)

    def get(
        self,
        key: str,
        url: str | httpx.URL,
        decode: Callable[[Fetched], _T],
        *,
        failure: str,
        absent: str,
        ttl: Callable[[_T], float | None] = lambda _value: None,
    ) -> _T:
        cached = self._cache.get(key)
        if cached is not None:
            return decode(cached)
        fetched = self._getter.get(url, failure=failure, absent=absent)
        value = decode(fetched)
        self._cache.put(key, fetched, ttl(value))
        return value
