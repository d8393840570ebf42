"""Sign-in, sessions and request forgery defences of the issuer console.

A certifier signs in with a tenant API key once; the browser then holds only a random session
token in an HttpOnly, SameSite=Strict cookie scoped to ``/console`` (the key itself is never
stored in the browser, and the database keeps only the token's SHA-256: see
:mod:`vcservice.store._console`). A session ends at the earliest of :data:`LIFETIME` after
sign-in, :data:`IDLE` without a request, sign-out, or the removal of the API key it was opened
with.

Every state-changing form carries a CSRF token, an HMAC of the session token under a key
derived from the service's secret, and its ``Origin`` (or ``Sec-Fetch-Site``) must be this
service: SameSite=Strict alone would leave older browsers and same-site hosts unguarded.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response

from vcservice.store._tenants import API_KEY_PREFIX

SESSION_COOKIE = "vcs_console"
COOKIE_PATH = "/console"
#: Absolute lifetime of a session: a working day, then sign in again.
LIFETIME = timedelta(hours=8)
#: A session unused this long is over (a browser left open on a shared desk).
IDLE = timedelta(minutes=30)
#: ``last_seen`` is written at most this often: a page view is a read, not a write, mostly.
TOUCH_EVERY = timedelta(minutes=1)
#: HKDF label of the CSRF key: the same secret under another label gives an unrelated key.
CSRF_PURPOSE = b"vcservice issuer console csrf v1"


def csrf_token(key: bytes, session_token: str) -> str:
    """The CSRF token of a session: stable for its life, unforgeable without the server key."""
    return hmac.new(key, session_token.encode("utf-8"), hashlib.sha256).hexdigest()


def csrf_valid(key: bytes, session_token: str, submitted: str) -> bool:
    expected = csrf_token(key, session_token).encode("ascii")
    return hmac.compare_digest(expected, submitted.encode("utf-8", "replace"))


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def same_origin(request: Request, public_url: str) -> bool:
    """Whether a POST comes from a page of this service.

    ``Origin`` is compared with the public URL and with the origin the request was addressed
    to (a service reached by another name, e.g. on loopback). ``Origin: null`` (a sandboxed
    page, or a page whose referrer policy is ``no-referrer``) is accepted only with
    ``Sec-Fetch-Site: same-origin``, which no script can set. Browsers too old to send
    ``Origin`` on a POST are judged by ``Sec-Fetch-Site`` when they send that; sending neither,
    they are left to the CSRF token and the SameSite cookie.
    """
    origin = request.headers.get("origin")
    fetch_site = request.headers.get("sec-fetch-site")
    if origin is not None and origin.strip().lower() != "null":
        own = {_origin(public_url), _origin(str(request.base_url))}
        return origin.strip().lower() in own
    if origin is not None:
        return fetch_site == "same-origin"
    return fetch_site in (None, "same-origin", "none")


def secure_cookies(request: Request, public_url: str) -> bool:
    return request.url.scheme == "https" or public_url.startswith("https:")


def set_session_cookie(response: Response, token: str, *, secure: bool) -> None:
    """A browser-session cookie (no Max-Age): closing the browser forgets it; the server's
    deadlines apply either way."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        path=COOKIE_PATH,
        secure=secure,
        httponly=True,
        samesite="strict",
    )


def clear_session_cookie(response: Response, *, secure: bool) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path=COOKIE_PATH, secure=secure, httponly=True, samesite="strict"
    )


def client_address(request: Request) -> str:
    """The client's address: the socket's peer, or what a *trusted* proxy forwarded.

    ``request.client`` is rewritten from ``X-Forwarded-For`` only by uvicorn's proxy-headers
    middleware, which ``vcservice serve`` turns on only for the peers listed in
    ``VCSERVICE_FORWARDED_ALLOW_IPS`` (none by default). So a header sent by anyone else is
    ignored, and it can neither dodge the sign-in throttle nor forge a logged address.
    """
    return request.client.host if request.client is not None else "unknown"


#: Characters of a submitted key that name its throttle bucket: ``vcs_`` and 8 random ones.
KEY_BUCKET_CHARS = len(API_KEY_PREFIX) + 8


def tried_key_bucket(api_key: str) -> str | None:
    """The throttle's second key for a sign-in: which tenant's key was being tried.

    A wrong key names no tenant (keys are random and only their hashes are stored, so there is
    nothing to look up), so the tenant being tried is read from the key's first
    :data:`KEY_BUCKET_CHARS` characters (48 random bits): guesses completing one leaked or
    half-known key share this bucket from whatever addresses they come, and are locked out
    together, while unrelated guesses spread over 2**48 buckets and never lock a real tenant
    out. Only a digest is kept in memory. None for text not shaped like a key: it is refused
    without a database lookup, so there is nothing to slow down.
    """
    if not api_key.startswith(API_KEY_PREFIX) or len(api_key) < KEY_BUCKET_CHARS:
        return None
    digest = hashlib.sha256(api_key[:KEY_BUCKET_CHARS].encode("utf-8")).hexdigest()
    return f"key:{digest[:32]}"


@dataclass
class LoginThrottle:
    """Failed sign-ins counted per key (a client address, a tried-key bucket), in memory.

    API keys carry 256 bits of entropy, so guessing one is hopeless either way; the throttle
    keeps a scripted guesser from filling logs and loading the database. The console counts
    each failure twice: under the client's real address (:func:`client_address`) and under
    the tenant key being tried (:func:`tried_key_bucket`), so neither many addresses against
    one key nor many keys from one address get far. After ``max_failures`` failures within
    ``window`` seconds a key is locked out for ``lockout`` seconds. State is per process and
    forgotten on restart (several replicas each count on their own), and at most
    ``max_clients`` keys are tracked, the least recently failing dropped first, so memory
    stays bounded under a spray of addresses.
    """

    max_failures: int = 10
    window: float = 300.0
    lockout: float = 300.0
    max_clients: int = 10_000
    clock: Callable[[], float] = time.monotonic
    _failures: OrderedDict[str, list[float]] = field(default_factory=OrderedDict)
    _locked: OrderedDict[str, float] = field(default_factory=OrderedDict)

    def retry_after(self, client: str) -> int | None:
        """Seconds until ``client`` may try again, or None when it may now."""
        until = self._locked.get(client)
        if until is None:
            return None
        left = until - self.clock()
        if left <= 0:
            del self._locked[client]
            return None
        return max(1, int(left + 0.999))

    def failed(self, client: str) -> None:
        now = self.clock()
        recent = [t for t in self._failures.pop(client, []) if now - t < self.window]
        recent.append(now)
        if len(recent) >= self.max_failures:
            self._locked[client] = now + self.lockout
            recent = []
        else:
            self._failures[client] = recent
        for tracked in (self._failures, self._locked):
            while len(tracked) > self.max_clients:
                tracked.popitem(last=False)

    def succeeded(self, client: str) -> None:
        self._failures.pop(client, None)
