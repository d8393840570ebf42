"""One resolver in front of several DID methods, and the service's default set of them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import httpx

from vcservice.dids._base import DidHistory, DIDResolver, history_of
from vcservice.dids._didjwk import DidJwkResolver
from vcservice.dids._didkey import DidKeyResolver
from vcservice.dids._didweb import DidWebResolver, did_web_client
from vcservice.dids._didwebvh import DidWebvhResolver
from vcservice.errors import ResolutionError

# DID Core: method-name = 1*method-char; method-char = %x61-7A / DIGIT
_METHOD_NAME = re.compile(r"[a-z0-9]+")


class MultiResolver:
    """Dispatches on the DID method name (``did:<method>:...``) to one resolver per method.

    The map is copied and frozen when the resolver is built, so it can be shared between threads
    and nobody can add a method behind the verifier's back. A DID whose method is not in the
    map is a ResolutionError that names the method and the ones supported: the verifier
    could not check it, which is different from it being forged.
    """

    def __init__(self, resolvers: Mapping[str, DIDResolver]) -> None:
        for method in resolvers:
            if not _METHOD_NAME.fullmatch(method):
                raise ValueError(f"{method!r} is not a DID method name (lower-case a-z, 0-9)")
        self._resolvers: Mapping[str, DIDResolver] = MappingProxyType(dict(resolvers))

    @property
    def methods(self) -> frozenset[str]:
        """The DID method names this resolver dispatches to."""
        return frozenset(self._resolvers)

    def resolve(self, did: str) -> dict[str, Any]:
        return self._resolver_for(did).resolve(did)

    def history(self, did: str) -> DidHistory | None:
        """The verified history of ``did`` from its method's resolver; None when that method
        keeps no history (its resolver has no ``history``), or is not one of ours: history only
        ever adds to a resolution, and :meth:`resolve` is what says why a DID cannot be had."""
        method = did[len("did:") :].partition(":")[0] if did.startswith("did:") else ""
        resolver = self._resolvers.get(method)
        return None if resolver is None else history_of(resolver, did)

    def _resolver_for(self, did: str) -> DIDResolver:
        if not isinstance(did, str) or not did.startswith("did:"):
            raise ResolutionError(f"{_short(did)} is not a DID")
        method, sep, rest = did[len("did:") :].partition(":")
        if not sep or not rest or not _METHOD_NAME.fullmatch(method):
            raise ResolutionError(f"{_short(did)} is not a DID (expected did:<method>:<id>)")
        resolver = self._resolvers.get(method)
        if resolver is None:
            supported = ", ".join(f"did:{name}" for name in sorted(self._resolvers)) or "none"
            raise ResolutionError(
                f"cannot resolve {_short(did)}: DID method did:{method} is not supported "
                f"(supported: {supported})"
            )
        return resolver


def default_resolver(
    client: httpx.Client | None = None, *, allow_http_loopback: bool = False
) -> MultiResolver:
    """did:key, did:jwk, did:web and did:webvh with the service's defaults.

    Pass the application's own ``client`` (see :func:`did_web_client`) so it is closed at
    shutdown; without one a client with the safe settings is created here and lives as long as
    the resolver, which suits one-shot CLI runs.
    """
    if client is None:
        client = did_web_client(allow_http_loopback=allow_http_loopback)
    return MultiResolver(
        {
            "key": DidKeyResolver(),
            "jwk": DidJwkResolver(),
            "web": DidWebResolver(client, allow_http_loopback=allow_http_loopback),
            "webvh": DidWebvhResolver(client, allow_http_loopback=allow_http_loopback),
        }
    )


def _short(value: object) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 120 else text[:117] + "..."
