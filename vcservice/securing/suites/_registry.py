"""The suite registry: ``cryptosuite`` name → suite, each suite validated once, when added.

Validating at registration (as Digital Bazaar's ``DataIntegrityProof`` does in its constructor)
means a misbuilt suite fails where it is wired up, at start-up, instead of as a confusing
``proof.signature`` failure on the first credential that happens to use it. The registry is
immutable: :meth:`SuiteRegistry.with_suite` returns a new one, so a registry can be shared
between threads and requests, and a test can add a suite without touching anyone else's.
The suites a process uses by default are :func:`vcservice.securing.registry.default_suites`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

from vcservice.keys import KeyType
from vcservice.securing.suites._legacy import LegacySuite
from vcservice.securing.suites._protocol import Cryptosuite
from vcservice.securing.suites.ed25519_signature_2020 import ED25519_SIGNATURE_2020
from vcservice.securing.suites.json_web_signature_2020 import JSON_WEB_SIGNATURE_2020

_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)+")
_MIN_DIGEST_BYTES = 32


def _validate(suite: object) -> Cryptosuite:
    if not isinstance(suite, Cryptosuite):
        raise TypeError(f"{suite!r} does not implement the Cryptosuite protocol")
    if not isinstance(suite.name, str) or not _NAME.fullmatch(suite.name):
        raise ValueError(f"cryptosuite name {suite.name!r} is not a lowercase dashed identifier")
    key_types = suite.key_types
    if not key_types or not all(isinstance(k, KeyType) for k in key_types):
        raise ValueError(f"{suite.name}: key_types must be a non-empty set of KeyType")
    for key_type in key_types:
        # A digest that is missing for a declared key type, or too short to be collision
        # resistant, would otherwise surface only when the first such proof arrives.
        try:
            digest = suite.digest(b"", key_type)
        except (KeyError, ValueError) as exc:  # no hash mapped for it; hashlib: unknown name
            raise ValueError(f"{suite.name}: no digest for {key_type.value}: {exc!r}") from exc
        if not isinstance(digest, bytes) or len(digest) < _MIN_DIGEST_BYTES:
            raise ValueError(f"{suite.name}: digest for {key_type.value} is not a 256-bit+ hash")
    return suite


class SuiteRegistry:
    """An immutable map from ``cryptosuite`` names to validated suites."""

    def __init__(self) -> None:
        self._suites: Mapping[str, Cryptosuite] = MappingProxyType({})

    def with_suite(self, suite: Cryptosuite) -> SuiteRegistry:
        """A copy that also knows ``suite``; raises TypeError/ValueError if it is unusable."""
        checked = _validate(suite)
        if checked.name in self._suites:
            raise ValueError(f"cryptosuite {checked.name!r} is already registered")
        registry = SuiteRegistry()
        registry._suites = MappingProxyType({**self._suites, checked.name: checked})
        return registry

    def get(self, name: str) -> Cryptosuite | None:
        return self._suites.get(name)

    @property
    def names(self) -> frozenset[str]:
        return frozenset(self._suites)

    @property
    def suites(self) -> tuple[Cryptosuite, ...]:
        """The suites in the order they were added (the order formats are offered in)."""
        return tuple(self._suites.values())


#: The verify-only legacy suites, by proof ``type`` (see :mod:`._legacy`). Not part of any
#: :class:`SuiteRegistry`: they are not ``DataIntegrityProof`` cryptosuites and are never used
#: to sign.
LEGACY_SUITES: Mapping[str, LegacySuite] = MappingProxyType(
    {suite.proof_type: suite for suite in (ED25519_SIGNATURE_2020, JSON_WEB_SIGNATURE_2020)}
)
