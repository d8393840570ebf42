"""The suite registry: ``cryptosuite`` name → suite, each suite validated once, when added.

Validating at registration (as Digital Bazaar's ``DataIntegrityProof`` does in its constructor)
means a misbuilt suite fails where it is wired up, at start-up, instead of as a confusing
``proof.signature`` failure on the first credential that happens to use it. The registry is
immutable: :meth:`SuiteRegistry.with_suite` returns a new one, so a registry can be shared
between threads and requests, and a test can add a suite without touching anyone else's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType

from vcservice.keys import KeyType
from vcservice.securing.suites._legacy import LegacySuite
from vcservice.securing.suites._protocol import Cryptosuite
from vcservice.securing.suites.ecdsa_jcs_2019 import ECDSA_JCS_2019
from vcservice.securing.suites.ecdsa_rdfc_2019 import ECDSA_RDFC_2019
from vcservice.securing.suites.ed25519_signature_2020 import ED25519_SIGNATURE_2020
from vcservice.securing.suites.eddsa_jcs_2022 import EDDSA_JCS_2022
from vcservice.securing.suites.eddsa_rdfc_2022 import EDDSA_RDFC_2022
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


@lru_cache(maxsize=1)
def default_suites() -> SuiteRegistry:
    """The four suites this service implements, validated once per process."""
    registry = SuiteRegistry()
    for suite in (EDDSA_RDFC_2022, EDDSA_JCS_2022, ECDSA_RDFC_2019, ECDSA_JCS_2019):
        registry = registry.with_suite(suite)
    return registry


#: The verify-only legacy suites, by proof ``type`` (see :mod:`._legacy`). Not part of any
#: :class:`SuiteRegistry`: they are not ``DataIntegrityProof`` cryptosuites and are never used
#: to sign.
LEGACY_SUITES: Mapping[str, LegacySuite] = MappingProxyType(
    {suite.proof_type: suite for suite in (ED25519_SIGNATURE_2020, JSON_WEB_SIGNATURE_2020)}
)
